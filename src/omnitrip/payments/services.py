"""Low-level payment writes: attempts, captures, failures, refunds and webhook intake.

These functions know payments and providers, never orders: the order app calls them and
decides what a payment means for its order, under the order's lock. Every status change
goes through :func:`omnitrip.core.states.transition` and writes a :class:`PaymentEvent`
in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from omnitrip.core.errors import DomainError, InvalidInput
from omnitrip.core.ids import public_code
from omnitrip.core.locking import lock_row, set_lock_timeout
from omnitrip.core.states import transition

from .errors import (
    AmountMismatch,
    NotificationIgnored,
    ProviderError,
    ProviderUnavailable,
    RefundTooLarge,
)
from .models import Payment, PaymentEvent, Refund, RejectedCallback, WebhookEvent
from .postings import post_capture, post_refund_paid
from .providers import Notification, RefundResult, get_provider
from .states import PAYMENT_TRANSITIONS, REFUND_TRANSITIONS, PaymentStatus, RefundStatus

# Column widths of the models, checked up front so a bad value is a clear error, not a
# database-specific one (SQLite would silently store it, PostgreSQL would refuse).
_MAX_PAYMENT_KEY = 80
_MAX_REFUND_KEY = 80
_MAX_REASON = 200
_MAX_EVENT_ID = 160
_MAX_PAYMENT_CODE = 20
# How much of a refused callback's body we keep: enough to investigate, bounded so a
# flood of junk cannot fill the database.
_MAX_REJECTED_BODY = 10_000
_OUTCOMES = (PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.CANCELLED)


class PayableOrder(Protocol):
    """What a payment needs from an order (payments do not import the order app)."""

    @property
    def pk(self) -> Any: ...

    @property
    def total_minor(self) -> int: ...

    @property
    def currency(self) -> str: ...


# --- helpers --------------------------------------------------------------------------


def _record(
    payment: Payment,
    kind: str,
    *,
    from_status: str = "",
    to_status: str = "",
    amount_minor: int = 0,
    **data: Any,
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        amount_minor=amount_minor,
        data=data,
    )


def _copy_row(target: Payment | Refund, source: Payment | Refund) -> None:
    """Refresh the caller's instance from the row we locked and changed."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _check_key(key: str, width: int) -> None:
    if not key or len(key) > width:
        raise InvalidInput(f"An idempotency key of 1 to {width} characters is required")


# --- payment attempts -----------------------------------------------------------------


def create_payment(
    order: PayableOrder | None,
    provider_name: str,
    *,
    idempotency_key: str,
    amount_minor: int | None = None,
    currency: str | None = None,
    wallet_owner: Any = None,
) -> Payment:
    """Start a payment attempt for ``order`` through ``provider_name``.

    The amount and currency are copied from the order: nothing a client or a callback says
    changes what we expect to be paid. Idempotent on ``(provider, idempotency_key)``: a
    repeated call returns the existing attempt (the key must not be reused for another
    order). Whether the order may be paid at all is the order app's decision; call this
    while holding the order's lock if that decision must not race. Writes
    ``PaymentEvent(kind="created")`` in the same transaction; schedules nothing.
    """
    provider = get_provider(provider_name)
    _check_key(idempotency_key, _MAX_PAYMENT_KEY)
    currency = order.currency if order is not None else (currency or "")
    amount = amount_minor if amount_minor is not None else (order.total_minor if order else 0)
    if not provider.supports_currency(currency):
        raise ProviderUnavailable(f"{provider_name} cannot collect {currency}")
    existing = _existing_payment(provider_name, idempotency_key, order)
    if existing is not None:
        return existing
    if amount <= 0:
        raise InvalidInput("Nothing to pay: the amount is zero")
    try:
        # A savepoint when the caller has a transaction open, so a lost race leaves the
        # caller's transaction usable for the re-read below.
        with transaction.atomic():
            payment = Payment.objects.create(
                code=public_code("PAY", 12),
                purpose=Payment.Purpose.ORDER
                if order is not None
                else Payment.Purpose.WALLET_TOP_UP,
                order_id=order.pk if order is not None else None,
                wallet_owner=wallet_owner,
                provider=provider_name,
                amount_minor=amount,
                currency=currency,
                idempotency_key=idempotency_key,
            )
            _record(
                payment,
                "created",
                to_status=PaymentStatus.CREATED,
                amount_minor=payment.amount_minor,
            )
    except IntegrityError:
        # Another request with the same key committed between our read and our insert.
        existing = _existing_payment(provider_name, idempotency_key, order)
        if existing is None:
            raise
        return existing
    return payment


def _existing_payment(provider_name: str, key: str, order: PayableOrder | None) -> Payment | None:
    payment = Payment.objects.filter(provider=provider_name, idempotency_key=key).first()
    if payment is not None and payment.order_id != (order.pk if order is not None else None):
        raise InvalidInput("This idempotency key was already used for another order")
    return payment


