"""The only writer of the journal: balanced entries, reversals, guarded balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from omnitrip.core.ids import public_code
from omnitrip.core.locking import lock_rows

from .errors import CreditLimitExceeded, InsufficientFunds, UnbalancedEntry
from .models import Account, JournalEntry, JournalLine
from .subjects import GUARDED, KIND_OF, Subject

if TYPE_CHECKING:
    from omnitrip.accounts.models import Organisation, User
    from omnitrip.orders.models import Order
    from omnitrip.payments.models import Payment, Refund


@dataclass(frozen=True)
class Posting:
    """One line to post: ``amount_minor`` is debit-positive, credit-negative."""

    account: Account
    amount_minor: int


def debit(account: Account, amount_minor: int) -> Posting:
    return Posting(account, amount_minor)


def credit(account: Account, amount_minor: int) -> Posting:
    return Posting(account, -amount_minor)


def account_code(
    subject: str,
    currency: str,
    *,
    organisation: Organisation | None = None,
    user: User | None = None,
    provider: str = "",
) -> str:
    owner = (
        f"org:{organisation.code}"
        if organisation is not None
        else f"user:{user.pk}"
        if user is not None
        else f"provider:{provider}"
        if provider
        else "platform"
    )
    return f"{subject}/{owner}/{currency}"


def account_for(
    subject: str,
    currency: str,
    *,
    organisation: Organisation | None = None,
    user: User | None = None,
    provider: str = "",
) -> Account:
    """The account of this subject, owner and currency, created on first use."""
    code = account_code(subject, currency, organisation=organisation, user=user, provider=provider)
    account = Account.objects.filter(code=code).first()
    if account is not None:
        return account
    limit = (
        organisation.credit_limit_minor
        if organisation is not None and subject == Subject.DISTRIBUTOR_CREDIT
        else 0
    )
    try:
        with transaction.atomic():
            return Account.objects.create(
                code=code,
                subject=subject,
                kind=KIND_OF[subject],
                currency=currency,
                organisation=organisation,
                user=user,
                provider=provider,
                is_guarded=subject in GUARDED,
                limit_minor=limit,
            )
    except IntegrityError:  # created by a concurrent request
        return Account.objects.get(code=code)


def lock_accounts(accounts: Iterable[Account]) -> dict[int, Account]:
    """Lock accounts (pk order) before reading balances that a payment will spend."""
    return {a.pk: a for a in lock_rows(Account.objects.filter(pk__in={a.pk for a in accounts}))}


def post_entry(
    kind: str,
    postings: Sequence[Posting],
    *,
    memo: str = "",
    actor: str = "",
    order: Order | None = None,
    payment: Payment | None = None,
    refund: Refund | None = None,
    idempotency_key: str | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Write one balanced entry; the only way money moves in omnitrip.

    Must run inside the transaction of the change it records. Refuses (UnbalancedEntry)
    unless the lines sum to zero in every currency and each line's currency is its
    account's. Guarded accounts' balances move in the same transaction; crossing a limit
    raises InsufficientFunds / CreditLimitExceeded (lock those accounts first with
    :func:`lock_accounts` so the check and the write cannot race). Idempotent per
    ``idempotency_key``: a repeat returns the first entry and posts nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the transaction it records")
    if idempotency_key:
        existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    lines = [p for p in postings if p.amount_minor != 0]
    totals: dict[str, int] = defaultdict(int)
    for posting in lines:
        if isinstance(posting.amount_minor, bool) or not isinstance(posting.amount_minor, int):
            raise UnbalancedEntry("amounts are integers of minor units")
        totals[posting.account.currency] += posting.amount_minor
    if len(lines) < 2 or any(totals.values()):
        raise UnbalancedEntry(f"{kind}: lines sum to {dict(totals)}")
    entry = JournalEntry.objects.create(
        code=public_code("JE", 12),
        kind=kind,
        memo=memo[:300],
        actor=actor[:120],
        order=order,
        payment=payment,
        refund=refund,
        idempotency_key=idempotency_key,
        reverses=reverses,
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry, account=p.account, currency=p.account.currency, amount_minor=p.amount_minor
        )
        for p in lines
    )
    for posting in lines:
        if posting.account.is_guarded:
            _move_guarded_balance(posting)
    return entry


def _move_guarded_balance(posting: Posting) -> None:
    try:
        with transaction.atomic():  # a savepoint, so the error below leaves no half write
            Account.objects.filter(pk=posting.account.pk).update(
                balance_minor=F("balance_minor") + posting.amount_minor
            )
    except IntegrityError as exc:
        if posting.account.subject == Subject.DISTRIBUTOR_CREDIT:
            raise CreditLimitExceeded("This would exceed the credit limit") from exc
        raise InsufficientFunds("Not enough balance") from exc


def reverse_entry(entry: JournalEntry, *, actor: str, memo: str = "") -> JournalEntry:
    """Post the mirror image of ``entry``; the original stays. Idempotent."""
    existing = JournalEntry.objects.filter(reverses=entry).first()
    if existing is not None:
        return existing
    lines = list(entry.lines.select_related("account"))
    return post_entry(
        f"{entry.kind}.reversal",
        [Posting(line.account, -line.amount_minor) for line in lines],
        memo=memo or f"reverses {entry.code}",
        actor=actor,
        order=entry.order,
        payment=entry.payment,
        refund=entry.refund,
        reverses=entry,
    )


def balance(account: Account) -> int:
    """Debit-positive balance: from the row for guarded accounts, else from the lines."""
    if account.is_guarded:
        return Account.objects.values_list("balance_minor", flat=True).get(pk=account.pk)
    return int(account.lines.aggregate(total=Sum("amount_minor"))["total"] or 0)
