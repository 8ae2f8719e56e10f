"""Checkouts, cancellations and the expiry sweep racing each other on PostgreSQL.

Every test starts its threads on one barrier so they really collide inside the database,
with one connection per thread. The control test turns the row lock and the guarded
UPDATE off and shows the oversell they prevent: the race is real, the guard stops it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.core.errors import Conflict
from omnitrip.inventory import services as inventory
from omnitrip.inventory.errors import SoldOut
from omnitrip.inventory.locks import slots_for_update
from omnitrip.inventory.models import Hold, HoldStatus, InventorySlot
from omnitrip.orders.locks import order_for_update
from omnitrip.orders.models import Order, OrderEvent
from omnitrip.orders.services import checkout
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.services.checkout import Contact, PlacedOrder, place_order
from omnitrip.orders.services.lifecycle import RefundPreview, cancel_order, confirm_paid_order
from omnitrip.payments.models import Refund
from omnitrip.plugins.payment_sandbox.provider import build_notification
from omnitrip.pricing.requests import ItemRequest
from tests.racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 32
DAY = dt.date.today() + dt.timedelta(days=10)
TRAVELLER = Contact("Li Wei", "li.wei@example.com")


def outcome(result: Any) -> str:
    if isinstance(result, PlacedOrder):
        return "placed"
    return getattr(result, "code", None) or f"{type(result).__name__}: {result}"


def ticket(offer, date=DAY, quantity=1) -> ItemRequest:
    return ItemRequest(offer.code, date, None, quantity, 1)


def stay(offer, check_in: dt.date, nights: int) -> ItemRequest:
    return ItemRequest(offer.code, check_in, check_in + dt.timedelta(days=nights), 1, 2)


def buy(requests: list[ItemRequest], **options) -> PlacedOrder:
    return place_order(requests, TRAVELLER, actor="test:race", **options)


def slot_on(offer, date=DAY) -> InventorySlot:
    return InventorySlot.objects.get(offer=offer, date=date)


def active_units(slot: InventorySlot) -> int:
    held = Hold.objects.filter(slot=slot, status=HoldStatus.ACTIVE).aggregate(n=Sum("quantity"))
    return held["n"] or 0


def test_the_last_five_tickets_go_to_exactly_five_of_thirty_two_buyers(require_postgres):
    offer = cf.dated_offer(start=DAY, days=1, capacity=8)
    InventorySlot.objects.filter(offer=offer).update(sold=3)

    results = race(BUYERS, lambda n: buy([ticket(offer)]))

    assert Counter(map(outcome, results)) == Counter({"placed": 5, "sold_out": BUYERS - 5})
    assert all(isinstance(r, SoldOut) for r in results if not isinstance(r, PlacedOrder))
    slot = slot_on(offer)
    assert (slot.capacity, slot.held, slot.sold) == (8, 5, 3)
    assert slot.held + slot.sold <= slot.capacity
    assert Hold.objects.filter(slot=slot, status=HoldStatus.ACTIVE).count() == 5
    assert Order.objects.count() == 5
    winners = {r.order.code for r in results if isinstance(r, PlacedOrder)}
    assert winners == set(Order.objects.values_list("code", flat=True))


def test_overlapping_stays_are_all_or_nothing_when_one_middle_night_is_scarce(require_postgres):
    offer = cf.hotel_offer(start=DAY, days=6, capacity=40)
    scarce = DAY + dt.timedelta(days=2)
    InventorySlot.objects.filter(offer=offer, date=scarce).update(capacity=10, sold=8)

    # Half arrive on DAY, half a day later: every three-night stay needs the scarce night.
    results = race(BUYERS, lambda n: buy([stay(offer, DAY + dt.timedelta(days=n % 2), 3)]))

    assert Counter(map(outcome, results)) == Counter({"placed": 2, "sold_out": BUYERS - 2})
    slots = list(InventorySlot.objects.filter(offer=offer).order_by("date"))
    assert [s.held for s in slots] == [active_units(s) for s in slots]
    assert slot_on(offer, scarce).held == 2
    assert all(s.held + s.sold <= s.capacity for s in slots)
    assert Hold.objects.filter(status=HoldStatus.ACTIVE).count() == 2 * 3
    assert Order.objects.count() == 2


def test_a_two_item_basket_sells_only_as_often_as_its_scarce_item_allows(require_postgres):
    scarce = cf.dated_offer(start=DAY, days=1, capacity=3)
    plentiful = cf.hotel_offer(start=DAY, days=2, capacity=100)

    results = race(BUYERS, lambda n: buy([ticket(scarce), stay(plentiful, DAY, 1)]))

    assert Counter(map(outcome, results)) == Counter({"placed": 3, "sold_out": BUYERS - 3})
    assert Order.objects.count() == 3
    assert (slot_on(scarce).held, slot_on(scarce).sold) == (3, 0)
    assert (slot_on(plentiful).held, slot_on(plentiful).sold) == (3, 0)
    assert Hold.objects.filter(status=HoldStatus.ACTIVE).count() == 6


def test_thirty_two_retries_with_one_idempotency_key_make_one_order(require_postgres):
    offer = cf.dated_offer(start=DAY, days=1, capacity=50)

    results = race(
        BUYERS,
        lambda n: buy([ticket(offer)], idempotency_scope="api-key:7", idempotency_key="retry-1"),
    )

    # Observed: no thread gets a Conflict. The losers wait for the winner's slot lock,
    # then hit the unique (scope, key) constraint and replay the committed order.
    assert Counter(map(outcome, results)) == Counter({"placed": BUYERS})
    order = Order.objects.get()
    assert {r.order.code for r in results} == {order.code}
    assert {r.access_token for r in results} == {results[0].access_token}
    assert sorted(r.created for r in results) == [False] * (BUYERS - 1) + [True]
    assert Hold.objects.count() == 1
    assert (slot_on(offer).held, slot_on(offer).sold) == (1, 0)


def paid_order(offer, quantity: int) -> Order:
    """An order confirmed by a captured sandbox payment, as a real customer's would be."""
    placed = buy([ticket(offer, quantity=quantity)])
    payment, _ = order_payments.start_payment(
        placed.order, "sandbox", idempotency_key="pay-1", return_url="/", actor="test"
    )
    body, headers = build_notification(payment, "captured")
    order_payments.receive_payment_notification("sandbox", body, headers)
    order = Order.objects.get(pk=placed.order.pk)
    assert order.status == "confirmed"
    return order


