"""Search filters for the storefront: stars, meal plan, free cancellation, amenities, and
how many matching products are sold out for the dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omnitrip.catalog.models import Amenity, CancellationPolicy, Offer, ProductKind, RatePlan
from omnitrip.catalog.tests import factories as cf
from omnitrip.core.errors import InvalidInput
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.policy import penalty_percent
from omnitrip.pricing.bookable import free_to_cancel, penalty_percent_at
from omnitrip.pricing.search import SearchQuery, search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
CHECK_IN = TODAY + dt.timedelta(days=10)
FREE_UNTIL_3_DAYS = [
    {"days_before": 3, "penalty_percent": "0"},
    {"days_before": 1, "penalty_percent": "50"},
    {"days_before": 0, "penalty_percent": "100"},
]


def hotel(price: int = 50000, *, start: dt.date = CHECK_IN, cancellation=None, **product_fields):
    return cf.hotel_offer(
        start=start,
        days=5,
        price_minor=price,
        cancellation=cancellation,
        product_fields=product_fields,
    )


def derived(standard: Offer, *, meal_plan: str, policy: CancellationPolicy, percent="-10"):
    plan = RatePlan.objects.create(
        product=standard.product,
        code=f"derived-{meal_plan.lower()}",
        name_en="Derived",
        name_zh="派生",
        meal_plan=meal_plan,
        cancellation_policy=policy,
        parent=standard.rate_plan,
        derivation=RatePlan.Derivation.PERCENT,
        derivation_value=percent,
    )
    return Offer.objects.create(
        product=standard.product,
        code=f"{standard.code}-{meal_plan.lower()}",
        name_en="Derived",
        name_zh="派生",
        room_type=standard.room_type,
        rate_plan=plan,
        inventory_pool=standard,
    )


def found(check_in: dt.date = CHECK_IN, **fields) -> list[str]:
    page = search(
        SearchQuery(check_in=check_in, check_out=check_in + dt.timedelta(days=2), **fields)
    )
    return sorted(hit.product.code for hit in page.hits)


def hit_offers(**fields) -> dict[str, str]:
    page = search(
        SearchQuery(check_in=CHECK_IN, check_out=CHECK_IN + dt.timedelta(days=2), **fields)
    )
    return {hit.product.code: hit.offer.code for hit in page.hits if hit.offer}


# --- stars --------------------------------------------------------------------------------


def test_a_minimum_star_rating_keeps_hotels_with_at_least_that_many_stars():
    three = hotel(star_rating=3)
    four = hotel(star_rating=4)
    five = hotel(star_rating=5)
    unrated = hotel(star_rating=None)
    cf.dated_offer(ProductKind.TOUR, start=CHECK_IN, days=3)

    assert found(star_rating_min=4) == sorted([four.product.code, five.product.code])
    assert found(star_rating_min=3) == sorted(
        [three.product.code, four.product.code, five.product.code]
    )
    assert unrated.product.code in found()


@pytest.mark.parametrize("stars", [0, 6])
def test_a_star_rating_outside_one_to_five_is_refused(stars):
    with pytest.raises(InvalidInput) as refused:
        search(SearchQuery(check_in=CHECK_IN, star_rating_min=stars))
    assert refused.value.extra["field"] == "stars_min"


# --- meal plans ---------------------------------------------------------------------------


def test_a_meal_plan_filter_keeps_offers_with_that_meal_plan_including_derived_plans():
    breakfast = hotel(60000)  # the factory's standard plan includes breakfast (BB)
    room_only = hotel(40000)
    RatePlan.objects.filter(pk=room_only.rate_plan_id).update(meal_plan="RO")
    room_only_with_half_board = hotel(45000)
    RatePlan.objects.filter(pk=room_only_with_half_board.rate_plan_id).update(meal_plan="RO")
    half_board = derived(
        room_only_with_half_board,
        meal_plan="HB",
        policy=room_only_with_half_board.rate_plan.cancellation_policy,
        percent="20",
    )
    cf.dated_offer(ProductKind.TOUR, start=CHECK_IN, days=3)

    assert found(meal_plans=("BB",)) == [breakfast.product.code]
    assert found(meal_plans=("HB", "BB")) == sorted(
        [breakfast.product.code, room_only_with_half_board.product.code]
    )
    # The hit is the half-board offer, dearer than the room-only one the hotel also sells.
    assert hit_offers(meal_plans=("HB",)) == {half_board.product.code: half_board.code}
    assert found(meal_plans=("AI",)) == []


def test_an_unknown_meal_plan_is_refused():
    with pytest.raises(InvalidInput) as refused:
        search(SearchQuery(check_in=CHECK_IN, meal_plans=("XX",)))
    assert refused.value.extra["field"] == "meal_plan"


# --- free cancellation --------------------------------------------------------------------


def test_free_cancellation_keeps_offers_a_booking_made_today_could_cancel_for_nothing():
    flexible = hotel(cancellation=cf.policy("free", FREE_UNTIL_3_DAYS))
    non_refundable = hotel(cancellation=cf.policy("non_refundable"))
    # Free until the day before arrival, but charging 100 % in the last day.
    free_until_the_day_before = hotel(
        cancellation=cf.policy(
            "free",
            [
                {"days_before": 1, "penalty_percent": "0"},
                {"days_before": 0, "penalty_percent": "100"},
            ],
        )
    )
    tour = cf.dated_offer(
        ProductKind.TOUR, start=CHECK_IN, days=3, cancellation=cf.policy("free", FREE_UNTIL_3_DAYS)
    )

    assert found(free_cancellation=True) == sorted(
        [flexible.product.code, free_until_the_day_before.product.code, tour.product.code]
    )
    assert non_refundable.product.code in found()


def test_free_cancellation_depends_on_how_far_ahead_the_stay_starts():
    soon = TODAY + dt.timedelta(days=2)  # inside the 3 days: cancelling would cost 50 %
    flexible = hotel(start=soon, cancellation=cf.policy("free", FREE_UNTIL_3_DAYS))

    assert found(soon, free_cancellation=True) == []
    assert found(soon) == [flexible.product.code]


def test_a_free_cancellation_search_finds_a_hotel_by_its_flexible_derived_plan():
    standard = hotel(40000, cancellation=cf.policy("non_refundable"))
    flexible = derived(
        standard,
        meal_plan="BB",
        policy=cf.policy("free", FREE_UNTIL_3_DAYS),
        percent="15",
    )

    assert hit_offers(free_cancellation=True) == {standard.product.code: flexible.code}
    assert hit_offers() == {standard.product.code: standard.code}


def test_the_free_cancellation_rule_is_the_penalty_rule_orders_apply():
    policies = [
        {"kind": "free", "rules": FREE_UNTIL_3_DAYS},
        {"kind": "free", "rules": [{"days_before": 0, "penalty_percent": "0"}]},
        {"kind": "free", "rules": [{"days_before": 7, "penalty_percent": "10"}]},
        {"kind": "free", "rules": []},
        {"kind": "non_refundable", "rules": [{"days_before": 0, "penalty_percent": "100"}]},
    ]
    for policy in policies:
        for days in range(-1, 10):
            expected = penalty_percent(policy, days)
            assert free_to_cancel(policy["kind"], policy["rules"], days) == (expected == 0)
            if policy["kind"] == "free":
                assert penalty_percent_at(policy["rules"], days) == expected
    assert penalty_percent_at(FREE_UNTIL_3_DAYS, 2) == Decimal(50)


# --- amenities ----------------------------------------------------------------------------


def test_amenities_keep_products_that_have_every_one_of_them():
    wifi = Amenity.objects.create(code="wifi", name_en="Wi-Fi", name_zh="无线网络")
    pool = Amenity.objects.create(code="pool", name_en="Pool", name_zh="泳池")
    both = hotel()
    both.product.amenities.add(wifi, pool)
    wifi_only = hotel()
    wifi_only.product.amenities.add(wifi)
    hotel()

    assert found(amenities=("wifi", "pool")) == [both.product.code]
    assert found(amenities=("wifi",)) == sorted([both.product.code, wifi_only.product.code])
    assert len(found()) == 3


def test_an_unknown_amenity_is_refused():
    with pytest.raises(InvalidInput) as refused:
        search(SearchQuery(check_in=CHECK_IN, amenities=("helipad",)))
    assert refused.value.extra["field"] == "amenity"


# --- sold out -----------------------------------------------------------------------------


def test_the_page_says_how_many_matching_products_are_sold_out_for_the_dates():
    hotel(40000)
    hotel(50000)
    sold_out = hotel(45000)
    InventorySlot.objects.filter(offer=sold_out, date=CHECK_IN + dt.timedelta(days=1)).update(
        sold=5
    )
    closed = hotel(30000)
    InventorySlot.objects.filter(offer=closed, date=CHECK_IN).update(is_closed=True)
    cf.dated_offer(ProductKind.TOUR, start=CHECK_IN, days=3)

    stay = {"check_in": CHECK_IN, "check_out": CHECK_IN + dt.timedelta(days=2)}
    hotels = search(SearchQuery(kind="hotel", **stay))
    # A price range leaves out an available hotel, which is not "sold out".
    cheap = search(SearchQuery(kind="hotel", max_price=80000, **stay))
    undated = search(SearchQuery(kind="hotel"))

    assert (hotels.total, hotels.unavailable) == (2, 2)
    assert (cheap.total, cheap.unavailable) == (1, 2)
    assert undated.unavailable == 0
    assert search(SearchQuery(**stay)).unavailable == 2  # every kind: the tour is available
