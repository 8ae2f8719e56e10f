"""Quotes: what a basket costs, line by line, and when it cannot be sold at all.

Every expected amount is worked out by hand in the test, never by the pricing code.
"""

from __future__ import annotations

import datetime as dt

import pytest

from omnitrip.catalog.models import (
    LengthOfStayDiscount,
    Offer,
    ProductKind,
    RatePlan,
    TaxFee,
)
from omnitrip.catalog.tests import factories as cf
from omnitrip.core.money import Money
from omnitrip.inventory.errors import SoldOut
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.errors import CurrencyMismatch, InvalidDates, InvalidParty, NotBookable
from omnitrip.pricing.requests import ItemRequest, resolve
from omnitrip.pricing.services import create_quote

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

# Ten days out: in the future in Asia/Shanghai whatever the machine's clock says.
ARRIVAL = dt.date.today() + dt.timedelta(days=10)


def night(n: int) -> dt.date:
    return ARRIVAL + dt.timedelta(days=n)


def set_slot(offer: Offer, date: dt.date, **fields) -> None:
    InventorySlot.objects.filter(offer=offer, date=date).update(**fields)


def set_prices(offer: Offer, prices: list[int]) -> None:
    for n, price in enumerate(prices):
        set_slot(offer, night(n), price_minor=price)


def stay(offer: Offer, nights: int, **fields) -> ItemRequest:
    return ItemRequest(offer.code, ARRIVAL, night(nights), **fields)


def derived_offer(standard: Offer, derivation: str, value: str) -> Offer:
    """A plan priced off the standard plan, selling the standard offer's rooms (no slots)."""
    parent = standard.rate_plan
    plan = RatePlan.objects.create(
        product=standard.product,
        code=f"derived-{derivation}",
        name_en="Non-refundable",
        name_zh="不可退",
        cancellation_policy=parent.cancellation_policy,
        parent=parent,
        derivation=derivation,
        derivation_value=value,
    )
    return Offer.objects.create(
        product=standard.product,
        code=f"{standard.code}-{derivation}",
        name_en="Double, non-refundable",
        name_zh="双人间 不可退",
        room_type=standard.room_type,
        rate_plan=plan,
        inventory_pool=standard,
    )


def tax(offer: Offer, code: str, basis: str, **fields) -> TaxFee:
    return TaxFee.objects.create(
        product=offer.product, code=code, name_en=code, name_zh=code, basis=basis, **fields
    )


def nights_of(item) -> list[tuple[str, int, int, int]]:
    """(date, rooms, unit price, amount) of each night line."""
    return [
        (line["date"], line["quantity"], line["unit_minor"], line["amount_minor"])
        for line in item.lines
        if line["kind"] == "night"
    ]


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


# --- hotels: nights, rooms and occupancy ---------------------------------------------------


def test_each_night_of_a_stay_is_priced_from_that_nights_slot():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_prices(offer, [40000, 45000, 52000])

    quote = create_quote([stay(offer, 3, adults=2)])

    (item,) = quote.items
    assert item.lines == [
        {
            "kind": "night",
            "label_en": f"Double room, night of {night(n).isoformat()}",
            "label_zh": f"双人间，{night(n).isoformat()} 晚",
            "quantity": 1,
            "unit_minor": price,
            "amount_minor": price,
            "date": night(n).isoformat(),
            "included": False,
        }
        for n, price in enumerate([40000, 45000, 52000])
    ]
    assert quote.currency == "CNY"
    assert quote.subtotal == cny(137000)
    assert quote.taxes == cny(0)
    assert quote.total == cny(137000)


def test_every_night_is_charged_once_per_room():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_prices(offer, [40000, 45000, 52000])

    quote = create_quote([stay(offer, 3, quantity=2, adults=2)])

    assert nights_of(quote.items[0]) == [
        (night(0).isoformat(), 2, 40000, 80000),
        (night(1).isoformat(), 2, 45000, 90000),
        (night(2).isoformat(), 2, 52000, 104000),
    ]
    assert quote.total == cny(274000)