def test_sixteen_simultaneous_cancellations_give_the_units_back_once(require_postgres):
    offer = cf.dated_offer(start=DAY, days=1, capacity=10, price_minor=12000)
    InventorySlot.objects.filter(offer=offer).update(sold=4)
    order = paid_order(offer, quantity=2)
    assert (slot_on(offer).held, slot_on(offer).sold) == (0, 6)

    results = race(16, lambda n: cancel_order(Order.objects.get(pk=order.pk), actor=f"t:{n}"))

    unexpected = [r for r in results if not isinstance(r, RefundPreview | Conflict)]
    assert unexpected == []
    previews = [r for r in results if isinstance(r, RefundPreview)]
    # Observed: one thread cancels, the fifteen others hit its NOWAIT lock (Conflict, 409);
    # a thread arriving after the commit would get the "already cancelled" preview.
    assert [p.refund_minor for p in previews if p.is_cancellable] == [24000]
    assert all(p.refund_minor == 0 for p in previews if not p.is_cancellable)
    assert all(r.code == "conflict" and r.status == 409 for r in results if isinstance(r, Conflict))
    assert (slot_on(offer).held, slot_on(offer).sold) == (0, 4)
    cancelled = OrderEvent.objects.filter(order=order, kind="status_changed", to_status="cancelled")
    assert cancelled.count() == 1
    # Sent to the provider once, on the canceller's commit.
    assert list(Refund.objects.values_list("amount_minor", "status")) == [(24000, "succeeded")]
    assert Order.objects.get(pk=order.pk).refunded_minor == 24000