def mark_pending(payment: Payment, external_id: str) -> Payment:
    """Record that the payer was sent to the provider, under the provider's ``external_id``.

    ``created`` moves to ``pending``. A payment a fast callback has already settled keeps
    its status (only a missing external id is filled in), so the order of "start returned"
    and "callback arrived" does not matter. Idempotent. Returns the fresh row and updates
    ``payment`` in place.
    """
    with transaction.atomic():
        fresh = lock_row(Payment, payment.pk)
        if fresh.status == PaymentStatus.CREATED:
            fresh, _ = transition(
                fresh,
                PaymentStatus.PENDING,
                table=PAYMENT_TRANSITIONS,
                record=lambda row, old, new: _record(
                    row, "pending", from_status=old, to_status=new, external_id=external_id
                ),
            )
        # While the payer is still on the way the newest vendor id wins (a retried start
        # may get a new one); once settled, only a missing id is filled in.
        if (
            external_id
            and fresh.external_id != external_id
            and (fresh.status == PaymentStatus.PENDING or not fresh.external_id)
        ):
            fresh.external_id = external_id
            fresh.save(update_fields=["external_id", "updated_at"])
    _copy_row(payment, fresh)
    return fresh


def record_capture(
    payment: Payment,
    *,
    amount_minor: int,
    currency: str,
    external_id: str,
    event_id: str,
) -> bool:
    """Record that the provider collected the payment; True if the status changed.

    Refuses with :class:`AmountMismatch`, changing nothing, when the provider's amount or
    currency differ from the payment row: we only ever accept our own amount. "Already
    captured" is success and returns False (retries, duplicate callbacks). A capture after
    ``failed`` or ``cancelled`` is recorded: money taken must be known so it can be
    refunded. Takes the payment's row lock; writes ``PaymentEvent(kind="captured")``.
    """
    with transaction.atomic():
        fresh = lock_row(Payment, payment.pk)
        if amount_minor != fresh.amount_minor or currency != fresh.currency:
            raise AmountMismatch(
                f"Expected {fresh.amount_minor} {fresh.currency}, "
                f"the provider reported {amount_minor} {currency}",
                expected_minor=fresh.amount_minor,
                expected_currency=fresh.currency,
                reported_minor=amount_minor,
                reported_currency=currency,
            )
        fresh, changed = transition(
            fresh,
            PaymentStatus.CAPTURED,
            table=PAYMENT_TRANSITIONS,
            record=lambda row, old, new: _record(
                row,
                "captured",
                from_status=old,
                to_status=new,
                amount_minor=amount_minor,
                event_id=event_id,
                external_id=external_id,
            ),
        )
        if changed:
            fresh.captured_at = timezone.now()
            fresh.external_id = external_id or fresh.external_id
            fresh.save(update_fields=["captured_at", "external_id", "updated_at"])
            post_capture(fresh)  # the money is ours to account for from here
    _copy_row(payment, fresh)
    return changed


def record_failure(payment: Payment, outcome: str, detail: str) -> bool:
    """Record that the attempt ``failed`` or was ``cancelled``; True if the status changed.

    Only ``created`` and ``pending`` payments move. A failure reported after a capture, or
    after the attempt already ended, changes nothing and returns False: callbacks can
    arrive out of order, and a late "failed" must never undo money taken. Takes the
    payment's row lock; writes ``PaymentEvent(kind=outcome)``.
    """
    if outcome not in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        raise InvalidInput(f"A payment failure is 'failed' or 'cancelled', not {outcome!r}")
    with transaction.atomic():
        fresh = lock_row(Payment, payment.pk)
        changed = False
        if fresh.status in (PaymentStatus.CREATED, PaymentStatus.PENDING):
            fresh, changed = transition(
                fresh,
                outcome,
                table=PAYMENT_TRANSITIONS,
                record=lambda row, old, new: _record(
                    row, outcome, from_status=old, to_status=new, detail=detail[:300]
                ),
            )
    _copy_row(payment, fresh)
    return changed


# --- webhook intake -------------------------------------------------------------------


def _body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def _reject(provider_name: str, error: DomainError, body: bytes, remote_addr: str) -> None:
    # Durable: this row must survive the failing request, so it may not join (and be
    # rolled back with) a transaction of the caller.
    with transaction.atomic(durable=True):
        RejectedCallback.objects.create(
            provider=provider_name,
            code=error.code[:40],
            detail=error.detail[:300],
            body=_body_text(body)[:_MAX_REJECTED_BODY],
            remote_addr=remote_addr[:64],
        )


