"""Whole-database invariants of inventory, orders, payments and money.

Read-only queries, set-based (no per-row Python loops over large tables), so they run on a
production-sized database. Each check returns human-readable problems; none means healthy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from omnitrip.fulfilment.models import Voucher
from omnitrip.inventory.models import Hold, HoldStatus, InventorySlot
from omnitrip.ledger.models import JournalLine
from omnitrip.ledger.queries import check_ledger
from omnitrip.ledger.subjects import Subject
from omnitrip.payments.models import Payment
from omnitrip.payments.states import PaymentStatus

from .models import Order, OrderItem
from .states import OrderStatus

LIMIT = 50


def _sum_of_holds(status: str) -> Coalesce:
    per_slot = (
        Hold.objects.filter(slot=OuterRef("pk"), status=status)
        .values("slot")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(per_slot), 0)


def inventory_problems() -> list[str]:
    problems = [
        f"slot {s.pk} (offer {s.offer_id}, {s.date or 'open'}): held {s.held} + sold {s.sold} > capacity {s.capacity}"
        for s in InventorySlot.objects.filter(capacity__lt=F("held") + F("sold"))[:LIMIT]
    ]
    slots = InventorySlot.objects.annotate(
        live=_sum_of_holds(HoldStatus.ACTIVE), converted=_sum_of_holds(HoldStatus.CONVERTED)
    )
    problems += [
        f"slot {s.pk}: held {s.held} but live holds add up to {s.live}"
        for s in slots.exclude(held=F("live"))[:LIMIT]
    ]
    problems += [
        f"slot {s.pk}: sold {s.sold} but sold holds add up to {s.converted}"
        for s in slots.exclude(sold=F("converted"))[:LIMIT]
    ]
    return problems


def order_problems() -> list[str]:
    delivered = [OrderStatus.CONFIRMED, OrderStatus.COMPLETED]
    problems = []
    unpaid = (
        Order.objects.filter(status__in=delivered)
        .annotate(
            paid=Coalesce(
                Sum("payments__amount_minor", filter=Q(payments__status=PaymentStatus.CAPTURED)), 0
            )
        )
        .filter(paid__lt=F("total_minor"))
    )
    problems += [
        f"order {o.code} is {o.status} but only {o.paid} of {o.total_minor} was captured"
        for o in unpaid[:LIMIT]
    ]
    without_vouchers = (
        OrderItem.objects.filter(order__status__in=delivered)
        .annotate(n=Count("vouchers"))
        .filter(n=0)
        .values_list("order__code", "position")
    )
    problems += [
        f"order {code} item {pos} is confirmed without a voucher"
        for code, pos in without_vouchers[:LIMIT]
    ]
    live_vouchers = Voucher.objects.filter(status="issued").exclude(
        order_item__order__status__in=delivered
    )
    problems += [
        f"voucher of order {code} is still valid although the order is {status}"
        for code, status in live_vouchers.values_list(
            "order_item__order__code", "order_item__order__status"
        )[:LIMIT]
    ]
    # Money taken must belong to a delivered order or be on its way back.
    # An order never confirmed must give back all it took; one cancelled after
    # confirmation keeps its policy penalty in the split, which the ledger checks account for.
    kept = (
        Payment.objects.filter(status=PaymentStatus.CAPTURED, purpose=Payment.Purpose.ORDER)
        .exclude(order__status__in=delivered)
        .filter(order__confirmed_at__isnull=True, refunded_minor__lt=F("amount_minor"))
    )
    problems += [
        f"payment {code} captured {amount} for order {order} ({status}) and was not refunded"
        for code, amount, order, status in kept.values_list(
            "code", "amount_minor", "order__code", "order__status"
        )[:LIMIT]
    ]
    still_taking = Hold.objects.filter(status__in=[HoldStatus.ACTIVE, HoldStatus.CONVERTED])
    held_sold = (
        OrderItem.objects.filter(
            order__status__in=[OrderStatus.CANCELLED, OrderStatus.EXPIRED],
            hold_reference__in=still_taking.values("reference"),
        )
        .values_list("order__code", flat=True)
        .distinct()
    )
    problems += [
        f"order {code} is over but still holds or has sold units" for code in held_sold[:LIMIT]
    ]
    return problems


def ledger_problems() -> list[str]:
    problems = check_ledger().problems
    # Money in advances is held per order: no order may have taken out more than it put in
    # (that would be another customer's money paying for it).
    overdrawn = (
        JournalLine.objects.filter(
            account__subject=Subject.CUSTOMER_ADVANCES, entry__order__isnull=False
        )
        .values("entry__order__code", "currency")
        .annotate(total=Sum("amount_minor"))
        .filter(total__gt=0)
    )
    problems += [
        f"order {row['entry__order__code']} took {row['total']} {row['currency']} more out of advances than it paid in"
        for row in overdrawn[:LIMIT]
    ]
    return problems


CHECKS: dict[str, Callable[[], list[str]]] = {
    "inventory": inventory_problems,
    "orders": order_problems,
    "ledger": ledger_problems,
}


def check_all() -> dict[str, list[str]]:
    return {name: check() for name, check in CHECKS.items()}