def test_one_adult_gets_the_single_adjustment_once_per_missing_adult_each_night():
    offer = cf.hotel_offer(
        start=ARRIVAL, days=5, price_minor=50000, base_occupancy=3, single_adjustment_minor=-4000
    )

    one_adult = create_quote([stay(offer, 2, adults=1)])
    two_adults = create_quote([stay(offer, 2, adults=2)])

    # One adult is two short of the base occupancy of three: 50000 − 2 × 4000 each night.
    assert [line[2] for line in nights_of(one_adult.items[0])] == [42000, 42000]
    assert one_adult.total == cny(84000)
    assert [line[2] for line in nights_of(two_adults.items[0])] == [46000, 46000]
    assert two_adults.total == cny(92000)


def test_adults_at_the_base_occupancy_pay_the_slot_price():
    offer = cf.hotel_offer(
        start=ARRIVAL,
        days=5,
        price_minor=50000,
        single_adjustment_minor=-8000,
        extra_adult_minor=15000,
    )

    quote = create_quote([stay(offer, 2, adults=2)])

    assert quote.total == cny(100000)


def test_a_third_adult_adds_the_extra_adult_charge_each_night():
    offer = cf.hotel_offer(start=ARRIVAL, days=5, extra_adult_minor=15000)
    set_prices(offer, [40000, 45000])

    quote = create_quote([stay(offer, 2, adults=3)])

    assert [line[2] for line in nights_of(quote.items[0])] == [55000, 60000]
    assert quote.total == cny(115000)


def test_each_child_adds_the_child_charge_per_night_per_room():
    offer = cf.hotel_offer(start=ARRIVAL, days=5, extra_adult_minor=15000, extra_child_minor=6000)
    set_prices(offer, [40000, 45000])

    two_children = create_quote([stay(offer, 2, quantity=2, adults=2, children=2)])
    three_adults_one_child = create_quote([stay(offer, 2, adults=3, children=1)])

    # (40000 + 2 × 6000) × 2 rooms, then (45000 + 2 × 6000) × 2 rooms.
    assert nights_of(two_children.items[0]) == [
        (night(0).isoformat(), 2, 52000, 104000),
        (night(1).isoformat(), 2, 57000, 114000),
    ]
    assert two_children.total == cny(218000)
    # 40000 + 15000 + 6000, then 45000 + 15000 + 6000.
    assert three_adults_one_child.total == cny(61000 + 66000)


# --- hotels: derived rate plans -------------------------------------------------------------


def test_a_percent_derived_plan_takes_ten_percent_off_the_parent_rounded_half_up_each_night():
    standard = cf.hotel_offer(start=ARRIVAL, days=5)
    set_prices(standard, [10005, 20015])
    derived = derived_offer(standard, RatePlan.Derivation.PERCENT, "-10")

    quote = create_quote([stay(derived, 2, adults=2)])

    # 10005 × 0.9 = 9004.5 → 9005 and 20015 × 0.9 = 18013.5 → 18014, each night on its own:
    # rounding the two nights' sum (27018) would give one minor unit less.
    assert nights_of(quote.items[0]) == [
        (night(0).isoformat(), 1, 9005, 9005),
        (night(1).isoformat(), 1, 18014, 18014),
    ]
    assert quote.total == cny(27019)
    assert quote.items[0].stay.offer == derived


def test_an_amount_derived_plan_adds_its_amount_to_the_parent_each_night():
    standard = cf.hotel_offer(start=ARRIVAL, days=5)
    set_prices(standard, [10005, 20015])
    derived = derived_offer(standard, RatePlan.Derivation.AMOUNT, "-1500")

    quote = create_quote([stay(derived, 2, quantity=2, adults=2)])

    assert nights_of(quote.items[0]) == [
        (night(0).isoformat(), 2, 8505, 17010),
        (night(1).isoformat(), 2, 18515, 37030),
    ]
    assert quote.total == cny(54040)


