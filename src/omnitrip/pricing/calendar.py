"""Availability and price calendars: a month of an offer's days, each priced or marked.

Read without locks, like search: what a calendar shows may be a moment old; what is
booked is decided inside the checkout transaction. One query reads the slots of a date
range for any number of offers (a derived rate plan reads its pool offer's slots and
prices them with :func:`pricing.quotes.derived_price`).

The price of a day is the unit price before taxes: per room per night at the plan's base
occupancy for hotels, per adult for tours and transport, per ticket for attractions.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from omnitrip.catalog.models import Offer
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot

from .quotes import derived_price
from .requests import BOOKING_HORIZON_DAYS, local_today

AVAILABLE, SOLD_OUT, CLOSED, NOT_ON_SALE, PAST = (
    "available",
    "sold_out",
    "closed",
    "not_on_sale",
    "past",
)

SlotsByOffer = dict[int, dict[dt.date, InventorySlot]]


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    status: str  # AVAILABLE, SOLD_OUT, CLOSED, NOT_ON_SALE or PAST
    price: Money | None = None  # unit price before taxes; None unless on sale
    remaining: int = 0
    closed_to_arrival: bool = False
    min_stay: int = 1

    @property
    def is_available(self) -> bool:
        return self.status == AVAILABLE


@dataclass
class MonthCalendar:
    offer: Offer
    month: dt.date  # the first day of the month
    weeks: list[list[CalendarDay | None]] = field(default_factory=list)  # Monday first
    previous_month: dt.date | None = None  # None: before this month nothing can be booked
    next_month: dt.date | None = None  # None: past the booking horizon

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week if day is not None]


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def parse_month(value: str | None) -> dt.date | None:
    """``"2026-11"`` → 2026-11-01; None when missing or malformed."""
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return None


def slots_for(offers: Iterable[Offer], *ranges: tuple[dt.date, dt.date]) -> SlotsByOffer:
    """Dated slots of the offers' inventory in the (first, last) date ranges: one query.

    Keyed by inventory offer id (a derived offer's pool), then by date.
    """
    inventory_ids = {offer.inventory_offer_id for offer in offers if not offer.is_open_dated}
    found: SlotsByOffer = {offer_id: {} for offer_id in inventory_ids}
    if not inventory_ids or not ranges:
        return found
    dates = Q()
    for first, last in ranges:
        dates |= Q(date__gte=first, date__lte=last)
    for slot in InventorySlot.objects.filter(dates, offer_id__in=inventory_ids):
        assert slot.date is not None  # filtered on a date range
        found[slot.offer_id][slot.date] = slot
    return found


def unit_price(offer: Offer, slot: InventorySlot) -> int:
    """The day's price of one unit before taxes (a derived plan's own price)."""
    price = slot.price_minor
    plan = offer.rate_plan
    if plan is not None and plan.parent_id:
        price = derived_price(plan, price)
    return price


def day_of(
    offer: Offer,
    date: dt.date,
    slots: dict[dt.date, InventorySlot],
    *,
    today: dt.date,
    units: int = 1,
) -> CalendarDay:
    """What one date of an offer looks like to a traveller wanting ``units`` units."""
    if date < today or (date - today).days > BOOKING_HORIZON_DAYS:
        return CalendarDay(date, PAST)
    slot = slots.get(date)
    if slot is None:
        return CalendarDay(date, NOT_ON_SALE)
    if slot.is_closed:
        return CalendarDay(date, CLOSED)
    price = Money(unit_price(offer, slot), offer.product.currency)
    status = AVAILABLE if slot.remaining >= units else SOLD_OUT
    return CalendarDay(
        date,
        status,
        price,
        max(slot.remaining, 0),
        closed_to_arrival=slot.closed_to_arrival,
        min_stay=slot.min_stay,
    )


def build_month(
    offer: Offer,
    month: dt.date,
    slots: SlotsByOffer,
    *,
    units: int = 1,
    now: dt.datetime | None = None,
) -> MonthCalendar:
    """The month grid of an offer from slots already read by :func:`slots_for`."""
    month = month_start(month)
    today = local_today(offer.product.timezone, now)
    mine = slots.get(offer.inventory_offer_id, {})
    weeks: list[list[CalendarDay | None]] = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                day_of(offer, date, mine, today=today, units=units)
                if date.month == month.month
                else None
                for date in week
            ]
        )
    previous = add_months(month, -1)
    following = add_months(month, 1)
    horizon = today + dt.timedelta(days=BOOKING_HORIZON_DAYS)
    return MonthCalendar(
        offer,
        month,
        weeks,
        previous_month=previous if month_end(previous) >= today else None,
        next_month=following if following <= horizon else None,
    )


def month_calendars(
    offers: Sequence[Offer],
    month: dt.date,
    *,
    units: int = 1,
    now: dt.datetime | None = None,
) -> dict[int, MonthCalendar]:
    """One month for each dated offer (keyed by offer pk), from a single slot query."""
    dated = [offer for offer in offers if not offer.is_open_dated]
    month = month_start(month)
    slots = slots_for(dated, (month, month_end(month)))
    return {offer.pk: build_month(offer, month, slots, units=units, now=now) for offer in dated}


def month_calendar(
    offer: Offer, month: dt.date, *, units: int = 1, now: dt.datetime | None = None
) -> MonthCalendar:
    """One offer's month: one query."""
    return month_calendars([offer], month, units=units, now=now)[offer.pk]


__all__ = [
    "AVAILABLE",
    "CLOSED",
    "NOT_ON_SALE",
    "PAST",
    "SOLD_OUT",
    "CalendarDay",
    "MonthCalendar",
    "add_months",
    "build_month",
    "day_of",
    "month_calendar",
    "month_calendars",
    "parse_month",
    "slots_for",
    "unit_price",
]
