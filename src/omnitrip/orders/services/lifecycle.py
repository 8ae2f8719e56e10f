"""Order status changes after checkout: confirm, cancel, expire, complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from omnitrip.core.errors import IllegalTransition
from omnitrip.core.locking import set_lock_timeout
from omnitrip.core.states import transition
from omnitrip.inventory import services as inventory
from omnitrip.inventory.locks import slots_for_update
from omnitrip.inventory.models import Hold

from .. import events, notifications
from ..errors import NotCancellable
from ..locks import order_for_update
from ..models import Order
from ..policy import ItemRefund, item_refund
from ..postings import post_split
from ..states import ORDER_TRANSITIONS, OrderStatus


def _move(
    order: Order, to: str, *, actor: str, reason: str = "", **data: Any
) -> tuple[Order, bool]:
    return transition(
        order, to, table=ORDER_TRANSITIONS, record=events.status_recorder(actor, reason, **data)
    )


def references(order: Order) -> list[str]:
    return [item.hold_reference for item in order.items.all()]


def _lock_order_slots(order: Order) -> None:
    """Lock every slot this order ever touched, in pk order (before changing counts)."""
    slot_ids = Hold.objects.filter(reference__in=references(order)).values_list(
        "slot_id", flat=True
    )
    slots_for_update(slot_ids)


def secure_inventory(order: Order, *, now: dt.datetime) -> bool:
    """Make the order's units sold: convert its live holds, or, if they lapsed, sell again.

    Caller holds the order lock. Returns False (nothing changed) when the units are gone.
    """
    refs = references(order)
    _lock_order_slots(order)
    if inventory.convert_holds(refs, now=now):
        return True
    # Some holds lapsed: give back what is still held and sell the original basket again.
    # Before a first confirmation the only hold rows of these items are the ones the
    # order was placed with.
    inventory.release_holds(refs, now=now)
    wanted = [
        inventory.Allocation(h.reference, h.slot_id, h.quantity)
        for h in Hold.objects.filter(reference__in=refs).order_by("pk")
    ]
    return inventory.sell_directly(wanted, now=now)


def confirm_paid_order(order: Order, *, actor: str, now: dt.datetime | None = None) -> bool:
    """Confirm a paid order: sell its units, issue vouchers, tell the customer on commit.

    Caller: inside a transaction holding the order lock (the payment flow). Returns False,
    changing nothing, if the units could not be secured (the caller then refunds).
    Idempotent: an already confirmed order returns True.
    """
    from omnitrip.fulfilment.services import issue_vouchers

    now = now or timezone.now()
    if order.status == OrderStatus.CONFIRMED:
        return True
    if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        return False
    if not secure_inventory(order, now=now):
        return False
    order, _ = _move(order, OrderStatus.CONFIRMED, actor=actor, reason="paid")
    Order.objects.filter(pk=order.pk).update(confirmed_at=now)
    post_split(order, actor=actor)
    issue_vouchers(order)
    return True


@dataclass(frozen=True)
class RefundPreview:
    order: Order
    items: list[ItemRefund]
    refund_minor: int
    penalty_minor: int
    is_cancellable: bool


def preview_cancellation(order: Order, *, now: dt.datetime | None = None) -> RefundPreview:
    """What cancelling now would refund, by the policy copied onto each item at booking."""
    now = now or timezone.now()
    items = list(order.items.all())
    if order.status == OrderStatus.PENDING_PAYMENT:
        return RefundPreview(order, [], 0, 0, True)
    if order.status != OrderStatus.CONFIRMED:
        return RefundPreview(order, [], 0, 0, False)
    refunds = [item_refund(item, now) for item in items]
    refundable = order.total_minor - order.refunded_minor
    refund = min(sum(r.refund_minor for r in refunds), refundable)
    return RefundPreview(order, refunds, refund, sum(r.penalty_minor for r in refunds), True)


def cancel_order(
    order: Order,
    *,
    actor: str,
    reason: str = "",
    now: dt.datetime | None = None,
    refund_destination: str = "original",
) -> RefundPreview:
    """Cancel an order and give its units back; a confirmed order is refunded by its policy.

    Locks the order (NOWAIT: a double submit gets a 409 at once), then its slots. Refunds
    go to the captured payments and are sent to the provider on commit; vouchers are voided.
    Idempotent: cancelling a cancelled order returns its preview and changes nothing.
    """
    from omnitrip.fulfilment.services import void_vouchers

    from .payments import refund_captured, refund_order

    now = now or timezone.now()
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(order.pk, nowait=True)
        if order.status == OrderStatus.CANCELLED:
            return RefundPreview(order, [], 0, 0, False)
        if order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED):
            raise NotCancellable(f"An order that is {order.status} cannot be cancelled")
        preview = preview_cancellation(order, now=now)
        _lock_order_slots(order)
        refs = references(order)
        was_confirmed = order.status == OrderStatus.CONFIRMED
        inventory.release_holds(refs, now=now)
        inventory.return_sold(refs, now=now)
        order, _ = _move(
            order,
            OrderStatus.CANCELLED,
            actor=actor,
            reason=reason,
            refund_minor=preview.refund_minor,
            penalty_minor=preview.penalty_minor,
        )
        Order.objects.filter(pk=order.pk).update(cancelled_at=now)
        if was_confirmed:
            void_vouchers(order, reason=reason or "cancelled")
            if preview.refund_minor:
                refund_order(
                    order,
                    preview.refund_minor,
                    reason="cancellation",
                    actor=actor,
                    destination=refund_destination,
                )
        else:  # part-paid (e.g. from the wallet) and cancelled before the rest came
            refund_captured(order, reason="cancelled before payment completed", actor=actor)
        order.refresh_from_db()
        notifications.order_cancelled(order, preview.refund_minor)
        return RefundPreview(
            order, preview.items, preview.refund_minor, preview.penalty_minor, True
        )


def expire_order(
    order: Order, *, actor: str = "system:expiry", now: dt.datetime | None = None
) -> bool:
    """Expire an unpaid order past its hold and give its units back. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(order.pk)
        if order.status != OrderStatus.PENDING_PAYMENT or order.hold_expires_at > now:
            return False
        expire_now(order, actor=actor, reason="hold expired", now=now)
        return True