def test_a_derived_plan_sells_only_the_rooms_its_pool_has_left():
    standard = cf.hotel_offer(start=ARRIVAL, days=5, capacity=5)
    set_slot(standard, night(1), held=2, sold=2)
    derived = derived_offer(standard, RatePlan.Derivation.PERCENT, "-10")

    with pytest.raises(SoldOut):
        create_quote([stay(derived, 2, quantity=2, adults=2)])
    assert create_quote([stay(derived, 2, quantity=1, adults=2)]).total == cny(90000)


def test_a_derived_plan_is_closed_when_its_pool_is_closed():
    standard = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(standard, night(1), is_closed=True)
    derived = derived_offer(standard, RatePlan.Derivation.AMOUNT, "-1500")

    with pytest.raises(NotBookable):
        create_quote([stay(derived, 2, adults=2)])


# --- hotels: length-of-stay discounts -------------------------------------------------------


def los_offer() -> Offer:
    offer = cf.hotel_offer(start=ARRIVAL, days=10, price_minor=50000)
    for min_nights, percent in [(3, "5"), (4, "12"), (6, "10")]:
        LengthOfStayDiscount.objects.create(
            rate_plan=offer.rate_plan, min_nights=min_nights, percent_off=percent
        )
    return offer


def test_a_stay_shorter_than_every_discounts_minimum_pays_full_price():
    offer = los_offer()

    quote = create_quote([stay(offer, 2, adults=2)])

    assert [line["kind"] for line in quote.items[0].lines] == ["night", "night"]
    assert quote.total == cny(100000)


def test_a_stay_long_enough_gets_its_length_of_stay_discount_as_a_line():
    offer = los_offer()

    quote = create_quote([stay(offer, 3, adults=2)])

    discount = quote.items[0].lines[-1]
    assert discount == {
        "kind": "discount",
        "label_en": "Stay 3+ nights: 5.00% off",
        "label_zh": "连住3晚以上优惠 5.00%",
        "quantity": 1,
        "unit_minor": -7500,
        "amount_minor": -7500,
        "date": None,
        "included": False,
    }
    assert quote.total == cny(150000 - 7500)


def test_the_largest_applicable_percent_wins_not_the_longest_minimum():
    offer = los_offer()

    quote = create_quote([stay(offer, 6, adults=2)])

    # 5 % (3+), 12 % (4+) and 10 % (6+) all apply: 12 % of 300000.
    assert [
        line["amount_minor"] for line in quote.items[0].lines if line["kind"] == "discount"
    ] == [-36000]
    assert quote.total == cny(264000)


def test_the_discount_is_rounded_half_up_on_the_stays_nightly_total():
    offer = los_offer()
    set_prices(offer, [33337, 33337, 33336])

    quote = create_quote([stay(offer, 3, adults=2)])

    # 100010 × 5 % = 5000.5 → 5001.
    assert quote.total == cny(100010 - 5001)


# --- hotels: taxes and fees -----------------------------------------------------------------


def test_taxes_and_fees_are_their_own_lines_and_only_excluded_ones_are_added():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_prices(offer, [40000, 45000])
    tax(offer, "service", TaxFee.Basis.PERCENT, rate="10", is_tax=False)
    tax(offer, "vat", TaxFee.Basis.PERCENT, rate="6", is_included=True)
    tax(offer, "city", TaxFee.Basis.PER_NIGHT, amount_minor=1000)
    tax(offer, "tourism", TaxFee.Basis.PER_PERSON, amount_minor=500)
    tax(offer, "booking", TaxFee.Basis.PER_BOOKING, amount_minor=2500, is_tax=False)

    quote = create_quote([stay(offer, 2, quantity=2, adults=2, children=1)])

    (item,) = quote.items
    taxes = sorted(
        (line["label_en"], line["kind"], line["amount_minor"], line["included"])
        for line in item.lines
        if line["kind"] in ("tax", "fee")
    )
    # Subtotal (40000 + 45000) × 2 rooms = 170000.
    assert taxes == [
        ("booking", "fee", 2500, False),  # once per booking
        ("city", "tax", 4000, False),  # 1000 × 2 nights × 2 rooms
        ("service", "fee", 17000, False),  # 10 % of 170000, added
        ("tourism", "tax", 6000, False),  # 500 × 3 guests × 2 rooms × 2 nights
        ("vat (included)", "tax", 9623, True),  # 170000 × 6/106 = 9622.64, inside the price
    ]
    assert item.subtotal_minor == 170000
    assert item.taxes_minor == 2500 + 4000 + 17000 + 6000
    assert quote.subtotal == cny(170000)
    assert quote.taxes == cny(29500)
    assert quote.total == cny(199500)
    assert item.total == cny(199500)


