"""Cancellation deadlines are counted on the product's own calendar, not in UTC.

The policy of every case: free until two days before arrival, then 100 %. Honolulu
(UTC−10) is behind UTC, so late evening there is already the next day in UTC; Kiritimati
(UTC+14) is ahead, so just after midnight there is still the day before in UTC. Neither
zone observes daylight saving time, so the offsets hold all year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.orders.locks import order_for_update
from omnitrip.orders.models import Order
from omnitrip.orders.policy import free_cancellation_until, item_refund
from omnitrip.orders.services import lifecycle
from omnitrip.orders.services.checkout import Contact, place_order
from omnitrip.pricing.requests import ItemRequest

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

UTC = dt.UTC
HONOLULU = ZoneInfo("Pacific/Honolulu")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
ARRIVAL = dt.date.today() + dt.timedelta(days=10)
FREE_UNTIL_TWO_DAYS_BEFORE = [
    {"days_before": 2, "penalty_percent": "0"},
    {"days_before": 0, "penalty_percent": "100"},
]
NIGHT_PRICE = 80000


def confirmed_stay(zone: ZoneInfo) -> Order:
    """A confirmed one-night stay arriving on ARRIVAL at a hotel in ``zone``."""
    offer = cf.hotel_offer(
        start=ARRIVAL,
        days=2,
        price_minor=NIGHT_PRICE,
        cancellation=cf.policy(rules=FREE_UNTIL_TWO_DAYS_BEFORE),
        product_fields={"timezone": zone.key},
    )
    placed = place_order(
        [ItemRequest(offer.code, ARRIVAL, ARRIVAL + dt.timedelta(days=1), 1, 2)],
        Contact("Li Wei", "li.wei@example.com"),
        actor="test",
        now=timezone.now(),
    )
    with transaction.atomic():
        assert lifecycle.confirm_paid_order(order_for_update(placed.order.pk), actor="test")
    return Order.objects.get(pk=placed.order.pk)


def local(zone: ZoneInfo, days_before_arrival: int, hour: int, minute: int) -> dt.datetime:
    date = ARRIVAL - dt.timedelta(days=days_before_arrival)
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=zone)


def test_the_free_deadline_is_the_end_of_the_day_two_days_before_in_honolulu():
    item = confirmed_stay(HONOLULU).items.get()

    deadline = free_cancellation_until(item)

    assert deadline == local(HONOLULU, 2, 23, 59) + dt.timedelta(seconds=59)
    assert deadline.astimezone(UTC) == dt.datetime.combine(
        ARRIVAL - dt.timedelta(days=1), dt.time(9, 59, 59), tzinfo=UTC
    )


def test_half_past_eleven_at_night_in_honolulu_is_still_free_though_utc_is_a_day_later():
    order = confirmed_stay(HONOLULU)
    item = order.items.get()
    now = local(HONOLULU, 2, 23, 30)
    assert now.astimezone(UTC).date() == ARRIVAL - dt.timedelta(days=1)

    refund = item_refund(item, now)
    preview = lifecycle.preview_cancellation(order, now=now)

    assert (refund.days_before, refund.penalty_percent) == (2, Decimal(0))
    assert (refund.penalty_minor, refund.refund_minor) == (0, item.total_minor)
    assert (preview.refund_minor, preview.penalty_minor) == (order.total_minor, 0)
    assert now <= free_cancellation_until(item)


def test_half_past_midnight_in_honolulu_the_day_before_costs_everything():
    order = confirmed_stay(HONOLULU)
    item = order.items.get()
    now = local(HONOLULU, 1, 0, 30)

    refund = item_refund(item, now)
    preview = lifecycle.preview_cancellation(order, now=now)

    assert (refund.days_before, refund.penalty_percent) == (1, Decimal(100))
    assert (refund.penalty_minor, refund.refund_minor) == (item.total_minor, 0)
    assert (preview.refund_minor, preview.penalty_minor) == (0, order.total_minor)
    assert now > free_cancellation_until(item)


def test_the_free_deadline_is_the_end_of_the_day_two_days_before_in_kiritimati():
    item = confirmed_stay(KIRITIMATI).items.get()

    deadline = free_cancellation_until(item)

    assert deadline == local(KIRITIMATI, 2, 23, 59) + dt.timedelta(seconds=59)
    assert deadline.astimezone(UTC) == dt.datetime.combine(
        ARRIVAL - dt.timedelta(days=2), dt.time(9, 59, 59), tzinfo=UTC
    )


def test_half_past_midnight_in_kiritimati_costs_everything_though_utc_is_a_day_earlier():
    order = confirmed_stay(KIRITIMATI)
    item = order.items.get()
    now = local(KIRITIMATI, 1, 0, 30)
    assert now.astimezone(UTC).date() == ARRIVAL - dt.timedelta(days=2)

    refund = item_refund(item, now)
    preview = lifecycle.preview_cancellation(order, now=now)

    assert (refund.days_before, refund.penalty_percent) == (1, Decimal(100))
    assert (refund.penalty_minor, refund.refund_minor) == (item.total_minor, 0)
    assert (preview.refund_minor, preview.penalty_minor) == (0, order.total_minor)
    assert now > free_cancellation_until(item)


def test_half_past_eleven_at_night_in_kiritimati_two_days_before_is_still_free():
    order = confirmed_stay(KIRITIMATI)
    item = order.items.get()
    now = local(KIRITIMATI, 2, 23, 30)

    refund = item_refund(item, now)
    preview = lifecycle.preview_cancellation(order, now=now)

    assert (refund.days_before, refund.penalty_percent) == (2, Decimal(0))
    assert (preview.refund_minor, preview.penalty_minor) == (order.total_minor, 0)
    assert now <= free_cancellation_until(item)


def test_cancelling_at_the_honolulu_evening_refunds_in_full_and_records_it():
    order = confirmed_stay(HONOLULU)
    now = local(HONOLULU, 2, 23, 30)

    result = lifecycle.cancel_order(order, actor="test", now=now)

    assert (result.refund_minor, result.penalty_minor) == (order.total_minor, 0)
    event = order.events.get(kind="status_changed", to_status="cancelled")
    assert (event.data["refund_minor"], event.data["penalty_minor"]) == (order.total_minor, 0)


@pytest.mark.parametrize(
    ("zone", "local_booking_day"),
    [(HONOLULU, -2), (KIRITIMATI, -1)],
    ids=["Honolulu", "Kiritimati"],
)
def test_an_open_dated_tickets_validity_starts_on_the_products_calendar_at_booking(
    zone, local_booking_day
):
    """Booked at 10:30 UTC two days ago: still that day in Honolulu, the next in Kiritimati.

    The last valid day (and so the refund deadline, counted back from it) runs from the
    booking moment ``now`` on the product's calendar.
    """
    offer = cf.open_dated_ticket(validity_days=30, timezone=zone.key)
    today = dt.date.today()
    booked_at = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10, 30), tzinfo=UTC)

    placed = place_order(
        [ItemRequest(offer.code, None, None, 1, 1)],
        Contact("Li Wei", "li.wei@example.com"),
        actor="test",
        now=booked_at,
    )

    item = placed.order.items.get()
    assert booked_at.astimezone(zone).date() == today + dt.timedelta(days=local_booking_day)
    assert item.valid_until == today + dt.timedelta(days=local_booking_day + 30)