def test_control_without_the_lock_and_the_guard_one_ticket_is_sold_eight_times(
    require_postgres, monkeypatch
):
    """Turn the guard off and the race shows: all eight read "one left" before anyone writes.

    Each then writes ``held = 0 + 1`` as an absolute value, a lost update the
    CheckConstraint cannot see (held never exceeds capacity), so eight orders hold one unit.
    """
    racers = 8
    offer = cf.dated_offer(start=DAY, days=1, capacity=1)
    everyone_has_read = threading.Barrier(racers, timeout=30)

    def read_without_locking(slot_ids):
        return list(InventorySlot.objects.filter(pk__in=list(slot_ids)).order_by("pk"))

    def read_then_write(slot_id, quantity, *, column):
        row = InventorySlot.objects.values("capacity", "held", "sold").get(pk=slot_id)
        everyone_has_read.wait()  # nobody writes until every racer has checked
        if row["capacity"] - row["held"] - row["sold"] < quantity:
            return False
        InventorySlot.objects.filter(pk=slot_id).update(**{column: row[column] + quantity})
        return True

    monkeypatch.setattr(checkout, "slots_for_update", read_without_locking)
    monkeypatch.setattr(inventory, "_take", read_then_write)

    results = race(racers, lambda n: buy([ticket(offer)]))

    assert Counter(map(outcome, results)) == Counter({"placed": racers})
    assert Order.objects.count() == racers
    assert Hold.objects.filter(status=HoldStatus.ACTIVE).count() == racers
    assert slot_on(offer).held == 1  # the slot believes one unit is held: oversold by seven


def test_the_expiry_sweep_racing_checkouts_keeps_held_equal_to_the_live_holds(require_postgres):
    offer = cf.dated_offer(start=DAY, days=1, capacity=10)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    for _ in range(6):  # six holds that ran out 45 minutes ago
        buy([ticket(offer)], now=an_hour_ago)
    assert (slot_on(offer).held, active_units(slot_on(offer))) == (6, 6)

    def sweep_or_buy(number: int):
        if number < 4:
            return inventory.release_expired_holds()
        return buy([ticket(offer)])

    results = race(20, sweep_or_buy)

    sweeps, checkouts = results[:4], results[4:]
    assert all(isinstance(s, int) for s in sweeps), sweeps
    # Every checkout releases the lapsed holds under the slot lock first, so all ten
    # units are free to the sixteen buyers whoever runs first.
    assert Counter(map(outcome, checkouts)) == Counter({"placed": 10, "sold_out": 6})
    slot = slot_on(offer)
    assert slot.held == active_units(slot) == 10
    assert slot.held + slot.sold <= slot.capacity
    assert Hold.objects.filter(status=HoldStatus.RELEASED).count() == 6
    assert sum(sweeps) <= 6


def test_a_stay_whose_first_night_the_sweep_released_is_not_confirmed_short_of_a_night(
    require_postgres,
):
    """The sweep releases slot by slot, each in its own transaction.

    A payment that lands between two of those transactions finds the stay's first night
    already given back and the other nights still held. It must sell every night of the
    stay (or refuse), never confirm the order with a night that nobody holds for it.
    """
    offer = cf.hotel_offer(start=DAY, days=5, capacity=3)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    placed = buy([stay(offer, DAY, 3)], now=an_hour_ago)
    first_night = slot_on(offer, DAY)
    with transaction.atomic():  # the sweep's step for one slot, committed on its own
        slots_for_update([first_night.pk])
        assert inventory.release_expired_on_slots([first_night.pk]) == 1

    with transaction.atomic():
        confirmed = confirm_paid_order(order_for_update(placed.order.pk), actor="test:payment")

    # The first night is still free (three rooms, nobody else booked), so the right
    # outcome is a confirmed order with all three nights sold.
    nights = [slot_on(offer, DAY + dt.timedelta(days=i)) for i in range(3)]
    assert confirmed is True
    assert [(n.held, n.sold) for n in nights] == [(0, 1), (0, 1), (0, 1)]