def test_a_percent_tax_is_charged_on_the_discounted_price():
    offer = los_offer()
    tax(offer, "service", TaxFee.Basis.PERCENT, rate="10")

    quote = create_quote([stay(offer, 3, adults=2)])

    # 150000 − 5 % = 142500; 10 % of that is 14250.
    assert quote.subtotal == cny(142500)
    assert quote.taxes == cny(14250)
    assert quote.total == cny(156750)


# --- tours and transport --------------------------------------------------------------------


def test_a_tour_charges_adults_the_adult_price_and_children_the_child_price():
    offer = cf.dated_offer(
        ProductKind.TOUR, start=ARRIVAL, days=3, price_minor=30000, child_price_minor=18000
    )

    quote = create_quote([ItemRequest(offer.code, ARRIVAL, adults=2, children=1)])

    assert quote.items[0].lines == [
        {
            "kind": "adult",
            "label_en": "Adult",
            "label_zh": "成人",
            "quantity": 2,
            "unit_minor": 30000,
            "amount_minor": 60000,
            "date": ARRIVAL.isoformat(),
            "included": False,
        },
        {
            "kind": "child",
            "label_en": "Child",
            "label_zh": "儿童",
            "quantity": 1,
            "unit_minor": 18000,
            "amount_minor": 18000,
            "date": ARRIVAL.isoformat(),
            "included": False,
        },
    ]
    assert quote.total == cny(78000)


def test_a_child_pays_the_adult_price_when_the_departure_has_no_child_price():
    offer = cf.dated_offer(ProductKind.TRANSPORT, start=ARRIVAL, days=3, price_minor=15000)

    quote = create_quote([ItemRequest(offer.code, ARRIVAL, adults=2, children=2)])

    child = quote.items[0].lines[1]
    assert (child["kind"], child["quantity"], child["unit_minor"], child["amount_minor"]) == (
        "child",
        2,
        15000,
        30000,
    )
    assert quote.total == cny(60000)


def test_a_tours_per_person_tax_counts_each_traveller_once():
    offer = cf.dated_offer(
        ProductKind.TOUR, start=ARRIVAL, days=3, price_minor=30000, child_price_minor=18000
    )
    tax(offer, "park", TaxFee.Basis.PER_PERSON, amount_minor=500)

    quote = create_quote([ItemRequest(offer.code, ARRIVAL, adults=2, children=1)])

    assert quote.taxes == cny(1500)
    assert quote.total == cny(79500)


@pytest.mark.parametrize("kind", [ProductKind.TOUR, ProductKind.TRANSPORT])
@pytest.mark.parametrize(("adults", "children"), [(1, 0), (3, 2), (5, 0)])
def test_a_party_outside_the_offers_size_range_is_refused(kind, adults, children):
    offer = cf.dated_offer(kind, start=ARRIVAL, days=3, min_party=2, max_party=4)

    with pytest.raises(InvalidParty, match="between 2 and 4"):
        create_quote([ItemRequest(offer.code, ARRIVAL, adults=adults, children=children)])


@pytest.mark.parametrize("kind", [ProductKind.TOUR, ProductKind.TRANSPORT])
def test_a_party_at_either_end_of_the_range_is_priced(kind):
    offer = cf.dated_offer(kind, start=ARRIVAL, days=3, price_minor=10000, min_party=2, max_party=4)

    smallest = create_quote([ItemRequest(offer.code, ARRIVAL, adults=2)])
    largest = create_quote([ItemRequest(offer.code, ARRIVAL, adults=3, children=1)])

    assert smallest.total == cny(20000)
    assert largest.total == cny(40000)


