"""The journal: balanced entries only, append-only rows, guarded balances, the check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from omnitrip.accounts.models import Organisation, OrganisationKind, User
from omnitrip.ledger.errors import CreditLimitExceeded, InsufficientFunds, UnbalancedEntry
from omnitrip.ledger.models import Account, JournalEntry, JournalLine
from omnitrip.ledger.queries import check_ledger
from omnitrip.ledger.services import (
    account_for,
    balance,
    credit,
    debit,
    post_entry,
    reverse_entry,
)
from omnitrip.ledger.subjects import Subject

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


def clearing(currency: str = "CNY") -> Account:
    return account_for(Subject.PROVIDER_CLEARING, currency, provider="sandbox")


def advances(currency: str = "CNY") -> Account:
    return account_for(Subject.CUSTOMER_ADVANCES, currency)


def customer(name: str = "li.wei") -> User:
    return User.objects.create_user(username=name, email=f"{name}@example.com")


def wallet_of(user: User, currency: str = "CNY") -> Account:
    return account_for(Subject.CUSTOMER_WALLET, currency, user=user)


def distributor(limit_minor: int) -> Organisation:
    return Organisation.objects.create(
        code="tianjin-travel",
        kind=OrganisationKind.DISTRIBUTOR,
        name_en="Tianjin Travel",
        credit_limit_minor=limit_minor,
    )


def top_up(wallet: Account, amount_minor: int) -> JournalEntry:
    with transaction.atomic():
        return post_entry(
            "wallet.topped_up",
            [debit(clearing(wallet.currency), amount_minor), credit(wallet, amount_minor)],
        )


def lines_of(entry: JournalEntry) -> list[tuple[str, str, int]]:
    return [
        (line.account.code, line.currency, line.amount_minor)
        for line in entry.lines.select_related("account").order_by("id")
    ]


def journal_size() -> tuple[int, int]:
    return JournalEntry.objects.count(), JournalLine.objects.count()


# --- what post_entry refuses ---------------------------------------------------------


def test_an_entry_whose_debits_and_credits_differ_is_refused_and_nothing_is_written():
    with pytest.raises(UnbalancedEntry) as caught, transaction.atomic():
        post_entry("payment.captured", [debit(clearing(), 10_000), credit(advances(), 9_999)])

    assert caught.value.code == "unbalanced_entry"
    assert caught.value.detail == "payment.captured: lines sum to {'CNY': 1}"
    assert journal_size() == (0, 0)


def test_an_entry_of_a_single_line_is_refused_even_with_a_zero_line_beside_it():
    with pytest.raises(UnbalancedEntry), transaction.atomic():
        post_entry("odd", [debit(clearing(), 0)])
    with pytest.raises(UnbalancedEntry), transaction.atomic():
        post_entry("odd", [debit(clearing(), 500), credit(advances(), 0)])

    assert journal_size() == (0, 0)


def test_an_entry_that_pays_yuan_into_a_dollar_account_is_refused():
    """Lines take their account's currency: 100.00 CNY out and 100.00 USD in do not balance."""
    with pytest.raises(UnbalancedEntry) as caught, transaction.atomic():
        post_entry("fx", [debit(clearing("CNY"), 10_000), credit(advances("USD"), 10_000)])

    assert caught.value.detail == "fx: lines sum to {'CNY': 10000, 'USD': -10000}"
    assert journal_size() == (0, 0)


def test_an_amount_that_is_not_a_whole_number_of_minor_units_is_refused():
    with pytest.raises(UnbalancedEntry), transaction.atomic():
        post_entry("odd", [debit(clearing(), 1.5), credit(advances(), 1.5)])  # type: ignore[arg-type]

    assert journal_size() == (0, 0)


# --- what post_entry writes ------------------------------------------------------------


def test_an_entry_balanced_in_each_of_two_currencies_is_written_line_for_line():
    with transaction.atomic():
        entry = post_entry(
            "payment.captured",
            [
                debit(clearing("CNY"), 12_800),
                credit(advances("CNY"), 12_800),
                debit(clearing("USD"), 1_999),
                credit(advances("USD"), 1_999),
            ],
            memo="two captures",
            actor="provider:sandbox",
        )

    assert entry.code.startswith("JE")
    assert (entry.kind, entry.memo, entry.actor) == (
        "payment.captured",
        "two captures",
        "provider:sandbox",
    )
    assert lines_of(entry) == [
        ("provider_clearing/provider:sandbox/CNY", "CNY", 12_800),
        ("customer_advances/platform/CNY", "CNY", -12_800),
        ("provider_clearing/provider:sandbox/USD", "USD", 1_999),
        ("customer_advances/platform/USD", "USD", -1_999),
    ]
    assert balance(advances("USD")) == -1_999
    assert check_ledger().problems == []


