"""Inventory services: every unit is held, sold or free, and always accounted for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory import services
from omnitrip.inventory.errors import SoldOut
from omnitrip.inventory.locks import slots_for_update
from omnitrip.inventory.models import Hold, HoldStatus, InventorySlot
from omnitrip.inventory.services import Allocation

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

NOW = timezone.now()
LATER = NOW + dt.timedelta(minutes=15)


def three_nights(capacity=2, sold=0):
    offer = cf.hotel_offer(capacity=capacity, days=3)
    InventorySlot.objects.filter(offer=offer).update(sold=sold)
    return list(InventorySlot.objects.filter(offer=offer).order_by("date"))


def counts(slots):
    return [
        (s.held, s.sold)
        for s in InventorySlot.objects.filter(pk__in=[s.pk for s in slots]).order_by("date")
    ]


def live_held(slot):
    return (
        Hold.objects.filter(slot=slot, status=HoldStatus.ACTIVE).aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def hold(slots, reference="OT-1/1", quantity=1, expires_at=LATER):
    with transaction.atomic():
        slots_for_update([s.pk for s in slots])
        return services.hold_inventory(
            [Allocation(reference, s.pk, quantity) for s in slots], expires_at=expires_at, now=NOW
        )


def test_holding_a_stay_takes_one_unit_on_every_night():
    slots = three_nights()
    holds = hold(slots)
    assert len(holds) == 3
    assert counts(slots) == [(1, 0), (1, 0), (1, 0)]


def test_a_stay_short_on_one_night_holds_nothing_at_all():
    slots = three_nights(capacity=2)
    InventorySlot.objects.filter(pk=slots[1].pk).update(sold=2)
    with pytest.raises(SoldOut):
        hold(slots)
    assert counts(slots) == [(0, 0), (0, 2), (0, 0)]
    assert Hold.objects.count() == 0


def test_the_last_unit_goes_to_one_holder_and_the_next_is_sold_out():
    slots = three_nights(capacity=1)
    hold(slots, "A/1")
    with pytest.raises(SoldOut):
        hold(slots, "B/1")
    assert counts(slots) == [(1, 0), (1, 0), (1, 0)]


def test_the_database_refuses_more_held_and_sold_than_capacity():
    slot = three_nights(capacity=1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        InventorySlot.objects.filter(pk=slot.pk).update(held=1, sold=1)


def test_converting_holds_moves_units_from_held_to_sold():
    slots = three_nights()
    hold(slots, quantity=2)
    with transaction.atomic():
        assert services.convert_holds(["OT-1/1"], now=NOW) is True
    assert counts(slots) == [(0, 2), (0, 2), (0, 2)]
    assert set(Hold.objects.values_list("status", flat=True)) == {HoldStatus.CONVERTED}


def test_a_stay_with_one_lapsed_night_is_not_converted_at_all():
    slots = three_nights()
    hold(slots, expires_at=NOW - dt.timedelta(seconds=1))
    with transaction.atomic():  # the sweep gives back the first night only
        slots_for_update([slots[0].pk])
        services.release_expired_on_slots([slots[0].pk], now=NOW)
    with transaction.atomic():
        assert services.convert_holds(["OT-1/1"], now=NOW) is False
    assert counts(slots) == [(0, 0), (1, 0), (1, 0)]


def test_releasing_holds_gives_units_back_once_however_often_it_is_called():
    slots = three_nights()
    hold(slots)
    for _ in range(2):
        with transaction.atomic():
            services.release_holds(["OT-1/1"], now=NOW)
    assert counts(slots) == [(0, 0), (0, 0), (0, 0)]
    assert set(Hold.objects.values_list("status", flat=True)) == {HoldStatus.RELEASED}


def test_expired_holds_are_released_lazily_by_the_next_checkout_on_those_slots():
    slots = three_nights(capacity=1)
    hold(slots, "A/1", expires_at=NOW - dt.timedelta(seconds=1))
    hold(slots, "B/1")  # would be sold out without the lazy release
    assert counts(slots) == [(1, 0), (1, 0), (1, 0)]
    assert [live_held(s) for s in slots] == [1, 1, 1]
    assert Hold.objects.get(reference="A/1", slot=slots[0]).status == HoldStatus.RELEASED


def test_the_periodic_sweep_releases_only_expired_holds():
    slots = three_nights(capacity=3)
    hold(slots, "new/1")
    hold(slots, "old/1", expires_at=NOW - dt.timedelta(seconds=1))
    assert services.release_expired_holds(now=NOW) == 3
    assert counts(slots) == [(1, 0), (1, 0), (1, 0)]
    assert [live_held(s) for s in slots] == [1, 1, 1]


def test_selling_directly_is_all_or_nothing():
    slots = three_nights(capacity=1)
    InventorySlot.objects.filter(pk=slots[2].pk).update(sold=1)
    with transaction.atomic():
        slots_for_update([s.pk for s in slots])
        assert (
            services.sell_directly([Allocation("late/1", s.pk, 1) for s in slots], now=NOW) is False
        )
    assert counts(slots) == [(0, 0), (0, 0), (0, 1)]
    assert Hold.objects.count() == 0


def test_selling_directly_records_the_sale_as_converted_holds():
    slots = three_nights(capacity=1)
    with transaction.atomic():
        slots_for_update([s.pk for s in slots])
        assert (
            services.sell_directly([Allocation("late/1", s.pk, 1) for s in slots], now=NOW) is True
        )
    assert counts(slots) == [(0, 1), (0, 1), (0, 1)]
    assert Hold.objects.filter(status=HoldStatus.CONVERTED).count() == 3


def test_returning_a_sale_gives_the_units_back_exactly_once():
    slots = three_nights()
    hold(slots, quantity=2)
    with transaction.atomic():
        services.convert_holds(["OT-1/1"], now=NOW)
    for _ in range(2):
        with transaction.atomic():
            services.return_sold(["OT-1/1"], now=NOW)
    assert counts(slots) == [(0, 0), (0, 0), (0, 0)]


@pytest.mark.django_db(transaction=True)
def test_inventory_writes_refuse_to_run_outside_a_transaction():
    slots = three_nights()
    with pytest.raises(RuntimeError):
        services.hold_inventory([Allocation("x/1", slots[0].pk, 1)], expires_at=LATER)
    assert counts(slots) == [(0, 0), (0, 0), (0, 0)]