def test_a_departure_with_fewer_seats_left_than_the_party_is_sold_out():
    offer = cf.dated_offer(ProductKind.TOUR, start=ARRIVAL, days=3, capacity=10)
    set_slot(offer, ARRIVAL, sold=8)

    with pytest.raises(SoldOut):
        create_quote([ItemRequest(offer.code, ARRIVAL, adults=2, children=1)])


# --- tickets ----------------------------------------------------------------------------------


def test_a_dated_ticket_costs_quantity_times_price():
    offer = cf.dated_offer(start=ARRIVAL, days=3, price_minor=12000)

    quote = create_quote([ItemRequest(offer.code, ARRIVAL, quantity=3)])

    assert quote.items[0].lines == [
        {
            "kind": "ticket",
            "label_en": "Standard",
            "label_zh": "标准",
            "quantity": 3,
            "unit_minor": 12000,
            "amount_minor": 36000,
            "date": ARRIVAL.isoformat(),
            "included": False,
        }
    ]
    assert quote.total == cny(36000)


def test_a_tickets_per_person_tax_counts_each_ticket():
    offer = cf.dated_offer(start=ARRIVAL, days=3, price_minor=12000)
    tax(offer, "heritage", TaxFee.Basis.PER_PERSON, amount_minor=300)

    quote = create_quote([ItemRequest(offer.code, ARRIVAL, quantity=3, adults=1)])

    assert quote.taxes == cny(900)
    assert quote.total == cny(36900)


def test_an_open_dated_ticket_is_priced_from_its_undated_quota():
    offer = cf.open_dated_ticket(quota=100, price_minor=8000)

    quote = create_quote([ItemRequest(offer.code, quantity=4)])

    (line,) = quote.items[0].lines
    assert (line["kind"], line["quantity"], line["unit_minor"], line["amount_minor"]) == (
        "ticket",
        4,
        8000,
        32000,
    )
    assert line["date"] is None
    assert quote.total == cny(32000)


def test_an_open_dated_ticket_refuses_a_date():
    offer = cf.open_dated_ticket()

    with pytest.raises(InvalidDates, match="open-dated"):
        create_quote([ItemRequest(offer.code, ARRIVAL)])


def test_an_open_dated_ticket_is_sold_out_when_its_quota_is_short():
    offer = cf.open_dated_ticket(quota=5)
    InventorySlot.objects.filter(offer=offer).update(sold=2)

    with pytest.raises(SoldOut):
        create_quote([ItemRequest(offer.code, quantity=4)])
    assert create_quote([ItemRequest(offer.code, quantity=3)]).total == cny(24000)


# --- hotels: restrictions and availability ----------------------------------------------------


def test_a_stop_sell_night_inside_the_stay_makes_it_not_bookable():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, night(1), is_closed=True)

    with pytest.raises(NotBookable) as refused:
        create_quote([stay(offer, 3, adults=2)])
    assert refused.value.extra == {"date": str(night(1))}


def test_a_stop_sell_on_the_check_out_date_does_not_stop_the_stay():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, night(2), is_closed=True)

    assert create_quote([stay(offer, 2, adults=2)]).total == cny(100000)


def test_the_arrival_dates_minimum_stay_refuses_a_shorter_stay():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, ARRIVAL, min_stay=3)

    with pytest.raises(NotBookable, match="Minimum stay for this arrival date is 3 nights"):
        create_quote([stay(offer, 2, adults=2)])
    assert create_quote([stay(offer, 3, adults=2)]).total == cny(150000)


def test_a_minimum_stay_on_a_later_night_does_not_bind_an_earlier_arrival():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, night(1), min_stay=3)

    assert create_quote([stay(offer, 2, adults=2)]).total == cny(100000)


