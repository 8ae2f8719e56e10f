"""Reconciling a provider's settlement file with our payments and refunds.

The provider's plug-in only parses its file (:meth:`PaymentProvider.parse_settlement`);
everything here works with any provider through that interface.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from omnitrip.core.errors import InvalidInput
from omnitrip.core.ids import public_code
from omnitrip.core.money import Money
from omnitrip.payments.models import Payment, Refund
from omnitrip.payments.providers import SettlementLine, get_provider
from omnitrip.payments.states import PaymentStatus, RefundStatus

from .models import ReconciliationItem, ReconciliationRun
from .queries import file_digest, previous_run, provider_family
from .states import LineKind, Outcome, RunStatus

if TYPE_CHECKING:
    from omnitrip.accounts.models import User

M = TypeVar("M", bound=models.Model)

# References per ``IN (…)`` query: far below SQLite's and PostgreSQL's parameter limits,
# so a typical daily file costs one query per kind.
_CHUNK = 500
_MAX_DETAIL = 300
_MAX_TEXT = 128  # reference, provider transaction id


def reconcile_file(
    provider_name: str,
    content: bytes,
    *,
    file_name: str,
    uploaded_by: User | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> ReconciliationRun:
    """Compare ``provider_name``'s settlement file with our records and store the run.

    Every line is matched by its reference (our payment or refund code) against our rows
    of the provider's *family*: ``alipay`` and ``alipay_wap`` share one bill, so a line
    from either matches a payment made through either. A matched line is compared for
    status (a payment must be captured, a refund succeeded), currency and amount, and
    gets one outcome (status before currency before amount; the detail lists every
    difference). Then our captured payments (``captured_at``) and succeeded refunds to the
    original method (``updated_at``) of the family in the period that the file lacks are
    listed as ``missing_in_file`` — except those the file of a run for another period
    already listed (a capture near midnight may be in the provider's previous or next
    file); a second file for an overlapping period must list them again.

    The period is ``period_start``..``period_end`` (inclusive dates); either defaults to
    the earliest/latest date printed in the file. Dates are read in the time zone of the
    file's timestamps (the first one with an offset), else ``settings.TIME_ZONE``.

    Raises ``UnknownProvider`` for an unknown or disabled provider and ``InvalidInput``
    for a file the provider cannot read, a file with no dates and no period, or a period
    that ends before it starts; nothing is stored then.

    Idempotent per file: the same bytes imported again for the same provider return the
    first run unchanged (whatever the period asked), also when two imports race. Writes
    the run and its items in one transaction; takes no locks (the unique file digest
    serialises duplicates); nothing happens on commit. The run is its own audit record.
    """
    provider = get_provider(provider_name)
    digest = file_digest(content)
    existing = previous_run(provider.name, digest)
    if existing is not None:
        return existing
    # Pure parsing, before any write: a file the provider cannot read stores nothing.
    lines = provider.parse_settlement(content)
    _check_lines(lines)
    period = _period(lines, period_start, period_end)
    try:
        with transaction.atomic():
            return _store_run(
                provider.name,
                lines,
                period,
                file_name=file_name,
                digest=digest,
                uploaded_by=uploaded_by,
            )
    except IntegrityError:
        # Another import of the same file committed first: that run is the answer.
        existing = previous_run(provider.name, digest)
        if existing is None:
            raise
        return existing


# --- the period -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    start: dt.date
    end: dt.date
    zone: dt.tzinfo

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) in the file's zone."""
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=self.zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone),
        )