def expire_now(order: Order, *, actor: str, reason: str, now: dt.datetime) -> None:
    """Give back a pending order's holds and mark it expired; money already taken for it
    (a wallet part-payment) goes back. Caller holds the order lock."""
    from .payments import refund_captured

    _lock_order_slots(order)
    inventory.release_holds(references(order), now=now)
    _move(order, OrderStatus.EXPIRED, actor=actor, reason=reason)
    refund_captured(order, reason="expired before payment completed", actor=actor)


def expire_if_due(order: Order, *, now: dt.datetime | None = None) -> Order:
    """Lazy expiry when an order is read or acted on after its hold ran out."""
    now = now or timezone.now()
    if order.status == OrderStatus.PENDING_PAYMENT and order.hold_expires_at <= now:
        expire_order(order, now=now)
        order.refresh_from_db()
    return order


def expire_unpaid_orders(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, hold_expires_at__lte=now)[:limit]
    return sum(expire_order(order, now=now) for order in due)


def complete_delivered_orders(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Confirmed orders whose every service has ended become completed."""
    now = now or timezone.now()
    due = (
        Order.objects.filter(status=OrderStatus.CONFIRMED)
        .annotate(last_end=Max("items__service_ends_at"))
        .filter(Q(last_end__lte=now))
        .order_by("pk")[:limit]
    )
    done = 0
    for order in due:
        with transaction.atomic():
            try:
                _, changed = _move(
                    order,
                    OrderStatus.COMPLETED,
                    actor="system:completion",
                    reason="service delivered",
                )
            except IllegalTransition:
                continue  # cancelled meanwhile
            done += changed
    return done
