"""Reads over the journal: trial balance, integrity checks, an order's money trail, payouts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from .models import Account, JournalEntry, JournalLine
from .subjects import Subject


@dataclass(frozen=True)
class TrialBalanceRow:
    subject: str
    currency: str
    debit_minor: int
    credit_minor: int

    @property
    def balance_minor(self) -> int:
        return self.debit_minor - self.credit_minor


def trial_balance() -> list[TrialBalanceRow]:
    """Debits and credits per subject and currency; the column totals must agree."""
    rows = (
        JournalLine.objects.values("account__subject", "currency")
        .annotate(
            debit=Sum("amount_minor", filter=Q(amount_minor__gt=0)),
            credit=Sum("amount_minor", filter=Q(amount_minor__lt=0)),
        )
        .order_by("currency", "account__subject")
    )
    return [
        TrialBalanceRow(
            r["account__subject"], r["currency"], int(r["debit"] or 0), -int(r["credit"] or 0)
        )
        for r in rows
    ]


@dataclass
class LedgerCheck:
    problems: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.problems


def check_ledger() -> LedgerCheck:
    """Every entry balanced per currency, every currency balanced, cached balances equal
    to their lines, guarded accounts within their limits, lines in their account's currency."""
    result = LedgerCheck()
    unbalanced = (
        JournalLine.objects.values("entry_id", "entry__code", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
    )
    for row in unbalanced[:100]:
        result.problems.append(
            f"entry {row['entry__code']} is off by {row['total']} {row['currency']}"
        )
    per_currency = JournalLine.objects.values("currency").annotate(total=Sum("amount_minor"))
    for off in per_currency.exclude(total=0):
        result.problems.append(f"the ledger is off by {off['total']} {off['currency']}")
    foreign = JournalLine.objects.exclude(currency=F("account__currency")).values("entry__code")
    for line in foreign[:100]:
        result.problems.append(f"entry {line['entry__code']} has a line in a foreign currency")
    short = (
        JournalEntry.objects.annotate(n=Count("lines"))
        .filter(n__lt=2)
        .values_list("code", flat=True)
    )
    for code in short[:100]:
        result.problems.append(f"entry {code} has fewer than two lines")
    sums = dict(
        JournalLine.objects.filter(account__is_guarded=True)
        .values_list("account_id")
        .annotate(total=Sum("amount_minor"))
    )
    for account in Account.objects.filter(is_guarded=True):
        actual = int(sums.get(account.pk) or 0)
        if actual != account.balance_minor:
            result.problems.append(
                f"{account.code}: cached balance {account.balance_minor} != lines {actual}"
            )
        if account.subject in (Subject.CUSTOMER_WALLET, Subject.DISTRIBUTOR_DEPOSIT) and actual > 0:
            result.problems.append(f"{account.code} is overdrawn by {actual}")
        if account.subject == Subject.DISTRIBUTOR_CREDIT and not 0 <= actual <= account.limit_minor:
            result.problems.append(
                f"{account.code} is outside its credit limit ({actual} of {account.limit_minor})"
            )
    return result


def order_trail(order_id: int) -> list[JournalEntry]:
    """Every entry that names the order, oldest first, with its lines."""
    return list(
        JournalEntry.objects.filter(order_id=order_id)
        .prefetch_related("lines__account")
        .order_by("id")
    )


@dataclass(frozen=True)
class PayoutRow:
    supplier_code: str
    supplier_name: str
    currency: str
    earned_minor: int  # net amounts credited (confirmed orders)
    reversed_minor: int  # taken back by refunds and cancellations
    net_minor: int


def supplier_payouts(start: dt.date, end: dt.date) -> list[PayoutRow]:
    """Supplier payable movements in [start, end): what each supplier earned and lost."""
    rows = (
        JournalLine.objects.filter(
            account__subject=Subject.SUPPLIER_PAYABLE,
            entry__created_at__date__gte=start,
            entry__created_at__date__lt=end,
        )
        .values("account__organisation__code", "account__organisation__name_en", "currency")
        .annotate(
            credits=Sum("amount_minor", filter=Q(amount_minor__lt=0)),
            debits=Sum("amount_minor", filter=Q(amount_minor__gt=0)),
        )
        .order_by("account__organisation__code", "currency")
    )
    out = []
    for r in rows:
        earned, reversed_ = -int(r["credits"] or 0), int(r["debits"] or 0)
        out.append(
            PayoutRow(
                r["account__organisation__code"],
                r["account__organisation__name_en"],
                r["currency"],
                earned,
                reversed_,
                earned - reversed_,
            )
        )
    return out


def balances_by_subject() -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in trial_balance():
        totals[(row.subject, row.currency)] += row.balance_minor
    return dict(totals)


def account_statement(account: Account, *, limit: int = 100) -> list[JournalLine]:
    """The account's movements, newest first."""
    return list(
        JournalLine.objects.filter(account=account)
        .select_related("entry", "entry__order")
        .order_by("-id")[:limit]
    )