def test_a_repeated_idempotency_key_returns_the_first_entry_and_posts_nothing_more():
    with transaction.atomic():
        first = post_entry(
            "payment.captured",
            [debit(clearing(), 5_000), credit(advances(), 5_000)],
            idempotency_key="capture:PAY1",
        )
        again = post_entry(
            "payment.captured",
            [debit(clearing(), 7_000), credit(advances(), 7_000)],
            idempotency_key="capture:PAY1",
        )

    assert again.pk == first.pk
    assert journal_size() == (1, 2)
    assert balance(advances()) == -5_000


def test_a_reversal_mirrors_every_line_and_reversing_again_returns_the_same_reversal():
    wallet = wallet_of(customer())
    original = top_up(wallet, 8_800)

    with transaction.atomic():
        reversal = reverse_entry(original, actor="user:ops")
        again = reverse_entry(original, actor="user:ops")

    assert again.pk == reversal.pk
    assert reversal.reverses_id == original.pk
    assert (reversal.kind, reversal.memo) == (
        "wallet.topped_up.reversal",
        f"reverses {original.code}",
    )
    assert [(code, amount) for code, _, amount in lines_of(reversal)] == [
        (code, -amount) for code, _, amount in lines_of(original)
    ]
    assert journal_size() == (2, 4)
    # The original stays; the two together leave nothing behind, the cached balance too.
    assert balance(wallet) == 0
    assert balance(clearing()) == 0
    assert check_ledger().problems == []


# --- the database keeps the journal append-only ------------------------------------------


