"""Reads of orders shared by the traveller's surfaces (the storefront's My trips)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from omnitrip.accounts.models import User

from .models import Order, OrderItem
from .states import OrderStatus

#: Orders still to be travelled on, when their last service day has not passed.
_LIVE_STATUSES = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED})


@dataclass(frozen=True)
class Trips:
    upcoming: list[Order]
    past: list[Order]


def last_service_day(item: OrderItem) -> dt.date | None:
    """The item's last local day of service: check-out, the visit or departure date, or the
    last day an open-dated ticket is valid (None when it has no date at all)."""
    if item.end_date is not None:
        return item.end_date
    if item.service_ends_at is not None:
        return item.service_ends_at.astimezone(ZoneInfo(item.timezone)).date()
    return item.start_date or item.valid_until


def is_upcoming(order: Order, *, now: dt.datetime) -> bool:
    """Still ahead: pending or confirmed, and some item's last service day is today or later
    in that item's own time zone (a hotel in Shanghai counts Shanghai's calendar)."""
    if order.status not in _LIVE_STATUSES:
        return False
    for item in order.items.all():
        last = last_service_day(item)
        if last is None or last >= now.astimezone(ZoneInfo(item.timezone)).date():
            return True
    return False


def trips_of_customer(user: User, *, now: dt.datetime | None = None, limit: int = 200) -> Trips:
    """A signed-in customer's orders: upcoming (soonest first) and past or cancelled
    (newest first). Expired reservations that were never paid are left out."""
    now = now or timezone.now()
    orders = list(
        Order.objects.filter(customer=user)
        .exclude(status=OrderStatus.EXPIRED)
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.select_related("product", "offer"))
        )
        .order_by("-created_at")[:limit]
    )
    upcoming = [o for o in orders if is_upcoming(o, now=now)]
    past = [o for o in orders if not is_upcoming(o, now=now)]

    def first_day(order: Order) -> dt.date:
        days = [d for d in (i.start_date or i.valid_until for i in order.items.all()) if d]
        return min(days) if days else dt.date.max

    upcoming.sort(key=first_day)
    return Trips(upcoming=upcoming, past=past)
