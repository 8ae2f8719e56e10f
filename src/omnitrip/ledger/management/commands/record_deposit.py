"""``omnitrip record-deposit``: book a distributor's prepaid deposit (e.g. a bank transfer)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from omnitrip.accounts.models import Organisation, OrganisationKind
from omnitrip.core.money import Money
from omnitrip.ledger.services import account_for, credit, debit, post_entry
from omnitrip.ledger.subjects import Subject


class Command(BaseCommand):
    help = (
        "Record money a distributor paid in as deposit: AMOUNT in major units of the "
        "distributor's currency, received through --channel (default bank). Idempotent per "
        "--reference (the bank's transaction reference)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="Distributor organisation code")
        parser.add_argument("amount", help="Amount in major units, e.g. 50000.00")
        parser.add_argument(
            "--reference", required=True, help="The transfer's reference (makes it idempotent)"
        )
        parser.add_argument(
            "--channel", default="bank", help="Where the money arrived (a clearing account)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(
            code=options["organisation"], kind=OrganisationKind.DISTRIBUTOR
        ).first()
        if organisation is None:
            raise CommandError(f"No distributor {options['organisation']!r}")
        try:
            amount = Money.from_decimal(Decimal(options["amount"]), organisation.currency)
        except (InvalidOperation, ValueError) as exc:
            raise CommandError("AMOUNT must be a positive decimal") from exc
        if amount.amount_minor <= 0:
            raise CommandError("AMOUNT must be positive")
        with transaction.atomic():
            entry = post_entry(
                "deposit.received",
                [
                    debit(
                        account_for(
                            Subject.PROVIDER_CLEARING, amount.currency, provider=options["channel"]
                        ),
                        amount.amount_minor,
                    ),
                    credit(
                        account_for(
                            Subject.DISTRIBUTOR_DEPOSIT, amount.currency, organisation=organisation
                        ),
                        amount.amount_minor,
                    ),
                ],
                memo=f"deposit {options['reference']}",
                actor="cli",
                idempotency_key=f"deposit:{organisation.code}:{options['reference']}"[:120],
            )
        self.stdout.write(f"{entry.code}: {amount} deposited for {organisation.code}")