def refused(action) -> str:
    """Run ``action`` in a savepoint, expect the database to refuse it; the error text."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        action()
    return str(caught.value)


def test_the_database_refuses_to_change_a_journal_line_and_the_line_stays_as_it_was():
    entry = top_up(wallet_of(customer()), 10_000)
    line = entry.lines.order_by("id").first()
    assert line is not None

    error = refused(lambda: JournalLine.objects.filter(pk=line.pk).update(amount_minor=1))

    assert "append-only" in error
    assert JournalLine.objects.get(pk=line.pk).amount_minor == 10_000


def test_the_database_refuses_to_delete_a_journal_line_and_the_line_stays():
    entry = top_up(wallet_of(customer()), 10_000)
    line = entry.lines.order_by("id").first()
    assert line is not None

    error = refused(lambda: JournalLine.objects.filter(pk=line.pk).delete())

    assert "append-only" in error
    assert JournalLine.objects.filter(pk=line.pk).count() == 1
    assert journal_size() == (1, 2)


def test_the_database_refuses_to_change_a_journal_entry_and_the_entry_stays_as_it_was():
    entry = top_up(wallet_of(customer()), 10_000)

    error = refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(kind="forged"))

    assert "append-only" in error
    assert JournalEntry.objects.get(pk=entry.pk).kind == "wallet.topped_up"


def test_the_database_refuses_to_delete_a_journal_entry_even_in_raw_sql():
    """The ORM would stop at PROTECT first; raw SQL shows the trigger itself refusing."""
    entry = top_up(wallet_of(customer()), 10_000)

    def delete_in_sql():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [entry.pk])

    error = refused(delete_in_sql)

    assert "append-only" in error
    assert journal_size() == (1, 2)


# --- guarded balances --------------------------------------------------------------------


def test_a_wallet_cannot_spend_more_than_it_holds_and_the_failed_spend_leaves_no_trace():
    wallet = wallet_of(customer())
    top_up(wallet, 10_000)

    with pytest.raises(InsufficientFunds) as caught, transaction.atomic():
        post_entry("payment.wallet", [debit(wallet, 10_001), credit(advances(), 10_001)])

    assert (caught.value.code, caught.value.status) == ("insufficient_funds", 409)
    assert balance(wallet) == -10_000
    assert Account.objects.get(pk=wallet.pk).balance_minor == -10_000
    assert journal_size() == (1, 2)

    with transaction.atomic():  # every last fen can still be spent
        post_entry("payment.wallet", [debit(wallet, 10_000), credit(advances(), 10_000)])
    assert balance(wallet) == 0
    assert check_ledger().problems == []


def test_a_distributor_cannot_owe_more_than_its_credit_limit():
    owed = account_for(Subject.DISTRIBUTOR_CREDIT, "CNY", organisation=distributor(50_000))
    assert owed.limit_minor == 50_000

    with pytest.raises(CreditLimitExceeded) as caught, transaction.atomic():
        post_entry("payment.account", [debit(owed, 50_001), credit(advances(), 50_001)])

    assert (caught.value.code, caught.value.status) == ("credit_limit_exceeded", 409)
    assert balance(owed) == 0
    assert journal_size() == (0, 0)

    with transaction.atomic():
        post_entry("payment.account", [debit(owed, 50_000), credit(advances(), 50_000)])
    assert balance(owed) == 50_000
    with pytest.raises(CreditLimitExceeded), transaction.atomic():
        post_entry("payment.account", [debit(owed, 1), credit(advances(), 1)])
    assert balance(owed) == 50_000
    assert check_ledger().problems == []


def test_a_distributor_cannot_be_owed_back_more_than_it_owes():
    owed = account_for(Subject.DISTRIBUTOR_CREDIT, "CNY", organisation=distributor(50_000))

    with pytest.raises(CreditLimitExceeded), transaction.atomic():
        post_entry("refund.paid", [debit(advances(), 1), credit(owed, 1)])

    assert balance(owed) == 0
    assert journal_size() == (0, 0)


# --- the integrity check -----------------------------------------------------------------


def test_check_ledger_is_ok_for_a_ledger_written_only_through_post_entry():
    wallet = wallet_of(customer())
    top_up(wallet, 10_000)
    with transaction.atomic():
        post_entry("payment.wallet", [debit(wallet, 3_000), credit(advances(), 3_000)])

    result = check_ledger()

    assert result.is_ok is True
    assert result.problems == []


def test_check_ledger_reports_a_cached_balance_that_differs_from_its_lines():
    wallet = wallet_of(customer())
    top_up(wallet, 10_000)
    # Accounts are not append-only: a stray UPDATE of the cached column is possible.
    Account.objects.filter(pk=wallet.pk).update(balance_minor=-9_000)

    result = check_ledger()

    assert result.is_ok is False
    assert result.problems == [f"{wallet.code}: cached balance -9000 != lines -10000"]


def test_check_ledger_reports_a_line_written_behind_post_entrys_back_in_a_foreign_currency():
    entry = top_up(wallet_of(customer()), 10_000)
    # INSERT is the one write the triggers allow; post_entry would never write these.
    JournalLine.objects.create(entry=entry, account=advances("CNY"), currency="USD", amount_minor=5)
    JournalLine.objects.create(
        entry=entry, account=advances("USD"), currency="USD", amount_minor=-5
    )

    assert check_ledger().problems == [f"entry {entry.code} has a line in a foreign currency"]


def test_check_ledger_reports_lines_inserted_behind_post_entrys_back_that_do_not_balance():
    entry = top_up(wallet_of(customer()), 10_000)
    JournalLine.objects.create(entry=entry, account=advances(), currency="CNY", amount_minor=-5)
    lonely = JournalEntry.objects.create(code="JE-LONELY", kind="odd")

    assert check_ledger().problems == [
        f"entry {entry.code} is off by -5 CNY",
        "the ledger is off by -5 CNY",
        f"entry {lonely.code} has fewer than two lines",
    ]


def run_check_ledger(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("check_ledger", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return out.getvalue(), err.getvalue(), code


def test_the_check_ledger_command_prints_the_trial_balance_and_says_ok():
    wallet = wallet_of(customer())
    top_up(wallet, 10_000)
    with transaction.atomic():
        post_entry("payment.wallet", [debit(wallet, 3_000), credit(advances(), 3_000)])

    out, err, code = run_check_ledger()

    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "subject                      cur             debit           credit          balance",
        "customer_advances            CNY              0.00            30.00           -30.00",
        "customer_wallet              CNY             30.00           100.00           -70.00",
        "provider_clearing            CNY            100.00             0.00           100.00",
        "TOTAL                        CNY            130.00           130.00             0.00",
        "ledger OK",
    ]


def test_the_check_ledger_command_exits_1_and_names_every_problem():
    wallet = wallet_of(customer())
    top_up(wallet, 10_000)
    Account.objects.filter(pk=wallet.pk).update(balance_minor=0)

    out, err, code = run_check_ledger("--quiet")

    assert code == 1
    assert out == ""
    assert err.splitlines() == [f"{wallet.code}: cached balance 0 != lines -10000"]
