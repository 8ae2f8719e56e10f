"""The catalogue over HTTP: search filters as query parameters, and the cached product page
that shows a change on the very next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omnitrip.catalog.models import (
    Amenity,
    CancellationPolicy,
    Destination,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    TaxFee,
)
from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.freshness import touch_products

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

CHECK_IN = dt.date.today() + dt.timedelta(days=10)
STAY = f"check_in={CHECK_IN}&check_out={CHECK_IN + dt.timedelta(days=2)}"
FREE = [{"days_before": 3, "penalty_percent": "0"}, {"days_before": 0, "penalty_percent": "100"}]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(r["code"] for r in response.json()["results"])


def assert_problem(response, field: str) -> None:
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] in ("invalid_input", "validation_error")
    if body["code"] == "invalid_input":
        assert body["field"] == field
    else:
        assert [e["loc"][-1] for e in body["errors"]] == [field]


# --- search filters -------------------------------------------------------------------------


def test_search_takes_stars_meal_plans_free_cancellation_and_amenities(client):
    wifi = Amenity.objects.create(code="wifi", name_en="Wi-Fi", name_zh="无线网络")
    pool = Amenity.objects.create(code="pool", name_en="Pool", name_zh="泳池")
    grand = cf.hotel_offer(
        start=CHECK_IN,
        days=5,
        cancellation=cf.policy("free", FREE),
        product_fields={"star_rating": 5},
    )
    grand.product.amenities.add(wifi, pool)
    budget = cf.hotel_offer(
        start=CHECK_IN,
        days=5,
        cancellation=cf.policy("non_refundable"),
        product_fields={"star_rating": 2},
    )
    budget.product.amenities.add(wifi)
    RatePlan.objects.filter(pk=budget.rate_plan_id).update(meal_plan="RO")
    both = sorted([grand.product.code, budget.product.code])

    assert codes(client.get(f"/api/v1/products?{STAY}")) == both
    assert codes(client.get(f"/api/v1/products?{STAY}&stars_min=4")) == [grand.product.code]
    assert codes(client.get(f"/api/v1/products?{STAY}&meal_plan=ro")) == [budget.product.code]
    assert codes(client.get(f"/api/v1/products?{STAY}&meal_plan=RO,BB")) == both
    assert codes(client.get(f"/api/v1/products?{STAY}&meal_plan=RO&meal_plan=BB")) == both
    assert codes(client.get(f"/api/v1/products?{STAY}&free_cancellation=true")) == [
        grand.product.code
    ]
    assert codes(client.get(f"/api/v1/products?{STAY}&amenity=wifi")) == both
    assert codes(client.get(f"/api/v1/products?{STAY}&amenity=wifi,pool")) == [grand.product.code]
    assert codes(client.get(f"/api/v1/products?{STAY}&amenity=wifi&amenity=pool")) == [
        grand.product.code
    ]


def test_search_says_how_many_matching_products_are_sold_out(client):
    cf.hotel_offer(start=CHECK_IN, days=5)
    full = cf.hotel_offer(start=CHECK_IN, days=5, capacity=1)
    InventorySlot.objects.filter(offer=full).update(sold=1)

    body = client.get(f"/api/v1/products?{STAY}").json()

    assert (body["total"], body["unavailable"]) == (1, 1)
    assert client.get("/api/v1/products").json()["unavailable"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stars_min=0", "stars_min"),
        ("stars_min=6", "stars_min"),
        ("stars_min=many", "stars_min"),
        ("meal_plan=XX", "meal_plan"),
        ("amenity=helipad", "amenity"),
        ("free_cancellation=perhaps", "free_cancellation"),
    ],
)
def test_a_bad_filter_is_refused_with_a_problem(client, query, field):
    cf.hotel_offer(start=CHECK_IN, days=5)

    assert_problem(client.get(f"/api/v1/products?{STAY}&{query}"), field)


# --- the cached product page ----------------------------------------------------------------


def page(client, code: str, query: str = "") -> dict:
    response = client.get(f"/api/v1/products/{code}{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def test_a_cached_product_page_is_the_page_itself_and_costs_one_query(
    client, django_assert_num_queries
):
    offer = cf.hotel_offer(start=CHECK_IN, days=5)
    first = client.get(f"/api/v1/products/{offer.product.code}")

    with django_assert_num_queries(1):  # the product's stamp; the page comes from the cache
        again = client.get(f"/api/v1/products/{offer.product.code}")

    assert again.content == first.content
    assert again.json()["offers"][0]["code"] == offer.code


CHANGES = {
    "the product's title": lambda o: _with(
        Product.objects.get(pk=o.product_id), title_en="Renamed hotel"
    ).save(),
    "an offer's name": lambda o: _with(Offer.objects.get(pk=o.pk), name_en="Renamed").save(),
    "a new offer": lambda o: Offer.objects.create(
        product=o.product,
        code=f"{o.code}-2",
        name_en="Second",
        name_zh="第二",
        rate_plan=o.rate_plan,
    ),
    "an offer withdrawn": lambda o: Offer.objects.get(pk=o.pk).delete(),
    "the rate plan's meal plan": lambda o: _with(
        RatePlan.objects.get(pk=o.rate_plan_id), meal_plan="HB"
    ).save(),
    "a tax": lambda o: TaxFee.objects.create(
        product=o.product, code="city", name_en="City tax", name_zh="城市税", basis="per_booking"
    ),
    "an image": lambda o: ProductImage.objects.create(product=o.product, image="products/x.jpg"),
    "an amenity added": lambda o: o.product.amenities.add(
        Amenity.objects.create(code="spa", name_en="Spa", name_zh="水疗")
    ),
    "the cancellation policy's rules": lambda o: _with(
        CancellationPolicy.objects.get(pk=o.rate_plan.cancellation_policy_id), rules=FREE
    ).save(),
    "the destination's name": lambda o: _with(
        Destination.objects.get(pk=o.product.destination_id), name_en="Renamed place"
    ).save(),
    "the supplier's name": lambda o: _with(o.product.supplier, name_en="Renamed supplier").save(),
    "a bulk update with touch_products": lambda o: (
        Offer.objects.filter(pk=o.pk).update(name_en="Bulk renamed"),
        touch_products([o.product_id]),
    ),
}


def _with(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_what_the_page_shows_is_visible_on_the_next_request(client, change):
    offer = cf.hotel_offer(start=CHECK_IN, days=5)
    code = offer.product.code
    before = page(client, code)
    assert page(client, code) == before  # cached

    change(offer)

    assert page(client, code) != before


def test_the_language_and_currency_asked_for_are_part_of_the_cache_key(
    client, django_assert_num_queries
):
    code = cf.hotel_offer(start=CHECK_IN, days=5).product.code
    page(client, code, "?lang=zh-hans&currency=usd")

    with django_assert_num_queries(1):
        page(client, code, "?lang=ZH-HANS&currency=USD")  # the same key, normalised
    with CaptureQueriesContext(connection) as other_language:
        page(client, code, "?lang=en&currency=usd")
    assert len(other_language) > 1  # another key: built again


def test_an_unpublished_product_is_not_served_from_the_cache(client):
    offer = cf.hotel_offer(start=CHECK_IN, days=5)
    page(client, offer.product.code)

    Product.objects.filter(pk=offer.product_id).update(status="suspended")

    assert client.get(f"/api/v1/products/{offer.product.code}").status_code == 404