def store_notification(
    provider_name: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    remote_addr: str = "",
) -> tuple[WebhookEvent, Notification, bool]:
    """Verify and store an inbound callback before anything acts on it.

    The event keeps what the verified notification said (outcome, amount, currency, the
    vendor's payment id), so processing never re-parses the vendor's body.
    Returns ``(event, notification, created)``; ``created`` is False for a replay of an
    event already stored, which the caller must not act on again unless it is still
    ``received``. A callback the provider refuses (bad, stale or missing signature, or a
    malformed body) is kept as a :class:`RejectedCallback` and the error re-raised.

    Must be called outside any transaction (it commits its own, durable ones), so the
    stored event survives whatever the processing does next. Processing belongs to the
    caller, under the order's lock, followed by :func:`mark_webhook_processed` or
    :func:`mark_webhook_failed`.
    """
    provider = get_provider(provider_name)
    try:
        notification = provider.verify_notification(body, headers)
        if not notification.event_id or len(notification.event_id) > _MAX_EVENT_ID:
            raise InvalidInput("The notification's event id is missing or too long")
        if len(notification.payment_code) > _MAX_PAYMENT_CODE:
            raise InvalidInput("The notification's payment code is too long")
        if notification.outcome not in _OUTCOMES:
            raise InvalidInput(f"Unknown notification outcome {notification.outcome!r}")
    except NotificationIgnored:
        raise  # genuine, just not for us: no rejection to record
    except DomainError as error:
        _reject(provider_name, error, body, remote_addr)
        raise
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    provider=provider_name,
                    external_id=notification.event_id,
                    payment_code=notification.payment_code,
                    outcome=notification.outcome,
                    amount_minor=notification.amount_minor,
                    currency=notification.currency,
                    external_payment_id=notification.external_payment_id[:120],
                    body=_body_text(body),
                )
        except IntegrityError:
            # The unique (provider, external_id) says we have seen this one: a replay, or a
            # concurrent duplicate delivery that committed first.
            event = WebhookEvent.objects.get(
                provider=provider_name, external_id=notification.event_id
            )
            return event, notification, False
    return event, notification, True


def mark_webhook_processed(event: WebhookEvent) -> None:
    """Note that ``event`` was acted on. Idempotent; join the processing transaction."""
    now = timezone.now()
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=WebhookEvent.Status.PROCESSED, error="", processed_at=now
    )
    event.status, event.error, event.processed_at = WebhookEvent.Status.PROCESSED, "", now


def mark_webhook_failed(event: WebhookEvent, error: str) -> None:
    """Note that acting on ``event`` failed, with a short reason, so it can be retried.

    Joins the caller's transaction: if that transaction is going to roll back, call this
    after it has, or the mark is rolled back too.
    """
    now = timezone.now()
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=WebhookEvent.Status.FAILED, error=error[:300], processed_at=now
    )
    event.status, event.error, event.processed_at = WebhookEvent.Status.FAILED, error[:300], now


# --- refunds --------------------------------------------------------------------------


def _existing_refund(key: str, payment: Payment, amount_minor: int) -> Refund | None:
    refund = Refund.objects.filter(idempotency_key=key).first()
    if refund is not None and (
        refund.payment_id != payment.pk or refund.amount_minor != amount_minor
    ):
        raise InvalidInput("This idempotency key was already used for a different refund")
    return refund


def request_refund(
    payment: Payment,
    amount_minor: int,
    *,
    reason: str,
    idempotency_key: str,
    destination: str = Refund.Destination.ORIGINAL,
) -> Refund:
    """Reserve ``amount_minor`` of a captured payment for a refund and ask the provider.

    Locks the payment row, checks ``0 < amount <= refundable`` and raises
    :class:`RefundTooLarge` otherwise, creates a ``pending`` :class:`Refund` and adds the
    amount to ``payment.refunded_minor`` in the same transaction: two concurrent refunds
    can never promise more than was captured (the database's CheckConstraint is the
    backstop). Writes ``PaymentEvent(kind="refund_requested")``. On commit, queues
    :func:`execute_refund`. Idempotent on ``idempotency_key``: a repeat returns the first
    refund even when nothing is left to refund. Updates ``payment`` in place.
    """
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise InvalidInput("A refund amount must be a positive number of minor units")
    _check_key(idempotency_key, _MAX_REFUND_KEY)
    if len(reason) > _MAX_REASON:
        raise InvalidInput(f"The refund reason is longer than {_MAX_REASON} characters")
    existing = _existing_refund(idempotency_key, payment, amount_minor)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            set_lock_timeout()
            fresh = lock_row(Payment, payment.pk)
            refundable = fresh.refundable.amount_minor
            if amount_minor > refundable:
                raise RefundTooLarge(
                    f"Only {refundable} {fresh.currency} can still be refunded",
                    refundable_minor=refundable,
                    requested_minor=amount_minor,
                )
            refund = Refund.objects.create(
                code=public_code("RF", 12),
                payment=fresh,
                amount_minor=amount_minor,
                currency=fresh.currency,
                reason=reason,
                idempotency_key=idempotency_key,
                destination=destination,
            )
            # An increment in SQL, not a save of a value computed in Python, so that even a
            # path that skipped the lock would hit the CheckConstraint instead of losing an
            # update.
            Payment.objects.filter(pk=fresh.pk).update(
                refunded_minor=F("refunded_minor") + amount_minor, updated_at=timezone.now()
            )
            fresh.refresh_from_db()
            _record(
                fresh,
                "refund_requested",
                amount_minor=amount_minor,
                refund=refund.code,
                reason=reason,
            )
            refund_id = refund.pk
            transaction.on_commit(lambda: _queue_refund(refund_id))
    except IntegrityError:
        # The same key committed by a concurrent request (for this or another payment).
        existing = _existing_refund(idempotency_key, payment, amount_minor)
        if existing is None:
            raise
        return existing
    _copy_row(payment, fresh)
    return refund