def test_the_arrival_dates_maximum_stay_refuses_a_longer_stay():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, ARRIVAL, max_stay=2)

    with pytest.raises(NotBookable, match="Maximum stay for this arrival date is 2 nights"):
        create_quote([stay(offer, 3, adults=2)])
    assert create_quote([stay(offer, 2, adults=2)]).total == cny(100000)


def test_closed_to_arrival_refuses_arriving_on_that_date_only():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, night(1), closed_to_arrival=True)

    with pytest.raises(NotBookable, match="Arrival is not possible"):
        create_quote([ItemRequest(offer.code, night(1), night(3), adults=2)])
    assert create_quote([stay(offer, 3, adults=2)]).total == cny(150000)


def test_closed_to_departure_on_the_check_out_dates_slot_refuses_leaving_that_day():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    set_slot(offer, night(2), closed_to_departure=True)

    with pytest.raises(NotBookable, match="Departure is not possible"):
        create_quote([stay(offer, 2, adults=2)])
    # Staying through that date is fine: only checking out on it is closed.
    assert create_quote([stay(offer, 3, adults=2)]).total == cny(150000)


def test_a_night_without_a_slot_is_not_bookable():
    offer = cf.hotel_offer(start=ARRIVAL, days=5)
    InventorySlot.objects.filter(offer=offer, date=night(1)).delete()

    with pytest.raises(NotBookable, match="Not on sale") as refused:
        create_quote([stay(offer, 3, adults=2)])
    assert refused.value.extra == {"date": str(night(1))}


def test_a_stay_may_check_out_the_day_after_the_last_slot():
    offer = cf.hotel_offer(start=ARRIVAL, days=3)

    assert create_quote([stay(offer, 3, adults=2)]).total == cny(150000)
    with pytest.raises(NotBookable):
        create_quote([stay(offer, 4, adults=2)])


def test_asking_for_more_rooms_than_remain_on_any_night_is_sold_out_and_holds_nothing():
    offer = cf.hotel_offer(start=ARRIVAL, days=5, capacity=5)
    set_slot(offer, night(1), held=2, sold=2)

    with pytest.raises(SoldOut):
        create_quote([stay(offer, 3, quantity=2, adults=2)])
    assert create_quote([stay(offer, 3, quantity=1, adults=2)]).total == cny(150000)
    assert list(
        InventorySlot.objects.filter(offer=offer, date__lte=night(2))
        .order_by("date")
        .values_list("held", "sold")
    ) == [(0, 0), (2, 2), (0, 0)]


def test_a_basket_needing_more_rooms_than_remain_across_its_items_is_sold_out():
    # Two items on the same rooms (the standard plan and one derived from it): one room left.
    standard = cf.hotel_offer(start=ARRIVAL, days=5, capacity=1)
    derived = derived_offer(standard, RatePlan.Derivation.PERCENT, "-10")

    with pytest.raises(SoldOut):
        create_quote([stay(standard, 2, adults=2), stay(derived, 2, adults=2)])


# --- baskets ----------------------------------------------------------------------------------


def test_a_basket_adds_up_its_items():
    hotel = cf.hotel_offer(start=ARRIVAL, days=5, price_minor=50000)
    tax(hotel, "city", TaxFee.Basis.PER_NIGHT, amount_minor=1000)
    tour = cf.dated_offer(
        ProductKind.TOUR, start=ARRIVAL, days=3, price_minor=30000, child_price_minor=18000
    )

    quote = create_quote(
        [stay(hotel, 2, adults=2), ItemRequest(tour.code, night(1), adults=2, children=1)]
    )

    assert [item.total for item in quote.items] == [cny(102000), cny(78000)]
    assert quote.subtotal == cny(178000)
    assert quote.taxes == cny(2000)
    assert quote.total == cny(180000)


def test_a_basket_in_two_currencies_is_refused():
    hotel = cf.hotel_offer(start=ARRIVAL, days=5)
    ticket = cf.dated_offer(start=ARRIVAL, days=3, product_fields={"currency": "USD"})

    with pytest.raises(CurrencyMismatch):
        create_quote([stay(hotel, 2, adults=2), ItemRequest(ticket.code, ARRIVAL, quantity=1)])