def line_moment(occurred_at: str) -> dt.datetime | None:
    """When a line happened, as far as the printed time says; ``None`` if unreadable.

    Understands ISO 8601 (with ``T`` or a space, with or without an offset), the same
    with slashes (``2026/03/01 10:15:00``) and Unix seconds. Naive times stay naive.
    """
    text = occurred_at.strip().strip("`'\"")
    if not text:
        return None
    if text.isdigit() and 9 <= len(text) <= 10:
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
    for candidate in (text, text.replace("/", "-")):
        try:
            return dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def _period(lines: Sequence[SettlementLine], start: dt.date | None, end: dt.date | None) -> _Period:
    moments = [m for m in (line_moment(line.occurred_at) for line in lines) if m is not None]
    zone = next(
        (m.tzinfo for m in moments if m.tzinfo is not None), timezone.get_default_timezone()
    )
    # The date as printed: a bill's day is the provider's day.
    dates = [m.date() for m in moments]
    if start is None or end is None:
        if not dates:
            raise InvalidInput(
                "The file has no dated lines: give the period it covers", field="period_start"
            )
        start = start or min(dates)
        end = end or max(dates)
    if start > end:
        raise InvalidInput("The period ends before it starts", field="period_end")
    return _Period(start=start, end=end, zone=zone)


def _check_lines(lines: Sequence[SettlementLine]) -> None:
    """Refuse lines that break the interface's promises (a plug-in bug), before storing."""
    for number, line in enumerate(lines, start=1):
        problem = ""
        if line.kind not in LineKind.values:
            problem = f"kind {line.kind!r} is neither payment nor refund"
        elif not line.reference.strip():
            problem = "no reference"
        elif line.amount_minor < 0 or line.fee_minor < 0:
            problem = "a negative amount or fee"
        elif not (
            len(line.currency) == 3
            and line.currency.isascii()
            and line.currency.isalpha()
            and line.currency.isupper()
        ):
            problem = f"{line.currency!r} is not an ISO 4217 code"
        if problem:
            raise InvalidInput(f"Settlement line {number}: {problem}", field="content")


# --- matching ---------------------------------------------------------------------------


@dataclass
class _Item:
    outcome: str
    kind: str
    reference: str
    provider_transaction_id: str = ""
    payment: Payment | None = None
    refund: Refund | None = None
    file_amount_minor: int | None = None
    file_currency: str = ""
    our_amount_minor: int | None = None
    our_currency: str = ""
    fee_minor: int = 0
    occurred_at: str = ""
    detail: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def _store_run(
    provider_name: str,
    lines: Sequence[SettlementLine],
    period: _Period,
    *,
    file_name: str,
    digest: str,
    uploaded_by: User | None,
) -> ReconciliationRun:
    family = provider_family(provider_name)
    items = _compare_lines(lines, family)
    items += _missing_in_file(items, family, period)
    counts = Counter(item.outcome for item in items)
    window_start, window_end = period.window
    run = ReconciliationRun.objects.create(
        code=public_code("REC", 10),
        provider=provider_name,
        file_name=file_name[:255],
        file_sha256=digest,
        period_start=period.start,
        period_end=period.end,
        window_start=window_start,
        window_end=window_end,
        uploaded_by=uploaded_by,
        status=(
            RunStatus.BALANCED if counts[Outcome.MATCHED] == len(items) else RunStatus.DISCREPANCIES
        ),
        line_count=len(lines),
        **{f"{outcome}_count": counts[outcome] for outcome in Outcome.values},
    )
    ReconciliationItem.objects.bulk_create(
        (
            ReconciliationItem(
                run=run,
                position=position,
                outcome=item.outcome,
                kind=item.kind,
                reference=item.reference[:_MAX_TEXT],
                provider_transaction_id=item.provider_transaction_id[:_MAX_TEXT],
                payment=item.payment,
                refund=item.refund,
                file_amount_minor=item.file_amount_minor,
                file_currency=item.file_currency,
                our_amount_minor=item.our_amount_minor,
                our_currency=item.our_currency,
                fee_minor=item.fee_minor,
                occurred_at=item.occurred_at[:64],
                detail=item.detail[:_MAX_DETAIL],
                raw=item.raw,
            )
            for position, item in enumerate(items, start=1)
        ),
        batch_size=_CHUNK,
    )
    return run


def _in_family(provider_name: str, family: str) -> bool:
    return provider_name == family or provider_name.startswith(f"{family}_")


