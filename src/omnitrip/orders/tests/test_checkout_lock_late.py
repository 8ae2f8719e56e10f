"""The checkout locks late: it prices from an unlocked read, refuses a basket already sold
out before starting a transaction, writes the order first and takes the slots last, and
charges the current price if it moved in between."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.errors import SoldOut
from omnitrip.inventory.models import Hold, HoldStatus, InventorySlot
from omnitrip.orders.models import Order
from omnitrip.orders.services import checkout
from omnitrip.orders.services.checkout import Contact, place_order
from omnitrip.pricing.requests import ItemRequest

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

DAY = dt.date.today() + dt.timedelta(days=10)
TRAVELLER = Contact("Li Wei", "li.wei@example.com")


def buy(offer, quantity: int = 1, **options):
    return place_order(
        [ItemRequest(offer.code, DAY, None, quantity, 1)], TRAVELLER, actor="test", **options
    )


def statements(captured) -> list[str]:
    return [q["sql"].split()[0].upper() + " " + _table(q["sql"]) for q in captured]


def _table(sql: str) -> str:
    for word in ("orders_orderevent", "orders_orderitem", "orders_order", "inventory_hold"):
        if word in sql:
            return word
    return "inventory_inventoryslot" if "inventory_inventoryslot" in sql else ""


def test_a_sold_out_ticket_is_refused_before_any_transaction_or_write():
    offer = cf.dated_offer(start=DAY, days=1, capacity=2)
    InventorySlot.objects.filter(offer=offer).update(sold=2)

    with CaptureQueriesContext(connection) as captured, pytest.raises(SoldOut):
        buy(offer)

    verbs = {q["sql"].split()[0].upper() for q in captured}
    assert verbs == {"SELECT"}  # no SAVEPOINT/BEGIN, no write
    assert not any("FOR UPDATE" in q["sql"].upper() for q in captured)
    assert Order.objects.count() == 0


def test_the_order_is_written_first_and_the_slot_taken_last():
    offer = cf.dated_offer(start=DAY, days=1, capacity=5)

    with CaptureQueriesContext(connection) as captured:
        buy(offer)

    done = [s for s in statements(captured) if not s.startswith(("RELEASE", "SAVEPOINT"))]
    take = done.index("UPDATE inventory_inventoryslot")
    assert done.index("INSERT orders_order") < take
    assert done.index("INSERT orders_orderitem") < take
    assert done.index("INSERT orders_orderevent") < take
    # After the slot's row lock only the hold itself and the price check remain.
    assert done[take + 1 :] == ["INSERT inventory_hold", "SELECT inventory_inventoryslot"]


def test_a_price_raised_between_the_read_and_the_hold_is_the_price_charged(monkeypatch):
    offer = cf.dated_offer(start=DAY, days=1, capacity=5, price_minor=12000)
    real_is_short = checkout.is_short
    raised = []

    def supplier_raises_the_price_meanwhile(*args, **kwargs):
        if not raised:  # once: after the first unlocked read, before the slot is taken
            InventorySlot.objects.filter(offer=offer).update(price_minor=15000)
            raised.append(True)
        return real_is_short(*args, **kwargs)

    monkeypatch.setattr(checkout, "is_short", supplier_raises_the_price_meanwhile)

    placed = buy(offer)

    assert placed.order.total_minor == 15000
    assert Order.objects.count() == 1
    slot = InventorySlot.objects.get(offer=offer)
    assert (slot.held, slot.sold) == (1, 0)
    assert Hold.objects.filter(status=HoldStatus.ACTIVE).count() == 1


def test_units_of_a_lapsed_hold_are_not_refused_early_but_released_and_sold():
    offer = cf.dated_offer(start=DAY, days=1, capacity=1)
    buy(offer, now=timezone.now() - dt.timedelta(hours=1))  # its hold lapsed long ago

    placed = buy(offer)

    assert placed.created is True
    slot = InventorySlot.objects.get(offer=offer)
    assert slot.held == 1
    assert Hold.objects.filter(status=HoldStatus.RELEASED).count() == 1
