"""Paying for orders: start a payment, act on provider notifications, refund orders.

The payment app stores and verifies; this module decides what a payment means for the
order, always under the order's lock (order first, then payment: one lock order).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from omnitrip.core.locking import lock_row, set_lock_timeout
from omnitrip.payments import services as payments
from omnitrip.payments.errors import AmountMismatch, ProviderUnavailable
from omnitrip.payments.models import Payment, WebhookEvent
from omnitrip.payments.providers import get_provider
from omnitrip.payments.providers.base import StartResult
from omnitrip.payments.states import PaymentStatus

from .. import events, notifications
from ..errors import OrderExpired, OrderNotPayable
from ..locks import order_for_update
from ..models import Order
from ..states import OrderStatus
from .lifecycle import confirm_paid_order, expire_if_due, expire_now

log = logging.getLogger("omnitrip.orders")


def start_payment(
    order: Order,
    provider_name: str,
    *,
    idempotency_key: str,
    return_url: str,
    actor: str,
    client_ip: str = "",
) -> tuple[Payment, StartResult]:
    """Open a payment for the order's full amount with a provider; idempotent per key.

    The amount and currency always come from the order. Refuses orders that are not
    waiting for payment or whose hold has expired.
    """
    provider = get_provider(provider_name)
    order = expire_if_due(order)
    if order.status == OrderStatus.EXPIRED:
        raise OrderExpired("The reservation has expired; please book again")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(f"This order is {order.status}")
    if not provider.supports_currency(order.currency):
        raise ProviderUnavailable(f"{provider_name} cannot collect {order.currency}")
    with transaction.atomic():
        payment = payments.create_payment(order, provider_name, idempotency_key=idempotency_key)
    if payment.status not in (PaymentStatus.CREATED, PaymentStatus.PENDING):
        raise OrderNotPayable(f"This payment is already {payment.status}")
    result = provider.start(
        payment, return_url=return_url, client_ip=client_ip
    )  # vendor I/O outside transactions
    with transaction.atomic():
        payments.mark_pending(payment, result.external_id)
        events.record(
            order, "payment_started", actor=actor, payment=payment.code, provider=provider_name
        )
    payment.refresh_from_db()
    return payment, result


def receive_payment_notification(
    provider_name: str, body: bytes, headers: Mapping[str, str], remote_addr: str = ""
) -> WebhookEvent:
    """Webhook entry: verify and store first, then process (in a task when a broker runs).

    A replay of a stored notification is acknowledged and changes nothing.
    Raises InvalidSignature for forged or stale notifications (recorded by the payment app).
    """
    from ..tasks import process_payment_event

    event, _notification, created = payments.store_notification(
        provider_name, body, headers, remote_addr=remote_addr
    )
    # A replay of an event whose processing never finished (a worker died) runs it again;
    # processing is idempotent, so a replay of a processed event is simply acknowledged.
    if created or event.status == WebhookEvent.Status.RECEIVED:
        process_payment_event.delay(event.pk)
    return event


def process_payment_event(event_id: int, *, now: dt.datetime | None = None) -> str:
    """Apply one stored notification to its payment and order. Idempotent per event."""
    now = now or timezone.now()
    event = WebhookEvent.objects.get(pk=event_id)
    if event.status == WebhookEvent.Status.PROCESSED:
        return "already processed"
    payment = Payment.objects.filter(code=event.payment_code, provider=event.provider).first()
    if payment is None:
        payments.mark_webhook_failed(event, "unknown_payment")
        return "unknown_payment"
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(payment.order_id)
        payment = lock_row(Payment, payment.pk)
        if event.outcome != "captured":
            payments.record_failure(payment, event.outcome, f"provider said {event.outcome}")
            events.record(
                order,
                "payment_failed",
                actor=f"provider:{event.provider}",
                payment=payment.code,
                outcome=event.outcome,
            )
            payments.mark_webhook_processed(event)
            return event.outcome
        try:
            changed = payments.record_capture(
                payment,
                amount_minor=event.amount_minor,
                currency=event.currency,
                external_id=event.external_payment_id,
                event_id=event.external_id,
            )
        except AmountMismatch as exc:
            events.record(
                order,
                "payment_rejected",
                actor=f"provider:{event.provider}",
                payment=payment.code,
                reason=str(exc.detail),
            )
            payments.mark_webhook_failed(event, exc.code)
            return exc.code
        if changed:
            events.record(
                order,
                "payment_captured",
                actor=f"provider:{event.provider}",
                payment=payment.code,
                amount_minor=payment.amount_minor,
            )
            _settle_capture(order, payment, now=now)
        payments.mark_webhook_processed(event)
        return "captured"


def _settle_capture(order: Order, payment: Payment, *, now: dt.datetime) -> None:
    """Money has arrived: confirm the order, or give the money back if we cannot deliver."""
    if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        # Confirm even if the hold ran out, as long as the units can be sold again.
        if confirm_paid_order(order, actor=f"provider:{payment.provider}", now=now):
            return
        if order.status == OrderStatus.PENDING_PAYMENT:
            expire_now(order, actor="system:payment", reason="units gone before payment", now=now)
        reason = "unbookable"
    elif order.status == OrderStatus.CONFIRMED:
        reason = "duplicate payment"
    else:
        reason = f"order {order.status}"
    # Never money taken for nothing: refund this payment in full and tell the customer.
    payments.request_refund(
        payment, payment.amount_minor, reason=reason, idempotency_key=f"auto:{payment.code}"
    )
    events.record(
        order,
        "payment_refunded_automatically",
        actor="system:payment",
        payment=payment.code,
        amount_minor=payment.amount_minor,
        reason=reason,
    )
    notifications.payment_refunded_unbookable(order, payment.amount_minor)


def refund_order(order: Order, amount_minor: int, *, reason: str, actor: str) -> int:
    """Refund ``amount_minor`` of a (locked) order across its captured payments, newest first."""
    remaining = amount_minor
    for payment in order.payments.filter(status=PaymentStatus.CAPTURED).order_by("-pk"):
        if remaining <= 0:
            break
        share = min(remaining, payment.amount_minor - payment.refunded_minor)
        if share <= 0:
            continue
        payments.request_refund(
            payment,
            share,
            reason=reason,
            idempotency_key=f"{reason[:30]}:{order.code}:{payment.code}",
        )
        remaining -= share
    refunded = amount_minor - remaining
    if refunded:
        Order.objects.filter(pk=order.pk).update(refunded_minor=order.refunded_minor + refunded)
        events.record(order, "refund_requested", actor=actor, amount_minor=refunded, reason=reason)
    return refunded