def _family_q(family: str, prefix: str = "") -> Q:
    # startswith escapes "_", which LIKE would otherwise read as "any character".
    return Q(**{f"{prefix}provider": family}) | Q(**{f"{prefix}provider__startswith": f"{family}_"})


def _by_code(queryset: models.QuerySet[M], codes: Iterable[str]) -> dict[str, M]:
    """Our rows whose ``code`` is in ``codes``: one query per :data:`_CHUNK` codes."""
    wanted = sorted(set(codes))
    found: dict[str, M] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in queryset.filter(code__in=wanted[start : start + _CHUNK]):
            found[row.code] = row  # type: ignore[attr-defined]
    return found


def _compare_lines(lines: Sequence[SettlementLine], family: str) -> list[_Item]:
    payments = _by_code(
        Payment.objects.all(), (line.reference for line in lines if line.kind == LineKind.PAYMENT)
    )
    refunds = _by_code(
        Refund.objects.select_related("payment"),
        (line.reference for line in lines if line.kind == LineKind.REFUND),
    )
    first_line: dict[tuple[str, str], SettlementLine] = {}
    items: list[_Item] = []
    for line in lines:
        item = _Item(
            outcome=Outcome.MATCHED,
            kind=line.kind,
            reference=line.reference,
            provider_transaction_id=line.provider_transaction_id,
            file_amount_minor=line.amount_minor,
            file_currency=line.currency,
            fee_minor=line.fee_minor,
            occurred_at=line.occurred_at,
            raw=dict(line.raw),
        )
        items.append(item)
        earlier = first_line.setdefault((line.kind, line.reference), line)
        if earlier is not line:
            item.outcome = Outcome.EXTRA_IN_FILE
            item.detail = (
                f"The file lists this {line.kind} again "
                f"(first as transaction {earlier.provider_transaction_id})"
            )
            continue
        if line.kind == LineKind.PAYMENT:
            _compare_payment(item, payments.get(line.reference), family)
        else:
            _compare_refund(item, refunds.get(line.reference), family)
    return items


def _compare_payment(item: _Item, payment: Payment | None, family: str) -> None:
    if payment is None:
        item.outcome = Outcome.EXTRA_IN_FILE
        item.detail = f"We have no payment {item.reference}"
        return
    if not _in_family(payment.provider, family):
        item.outcome = Outcome.EXTRA_IN_FILE
        item.detail = f"Payment {payment.code} was made through {payment.provider}, not {family}"
        return
    item.payment = payment
    item.our_amount_minor = payment.amount_minor
    item.our_currency = payment.currency
    status_problem = (
        ""
        if payment.status == PaymentStatus.CAPTURED
        else f"the file has it paid; with us it is {payment.status}"
    )
    _judge(item, status_problem)


def _compare_refund(item: _Item, refund: Refund | None, family: str) -> None:
    if refund is None:
        item.outcome = Outcome.EXTRA_IN_FILE
        item.detail = f"We have no refund {item.reference}"
        return
    if not _in_family(refund.payment.provider, family):
        item.outcome = Outcome.EXTRA_IN_FILE
        item.detail = (
            f"Refund {refund.code} is of a payment made through "
            f"{refund.payment.provider}, not {family}"
        )
        return
    item.refund = refund
    item.payment = refund.payment
    item.our_amount_minor = refund.amount_minor
    item.our_currency = refund.currency
    status_problem = (
        ""
        if refund.status == RefundStatus.SUCCEEDED
        else f"the file has it refunded; with us it is {refund.status}"
    )
    _judge(item, status_problem)