def _queue_refund(refund_id: int) -> None:
    from . import tasks  # tasks imports this module

    tasks.execute_refund_task.delay(refund_id)


def execute_refund(refund_id: int) -> Refund:
    """Send a pending (or previously failed) refund to its provider and record the answer.

    Call it outside any transaction: the provider is called with no lock or transaction
    held, then the outcome is written in a short one. A ``succeeded`` refund is never sent
    again. A ``failed`` refund is moved back to ``pending`` and sent again, so an operator
    or a task retries by calling this once more. On failure the amount stays reserved in
    ``payment.refunded_minor``: the money is owed to the customer, and keeping it reserved
    stops the same balance being promised twice while someone decides what to do.
    Providers must treat ``refund.code`` as their idempotency key, so two racing calls do
    not pay out twice. A :class:`ProviderError` (vendor unreachable) leaves the refund
    ``pending``, counts the attempt and is re-raised for the task to retry.
    """
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    if refund.status == RefundStatus.FAILED:
        with transaction.atomic():
            refund, _ = transition(
                refund,
                RefundStatus.PENDING,
                table=REFUND_TRANSITIONS,
                record=lambda row, old, new: _record(
                    payment, "refund_retried", amount_minor=row.amount_minor, refund=row.code
                ),
            )
    if refund.destination == Refund.Destination.WALLET:
        # Back to the customer's wallet: no vendor involved, paid at once.
        return _record_refund_result(refund, payment, RefundResult(status="succeeded"))
    provider = get_provider(payment.provider)
    try:
        result = provider.refund(payment, refund)
    except ProviderError as error:
        with transaction.atomic():
            fresh = lock_row(Refund, refund.pk)
            fresh.attempts += 1
            fresh.save(update_fields=["attempts", "updated_at"])
            _record(payment, "refund_error", refund=fresh.code, detail=error.detail[:300])
        raise
    return _record_refund_result(refund, payment, result)


def _record_refund_result(refund: Refund, payment: Payment, result: RefundResult) -> Refund:
    with transaction.atomic():
        fresh = lock_row(Refund, refund.pk)
        if fresh.status == RefundStatus.SUCCEEDED:
            return fresh  # a racing executor already recorded the success
        fresh.attempts += 1
        fresh.external_id = result.external_id or fresh.external_id
        fresh.save(update_fields=["attempts", "external_id", "updated_at"])
        if result.status == "succeeded":
            kind, target = "refund_succeeded", RefundStatus.SUCCEEDED
        elif result.status == "failed":
            kind, target = "refund_failed", RefundStatus.FAILED
        else:
            # Accepted by the vendor, decided later: stays pending until it tells us.
            _record(payment, "refund_submitted", amount_minor=fresh.amount_minor, refund=fresh.code)
            return fresh
        fresh, changed = transition(
            fresh,
            target,
            table=REFUND_TRANSITIONS,
            # The refund's own statuses go in ``data``: from_status/to_status on a payment
            # event always mean the payment's status.
            record=lambda row, old, new: _record(
                payment,
                kind,
                amount_minor=row.amount_minor,
                refund=row.code,
                refund_from=old,
                refund_to=new,
                detail=result.detail[:300],
            ),
        )
        if changed and target == RefundStatus.SUCCEEDED:
            post_refund_paid(fresh)
    return fresh


def retry_unfinished_refunds(*, older_than_minutes: int = 10, limit: int = 200) -> int:
    """Re-send refunds that are pending or failed and untouched for a while (idempotent:
    providers key refunds by our refund code, so nothing is paid out twice)."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    due = list(
        Refund.objects.filter(
            status__in=[RefundStatus.PENDING, RefundStatus.FAILED], updated_at__lte=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for refund_id in due:
        try:
            execute_refund(refund_id)
            sent += 1
        except ProviderError:
            continue  # still unreachable; the next run tries again
    return sent
