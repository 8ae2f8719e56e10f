"""Cancellation penalties, computed from the policy copied onto the item at booking.

"Days before" counts calendar days in the product's time zone between the day of
cancellation and the service date, so a traveller in another zone gets the deadline the
hotel's own calendar gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from .models import OrderItem


@dataclass(frozen=True)
class ItemRefund:
    item: OrderItem
    penalty_percent: Decimal
    penalty_minor: int
    refund_minor: int
    days_before: int | None


def days_before_service(item: OrderItem, now: dt.datetime) -> int | None:
    if item.start_date is None:  # open-dated: counted from the end of validity
        if item.valid_until is None:
            return None
        service_date = item.valid_until
    else:
        service_date = item.start_date
    local_today = now.astimezone(ZoneInfo(item.timezone)).date()
    return (service_date - local_today).days


def penalty_percent(policy: dict, days_before: int | None) -> Decimal:
    if not policy or policy.get("kind") == "non_refundable":
        return Decimal(100)
    if days_before is None or days_before < 0:
        return Decimal(100)  # the service has started: nothing is refundable
    steps = sorted(policy.get("rules") or [], key=lambda r: -int(r["days_before"]))
    for step in steps:
        if days_before >= int(step["days_before"]):
            return Decimal(str(step["penalty_percent"]))
    return Decimal(100)


def item_refund(item: OrderItem, now: dt.datetime) -> ItemRefund:
    days = days_before_service(item, now)
    percent = penalty_percent(item.cancellation_policy, days)
    penalty = int(
        (Decimal(item.total_minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    penalty = min(max(penalty, 0), item.total_minor)
    return ItemRefund(item, percent, penalty, item.total_minor - penalty, days)


def free_cancellation_until(item: OrderItem) -> dt.datetime | None:
    """The last moment (aware, in the product's zone) a cancellation costs nothing."""
    policy = item.cancellation_policy
    if not policy or policy.get("kind") == "non_refundable" or item.start_date is None:
        return None
    free_steps = [
        int(r["days_before"])
        for r in policy.get("rules") or []
        if Decimal(str(r["penalty_percent"])) == 0
    ]
    if not free_steps:
        return None
    last_free_day = item.start_date - dt.timedelta(days=min(free_steps))
    return dt.datetime.combine(last_free_day, dt.time(23, 59, 59), tzinfo=ZoneInfo(item.timezone))
