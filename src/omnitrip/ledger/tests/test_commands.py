"""Operator commands over the ledger."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from omnitrip.accounts.models import Organisation
from omnitrip.ledger.models import Account, JournalEntry
from omnitrip.ledger.services import balance

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


def distributor() -> Organisation:
    return Organisation.objects.create(
        code="agency-1", kind="distributor", name_en="Agency", currency="CNY"
    )


def test_a_recorded_deposit_credits_the_distributors_deposit_once_per_reference():
    org = distributor()
    call_command("record_deposit", org.code, "500.00", reference="BANK-1")
    call_command("record_deposit", org.code, "500.00", reference="BANK-1")
    deposit = Account.objects.get(subject="distributor_deposit", organisation=org)
    assert balance(deposit) == -50000
    assert JournalEntry.objects.filter(kind="deposit.received").count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_a_deposit_must_be_a_positive_amount(amount):
    org = distributor()
    with pytest.raises(CommandError):
        call_command("record_deposit", org.code, amount, reference="BANK-2")
    assert JournalEntry.objects.count() == 0


def test_only_distributors_take_deposits():
    Organisation.objects.create(code="hotel-1", kind="supplier", name_en="Hotel", currency="CNY")
    with pytest.raises(CommandError):
        call_command("record_deposit", "hotel-1", "10", reference="BANK-3")
    assert JournalEntry.objects.count() == 0