# --- request validation (resolve) -------------------------------------------------------------

# 16:30 UTC on 9 January is already 00:30 on 10 January in Asia/Shanghai.
NOW = dt.datetime(2030, 1, 9, 16, 30, tzinfo=dt.UTC)
LOCAL_TODAY = dt.date(2030, 1, 10)


def local_day(n: int) -> dt.date:
    return LOCAL_TODAY + dt.timedelta(days=n)


def hotel_request(offer: Offer, start: dt.date, end: dt.date, **fields) -> ItemRequest:
    return ItemRequest(offer.code, start, end, **fields)


def test_a_date_before_today_in_the_products_time_zone_is_refused():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidDates, match="in the past") as refused:
        resolve(offer, hotel_request(offer, local_day(-1), local_day(1), adults=2), now=NOW)
    assert refused.value.extra == {"field": "start_date"}
    resolved = resolve(offer, hotel_request(offer, LOCAL_TODAY, local_day(1), adults=2), now=NOW)
    assert resolved.dates == (LOCAL_TODAY,)


@pytest.mark.parametrize("nights", [0, -1])
def test_a_check_out_on_or_before_check_in_is_refused(nights):
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidDates, match="Check-out must be after check-in") as refused:
        resolve(offer, hotel_request(offer, local_day(5), local_day(5 + nights)), now=NOW)
    assert refused.value.extra == {"field": "end_date"}


def test_a_hotel_stay_without_a_check_out_date_is_refused():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidDates, match="check-out date is required"):
        resolve(offer, ItemRequest(offer.code, local_day(5)), now=NOW)


def test_a_stay_of_more_than_thirty_nights_is_refused():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidDates, match="limited to 30 nights"):
        resolve(offer, hotel_request(offer, local_day(5), local_day(36)), now=NOW)
    resolved = resolve(offer, hotel_request(offer, local_day(5), local_day(35)), now=NOW)
    assert resolved.nights == 30
    assert len(resolved.dates) == 30
    assert (resolved.dates[0], resolved.dates[-1]) == (local_day(5), local_day(34))


def test_a_date_more_than_550_days_ahead_is_refused():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidDates, match="too far ahead") as refused:
        resolve(offer, hotel_request(offer, local_day(551), local_day(552)), now=NOW)
    assert refused.value.extra == {"field": "start_date"}
    resolved = resolve(offer, hotel_request(offer, local_day(550), local_day(551)), now=NOW)
    assert resolved.dates == (local_day(550),)


@pytest.mark.parametrize(
    ("adults", "children"),
    [
        (4, 0),  # the room takes at most 3 adults
        (1, 3),  # at most 2 children
        (3, 2),  # at most 4 guests in all
    ],
)
def test_more_guests_than_the_room_type_takes_are_refused(adults, children):
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidParty, match="Too many guests"):
        resolve(
            offer,
            hotel_request(offer, local_day(5), local_day(6), adults=adults, children=children),
            now=NOW,
        )


def test_a_full_room_type_is_accepted():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    resolved = resolve(
        offer,
        hotel_request(offer, local_day(5), local_day(7), quantity=2, adults=2, children=2),
        now=NOW,
    )

    assert (resolved.units, resolved.nights, resolved.dates) == (2, 2, (local_day(5), local_day(6)))


def test_a_hotel_stay_without_an_adult_is_refused():
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidParty, match="At least one adult per room"):
        resolve(
            offer,
            hotel_request(offer, local_day(5), local_day(6), adults=0, children=1),
            now=NOW,
        )


@pytest.mark.parametrize("quantity", [0, 51])
def test_a_quantity_outside_one_to_fifty_is_refused(quantity):
    offer = cf.hotel_offer(start=LOCAL_TODAY, days=1)

    with pytest.raises(InvalidParty, match="between 1 and 50"):
        resolve(offer, hotel_request(offer, local_day(5), local_day(6), quantity=quantity), now=NOW)
