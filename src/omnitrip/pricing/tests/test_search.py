"""Search: what can be booked for these dates and guests, where, in what order, at what price.

Every expected total is worked out by hand in the test, never by the pricing code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omnitrip.catalog.models import Offer, ProductKind, RatePlan, RoomType, TaxFee
from omnitrip.catalog.tests import factories as cf
from omnitrip.core.errors import InvalidInput, NotFound
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.models import ExchangeRate
from omnitrip.pricing.search import SearchQuery, search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
# Ten days out: in the future in Asia/Shanghai whatever the machine's clock says.
CHECK_IN = TODAY + dt.timedelta(days=10)


def day(n: int) -> dt.date:
    return CHECK_IN + dt.timedelta(days=n)


def places() -> dict:
    """China → Yunnan → Kunming → Dianchi, and China → Sichuan → Chengdu."""
    tree = cf.destination_tree()
    sichuan = cf.DestinationFactory(
        code="sichuan", level=2, parent=tree["cn"], name_en="Sichuan", name_zh="四川"
    )
    chengdu = cf.DestinationFactory(
        code="chengdu", level=3, parent=sichuan, name_en="Chengdu", name_zh="成都"
    )
    return {**tree, "sichuan": sichuan, "chengdu": chengdu}


def hotel(price: int = 50000, *, capacity: int = 5, where=None, **product_fields) -> Offer:
    if where is not None:
        product_fields["destination"] = where
    return cf.hotel_offer(
        start=CHECK_IN, days=5, price_minor=price, capacity=capacity, product_fields=product_fields
    )


def ticket(price: int = 12000, *, where=None, **product_fields) -> Offer:
    if where is not None:
        product_fields["destination"] = where
    return cf.dated_offer(start=CHECK_IN, days=5, price_minor=price, product_fields=product_fields)


def tour(start: dt.date = CHECK_IN, **fields) -> Offer:
    return cf.dated_offer(
        ProductKind.TOUR, start=start, days=3, price_minor=30000, child_price_minor=18000, **fields
    )


def set_slot(offer: Offer, date: dt.date, **fields) -> None:
    InventorySlot.objects.filter(offer=offer, date=date).update(**fields)


def cheaper_room(standard: Offer, price: int) -> Offer:
    """A second room type of the same hotel, under its own standard plan and slots."""
    room = RoomType.objects.create(
        product=standard.product, code="twn", name_en="Twin room", name_zh="双床房"
    )
    plan = RatePlan.objects.create(
        product=standard.product,
        code="saver",
        name_en="Saver",
        name_zh="特惠价",
        cancellation_policy=standard.rate_plan.cancellation_policy,
    )
    offer = Offer.objects.create(
        product=standard.product,
        code=f"{standard.code}-twn",
        name_en="Twin, saver",
        name_zh="双床房 特惠价",
        room_type=room,
        rate_plan=plan,
    )
    cf.slots(offer, CHECK_IN, 5, price_minor=price)
    return offer


def derived_offer(standard: Offer, percent: str) -> Offer:
    """A plan at ``percent`` of the standard plan's price, selling the standard offer's rooms."""
    plan = RatePlan.objects.create(
        product=standard.product,
        code="nonref",
        name_en="Non-refundable",
        name_zh="不可退",
        cancellation_policy=standard.rate_plan.cancellation_policy,
        parent=standard.rate_plan,
        derivation=RatePlan.Derivation.PERCENT,
        derivation_value=percent,
    )
    return Offer.objects.create(
        product=standard.product,
        code=f"{standard.code}-nonref",
        name_en="Double, non-refundable",
        name_zh="双人间 不可退",
        room_type=standard.room_type,
        rate_plan=plan,
        inventory_pool=standard,
    )


def two_nights(**fields) -> list[str]:
    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(2), **fields))
    return codes(page)


def codes(page) -> list[str]:
    return [hit.product.code for hit in page.hits]


def code(offer: Offer) -> str:
    return offer.product.code


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


# --- where --------------------------------------------------------------------------------


def test_a_province_finds_the_products_of_its_cities_and_areas_and_not_another_provinces():
    at = places()
    kunming_hotel = hotel(where=at["kunming"])
    dianchi_ticket = ticket(where=at["dianchi"])
    chengdu_hotel = hotel(where=at["chengdu"])

    yunnan = search(SearchQuery(destination="yunnan", check_in=CHECK_IN, check_out=day(2)))
    sichuan = search(SearchQuery(destination="sichuan", check_in=CHECK_IN, check_out=day(2)))
    china = search(SearchQuery(destination="cn", check_in=CHECK_IN, check_out=day(2)))

    assert sorted(codes(yunnan)) == sorted([code(kunming_hotel), code(dianchi_ticket)])
    assert yunnan.total == 2
    assert codes(sichuan) == [code(chengdu_hotel)]
    assert sichuan.total == 1
    assert china.total == 3


def test_an_unknown_destination_is_not_found():
    places()

    with pytest.raises(NotFound, match="Unknown destination 'atlantis'"):
        search(SearchQuery(destination="atlantis", check_in=CHECK_IN, check_out=day(2)))


def test_free_text_in_chinese_finds_products_by_their_places_name():
    at = places()
    kunming_hotel = hotel(where=at["kunming"])
    hotel(where=at["chengdu"])

    assert two_nights(text="昆明") == [code(kunming_hotel)]


def test_free_text_in_english_ignores_case_and_needs_every_word():
    at = places()
    kunming_inn = hotel(where=at["kunming"], title_en="Lakeside Inn", title_zh="湖畔客栈")
    chengdu_lodge = hotel(where=at["chengdu"], title_en="Lakeside Lodge", title_zh="湖畔山庄")

    assert two_nights(text="KUNMING") == [code(kunming_inn)]
    assert sorted(two_nights(text="lakeside")) == sorted([code(kunming_inn), code(chengdu_lodge)])
    assert two_nights(text="Lakeside kunming") == [code(kunming_inn)]
    assert two_nights(text="客栈") == [code(kunming_inn)]
    assert two_nights(text="lakeside beijing") == []


def test_the_kind_filter_keeps_only_that_kind():
    hotel()
    a_ticket = ticket()
    a_tour = tour()

    assert two_nights(kind="attraction") == [code(a_ticket)]
    assert two_nights(kind="tour") == [code(a_tour)]


# --- availability -----------------------------------------------------------------------


def test_a_hotel_with_one_sold_out_or_stop_sell_night_in_the_stay_is_left_out():
    bookable = hotel()
    sold_out = hotel()
    set_slot(sold_out, day(1), sold=5)
    stop_sell = hotel()
    set_slot(stop_sell, day(1), is_closed=True)
    gap = hotel()
    InventorySlot.objects.filter(offer=gap, date=day(1)).delete()

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(2), kind="hotel"))

    assert codes(page) == [code(bookable)]
    assert page.total == 1


def test_a_sold_out_night_after_the_stay_does_not_matter():
    offer = hotel()
    set_slot(offer, day(2), sold=5, is_closed=True)

    assert two_nights() == [code(offer)]


def test_a_minimum_stay_on_the_arrival_date_leaves_a_hotel_out_of_a_shorter_search():
    bookable = hotel()
    three_nights_minimum = hotel()
    set_slot(three_nights_minimum, CHECK_IN, min_stay=3)
    later_minimum = hotel()
    set_slot(later_minimum, day(1), min_stay=3)

    assert two_nights() == [code(bookable), code(later_minimum)]
    assert sorted(
        codes(search(SearchQuery(check_in=CHECK_IN, check_out=day(3), sort="price")))
    ) == sorted([code(bookable), code(three_nights_minimum), code(later_minimum)])


def test_a_hotel_closed_to_arrival_or_with_a_shorter_maximum_stay_is_left_out():
    bookable = hotel()
    closed_to_arrival = hotel()
    set_slot(closed_to_arrival, CHECK_IN, closed_to_arrival=True)
    one_night_maximum = hotel()
    set_slot(one_night_maximum, CHECK_IN, max_stay=1)

    assert two_nights() == [code(bookable)]


def test_a_hotel_closed_to_departure_on_the_check_out_date_is_neither_shown_nor_counted():
    bookable = hotel()
    no_departure = hotel()
    set_slot(no_departure, day(2), closed_to_departure=True)

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(2)))

    assert codes(page) == [code(bookable)]
    assert page.total == 1


def test_two_rooms_need_two_left_on_every_night():
    one_left_on_the_second_night = hotel(capacity=5)
    set_slot(one_left_on_the_second_night, day(1), held=2, sold=2)
    two_everywhere = hotel(capacity=2)

    assert two_nights(rooms=2) == [code(two_everywhere)]
    assert two_nights(rooms=1) == [code(one_left_on_the_second_night), code(two_everywhere)]


# --- what a hit costs --------------------------------------------------------------------


def test_a_hits_total_is_the_exact_price_of_the_stay_for_all_rooms_with_taxes():
    offer = cf.hotel_offer(start=CHECK_IN, days=5, extra_child_minor=6000)
    set_slot(offer, day(0), price_minor=40000)
    set_slot(offer, day(1), price_minor=45000)
    for code_, basis, fields in [
        ("service", TaxFee.Basis.PERCENT, {"rate": "10"}),
        ("vat", TaxFee.Basis.PERCENT, {"rate": "6", "is_included": True}),
        ("city", TaxFee.Basis.PER_NIGHT, {"amount_minor": 1000}),
    ]:
        TaxFee.objects.create(
            product=offer.product, code=code_, name_en=code_, name_zh=code_, basis=basis, **fields
        )

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(2), rooms=2, adults=2, children=1))

    (hit,) = page.hits
    # Nights (40000 + 6000) × 2 rooms + (45000 + 6000) × 2 rooms = 194000;
    # service 10 % = 19400; city tax 1000 × 2 nights × 2 rooms = 4000; VAT is included.
    assert hit.offer == offer
    assert hit.quote.subtotal_minor == 194000
    assert hit.quote.taxes_minor == 23400
    assert hit.from_price == cny(217400)
    assert hit.display_price == cny(217400)


def test_the_cheapest_room_of_a_hotel_is_its_hit():
    double = hotel(60000)
    twin = cheaper_room(double, 45000)

    (hit,) = search(SearchQuery(check_in=CHECK_IN, check_out=day(2))).hits

    assert hit.offer == twin
    assert hit.from_price == cny(90000)


def test_a_cheaper_derived_plan_is_the_hit_of_its_hotel():
    standard = hotel(50000)
    derived = derived_offer(standard, "-10")

    (hit,) = search(SearchQuery(check_in=CHECK_IN, check_out=day(2))).hits

    assert hit.offer == derived
    assert hit.from_price == cny(90000)


def test_a_tour_on_a_date_shows_only_departures_that_day_with_seats_for_the_whole_party():
    seats = tour()
    two_seats_left = tour()
    set_slot(two_seats_left, CHECK_IN, sold=8)
    tour(start=day(1))

    page = search(SearchQuery(check_in=CHECK_IN, kind="tour", adults=2, children=1))

    (hit,) = page.hits
    assert hit.offer == seats
    assert hit.from_price == cny(2 * 30000 + 18000)
    assert page.total == 1


def test_an_open_dated_ticket_appears_for_any_date_while_its_quota_lasts():
    open_ticket = cf.open_dated_ticket(quota=100, price_minor=8000)
    nearly_gone = cf.open_dated_ticket(quota=100, price_minor=8000)
    InventorySlot.objects.filter(offer=nearly_gone).update(sold=99)

    page = search(SearchQuery(check_in=day(30), kind="attraction", adults=2))

    (hit,) = page.hits
    assert hit.offer == open_ticket
    assert hit.quote.stay.dates == (None,)
    assert hit.from_price == cny(16000)


def test_a_date_only_search_shows_hotels_priced_for_one_night():
    a_hotel = hotel(50000)
    a_ticket = ticket(12000)

    page = search(SearchQuery(check_in=CHECK_IN, sort="price"))

    assert codes(page) == [code(a_ticket), code(a_hotel)]
    assert [hit.from_price for hit in page.hits] == [cny(24000), cny(50000)]
    assert page.total == 2


# --- order and pages ---------------------------------------------------------------------


def three_hotels() -> list[Offer]:
    return [
        hotel(30000, rating=Decimal("3.9"), popularity=50),
        hotel(50000, rating=Decimal("4.8"), popularity=10),
        hotel(40000, rating=Decimal("4.5"), popularity=200),
    ]


def test_price_sort_is_cheapest_first_and_minus_price_dearest_first():
    cheap, dear, middle = three_hotels()

    assert two_nights(sort="price") == [code(cheap), code(middle), code(dear)]
    assert two_nights(sort="-price") == [code(dear), code(middle), code(cheap)]


def test_rating_sort_is_best_rated_first():
    cheap, dear, middle = three_hotels()

    assert two_nights(sort="rating") == [code(dear), code(middle), code(cheap)]


def test_popularity_sort_is_most_booked_first_and_the_default():
    cheap, dear, middle = three_hotels()

    assert two_nights(sort="popularity") == [code(middle), code(cheap), code(dear)]
    assert two_nights() == [code(middle), code(cheap), code(dear)]


def test_price_sort_orders_by_the_price_shown_including_a_cheaper_derived_plan():
    # 50000 less 20 % = 40000 a night, cheaper than the other hotel's 45000.
    with_derived = hotel(50000)
    derived_offer(with_derived, "-20")
    plain = hotel(45000)

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(1), sort="price"))

    assert [hit.from_price for hit in page.hits] == [cny(40000), cny(45000)]
    assert codes(page) == [code(with_derived), code(plain)]


def test_a_price_range_finds_a_hotel_by_its_cheaper_derived_plan():
    with_derived = hotel(50000)
    derived_offer(with_derived, "-20")

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(1), max_price=42000))

    assert codes(page) == [code(with_derived)]


def test_pages_split_the_results_without_overlap():
    offers = [hotel(price) for price in (10000, 20000, 30000, 40000, 50000)]

    pages = [
        search(SearchQuery(check_in=CHECK_IN, check_out=day(2), sort="price", page=n, page_size=2))
        for n in (1, 2, 3)
    ]

    assert [codes(page) for page in pages] == [
        [code(offers[0]), code(offers[1])],
        [code(offers[2]), code(offers[3])],
        [code(offers[4])],
    ]
    assert [(page.total, page.pages) for page in pages] == [(5, 3), (5, 3), (5, 3)]


def test_a_page_past_the_end_is_empty():
    hotel()

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(2), page=2, page_size=2))

    assert (page.hits, page.total, page.pages) == ([], 1, 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"sort": "cheapest"},
        {"page_size": 0},
        {"page_size": 51},
        {"page": 0},
        {"kind": "cruise"},
    ],
)
def test_an_invalid_sort_page_or_kind_is_refused(fields):
    with pytest.raises(InvalidInput):
        search(SearchQuery(check_in=CHECK_IN, check_out=day(2), **fields))


# --- prices in a display currency --------------------------------------------------------


def test_a_price_range_in_yuan_finds_a_yen_hotel_through_the_exchange_rate():
    ExchangeRate.objects.create(base="CNY", quote="JPY", rate=Decimal("20"), as_of=TODAY)
    hotel(40000)
    yen = hotel(10000, currency="JPY")  # ¥10000 = 500.00 CNY at 1/20
    hotel(60000)

    page = search(
        SearchQuery(
            check_in=CHECK_IN, check_out=day(1), currency="CNY", min_price=45000, max_price=55000
        )
    )

    (hit,) = page.hits
    assert hit.offer == yen
    assert hit.from_price == Money(10000, "JPY")
    assert hit.display_price == cny(50000)
    assert page.total == 1


def test_price_range_bounds_are_inclusive():
    ExchangeRate.objects.create(base="CNY", quote="JPY", rate=Decimal("20"), as_of=TODAY)
    yen = hotel(10000, currency="JPY")

    page = search(
        SearchQuery(check_in=CHECK_IN, check_out=day(1), min_price=50000, max_price=50000)
    )

    assert codes(page) == [code(yen)]


def test_a_price_range_in_yen_converts_yuan_prices_to_whole_yen():
    ExchangeRate.objects.create(base="CNY", quote="JPY", rate=Decimal("20"), as_of=TODAY)
    cheap = hotel(40000)  # 400.00 CNY = ¥8000
    hotel(60000)  # ¥12000

    page = search(SearchQuery(check_in=CHECK_IN, check_out=day(1), currency="JPY", max_price=9000))

    (hit,) = page.hits
    assert hit.offer == cheap
    assert hit.display_price == Money(8000, "JPY")


# --- no dates ------------------------------------------------------------------------------


def test_without_dates_every_product_is_listed_from_its_lowest_upcoming_open_price():
    offer = hotel(50000)
    set_slot(offer, day(1), price_minor=20000, is_closed=True)
    set_slot(offer, day(2), price_minor=45000)
    cf.slots(offer, TODAY - dt.timedelta(days=3), 1, price_minor=10000)  # already past
    open_ticket = cf.open_dated_ticket(price_minor=8000)

    page = search(SearchQuery(sort="price"))

    assert codes(page) == [code(open_ticket), code(offer)]
    assert [(hit.offer, hit.quote) for hit in page.hits] == [(None, None), (None, None)]
    assert [hit.from_price for hit in page.hits] == [cny(8000), cny(45000)]
    assert [hit.display_price for hit in page.hits] == [cny(8000), cny(45000)]
    assert page.total == 2


def test_without_dates_an_inactive_offers_price_is_not_the_from_price():
    offer = hotel(50000)
    retired = cheaper_room(offer, 30000)
    Offer.objects.filter(pk=retired.pk).update(is_active=False)

    (hit,) = search(SearchQuery()).hits

    assert hit.from_price == cny(50000)