def _judge(item: _Item, status_problem: str) -> None:
    """One outcome per line, the gravest first; the detail names every difference."""
    problems: list[tuple[str, str]] = []
    if status_problem:
        problems.append((Outcome.STATUS_MISMATCH, status_problem))
    if item.file_currency != item.our_currency:
        problems.append(
            (
                Outcome.CURRENCY_MISMATCH,
                f"the file has {item.file_currency}, we have {item.our_currency}",
            )
        )
    elif item.file_amount_minor != item.our_amount_minor:
        problems.append(
            (
                Outcome.AMOUNT_MISMATCH,
                f"the file has {_major(item.file_amount_minor, item.file_currency)}, "
                f"we have {_major(item.our_amount_minor, item.our_currency)}",
            )
        )
    if problems:
        item.outcome = problems[0][0]
        detail = "; ".join(text for _, text in problems)
        item.detail = detail[0].upper() + detail[1:]


# --- our rows the file lacks ------------------------------------------------------------


def _missing_in_file(items: Sequence[_Item], family: str, period: _Period) -> list[_Item]:
    window_start, window_end = period.window
    in_file = {(item.kind, item.reference) for item in items}
    payments = [
        payment
        for payment in Payment.objects.filter(
            _family_q(family),
            status=PaymentStatus.CAPTURED,
            captured_at__gte=window_start,
            captured_at__lt=window_end,
        ).order_by("captured_at", "code")
        if (LineKind.PAYMENT, payment.code) not in in_file
    ]
    # A refund to the customer's wallet never goes through the provider.
    refunds = [
        refund
        for refund in Refund.objects.filter(
            _family_q(family, "payment__"),
            status=RefundStatus.SUCCEEDED,
            destination=Refund.Destination.ORIGINAL,
            updated_at__gte=window_start,
            updated_at__lt=window_end,
        )
        .select_related("payment")
        .order_by("updated_at", "code")
        if (LineKind.REFUND, refund.code) not in in_file
    ]
    listed_payments, listed_refunds = _listed_in_other_periods(payments, refunds, family, period)
    missing = [
        _Item(
            outcome=Outcome.MISSING_IN_FILE,
            kind=LineKind.PAYMENT,
            reference=payment.code,
            provider_transaction_id=payment.external_id,
            payment=payment,
            our_amount_minor=payment.amount_minor,
            our_currency=payment.currency,
            detail=f"Captured by us at {_utc(payment.captured_at)}; not in this file",
        )
        for payment in payments
        if payment.pk not in listed_payments
    ]
    missing += [
        _Item(
            outcome=Outcome.MISSING_IN_FILE,
            kind=LineKind.REFUND,
            reference=refund.code,
            provider_transaction_id=refund.external_id,
            payment=refund.payment,
            refund=refund,
            our_amount_minor=refund.amount_minor,
            our_currency=refund.currency,
            detail=f"Refunded by us at {_utc(refund.updated_at)}; not in this file",
        )
        for refund in refunds
        if refund.pk not in listed_refunds
    ]
    return missing


def _listed_in_other_periods(
    payments: Sequence[Payment], refunds: Sequence[Refund], family: str, period: _Period
) -> tuple[set[int], set[int]]:
    """Which of these rows the file of a run of ``family`` for a period that does not
    overlap ``period`` had (whatever that run found about them)."""
    present = ReconciliationItem.objects.filter(
        _family_q(family, "run__"),
        Q(run__period_end__lt=period.start) | Q(run__period_start__gt=period.end),
    ).exclude(outcome=Outcome.MISSING_IN_FILE)
    listed_payments: set[int] = set()
    listed_refunds: set[int] = set()
    payment_ids = [payment.pk for payment in payments]
    refund_ids = [refund.pk for refund in refunds]
    for start in range(0, len(payment_ids), _CHUNK):
        listed_payments.update(
            present.filter(
                kind=LineKind.PAYMENT, payment_id__in=payment_ids[start : start + _CHUNK]
            ).values_list("payment_id", flat=True)
        )
    for start in range(0, len(refund_ids), _CHUNK):
        listed_refunds.update(
            present.filter(refund_id__in=refund_ids[start : start + _CHUNK]).values_list(
                "refund_id", flat=True
            )
        )
    return listed_payments, listed_refunds


def _major(amount_minor: int | None, currency: str) -> str:
    return f"{Money(amount_minor or 0, currency).amount:f} {currency}"


def _utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "?"
