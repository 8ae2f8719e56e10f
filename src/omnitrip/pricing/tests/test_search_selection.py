"""The page a dated search picks in SQL is the page a brute-force reading of the rules picks.

The brute force below reads every slot of a small catalogue in Python and applies the
search's rules one by one (every night open with enough units, arrival and departure
rules, derived plans night by night, the cheapest offer per product, the display price,
the sort with its tie-breaks); ``search()`` must choose the same products in the same
order, with the same total, for every sort, filter and page tried.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from omnitrip.catalog.models import Offer, Product, ProductKind, ProductStatus, RatePlan
from omnitrip.catalog.tests import factories as cf
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.models import ExchangeRate
from omnitrip.pricing.quotes import derived_price
from omnitrip.pricing.search import SearchQuery, search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

CHECK_IN = dt.date.today() + dt.timedelta(days=10)
JPY_TO_CNY = Decimal("0.04800000")


def _catalogue(seed: int) -> None:
    rng = random.Random(seed)
    tree = cf.destination_tree()
    ExchangeRate.objects.create(base="JPY", quote="CNY", rate=JPY_TO_CNY, as_of=dt.date.today())
    for n in range(14):
        currency = "JPY" if n % 5 == 4 else "CNY"
        scale = 20 if currency == "JPY" else 1
        standard = cf.hotel_offer(
            start=CHECK_IN,
            days=4,
            capacity=rng.choice([1, 2, 5]),
            price_minor=rng.choice([30000, 30000, 42000, 55500]) * scale,
            product_fields={
                "destination": rng.choice([tree["kunming"], tree["dianchi"], tree["cn"]]),
                "currency": currency,
                "rating": Decimal(rng.choice(["4.50", "4.80", "3.90"])),
                "popularity": rng.choice([0, 10, 10, 50]),
            },
        )
        slots = list(InventorySlot.objects.filter(offer=standard).order_by("date"))
        for slot in slots:  # nightly prices differ, so derived rounding works per night
            slot.price_minor += rng.choice([0, 0, 150, 333]) * scale
            slot.is_closed = rng.random() < 0.05
            slot.min_stay = rng.choice([1, 1, 1, 3])
            slot.closed_to_departure = rng.random() < 0.1
            slot.save()
        if rng.random() < 0.6:
            plan = standard.rate_plan
            assert plan is not None
            percent = rng.random() < 0.5
            derived_plan = RatePlan.objects.create(
                product=standard.product,
                code="derived",
                name_en="Derived",
                name_zh="派生",
                meal_plan="RO",
                cancellation_policy=plan.cancellation_policy,
                parent=plan,
                derivation=RatePlan.Derivation.PERCENT if percent else RatePlan.Derivation.AMOUNT,
                derivation_value=rng.choice(["-12.5", "7.333", "-10"])
                if percent
                else rng.choice(["-3000.5", "1500", "-2999.5"]),
            )
            Offer.objects.create(
                product=standard.product,
                code=f"{standard.code}-d",
                name_en="Derived",
                name_zh="派生",
                room_type=standard.room_type,
                rate_plan=derived_plan,
                inventory_pool=standard,
                is_active=rng.random() < 0.9,
            )
    for _ in range(8):
        kind = rng.choice([ProductKind.TOUR, ProductKind.ATTRACTION, ProductKind.TRANSPORT])
        offer = cf.dated_offer(
            kind,
            start=CHECK_IN,
            days=3,
            capacity=rng.choice([1, 4, 10]),
            price_minor=rng.choice([12000, 12000, 30000]),
            product_fields={"popularity": rng.choice([0, 10, 50]), "destination": tree["kunming"]},
        )
        if rng.random() < 0.2:
            InventorySlot.objects.filter(offer=offer, date=CHECK_IN).update(sold=1)
    for _ in range(3):
        cf.open_dated_ticket(
            quota=rng.choice([1, 50]),
            price_minor=rng.choice([8000, 12000]),
            destination=tree["dianchi"],
        )
    draft = cf.hotel_offer(start=CHECK_IN, days=4, price_minor=100)
    Product.objects.filter(pk=draft.product_id).update(status=ProductStatus.DRAFT)


def _units(kind: str, query: SearchQuery) -> int:
    return query.rooms if kind == ProductKind.HOTEL else query.adults + query.children


def _brute_force(query: SearchQuery) -> tuple[list[str], int]:
    """Every product's cheapest base price, read slot by slot; then filter, sort and page."""
    check_out = query.check_out
    if query.kind in (None, ProductKind.HOTEL) and check_out is None:
        check_out = query.check_in + dt.timedelta(days=1)
    nights = (check_out - query.check_in).days if check_out else 0
    rule_nights = max(nights, 1)
    slots = {(s.offer_id, s.date): s for s in InventorySlot.objects.all()}
    prices: dict[int, int] = {}
    offers = Offer.objects.filter(is_active=True).select_related(
        "product", "rate_plan", "inventory_pool"
    )
    for offer in offers:
        product = offer.product
        if product.status != ProductStatus.PUBLISHED or (query.kind and product.kind != query.kind):
            continue
        if query.destination and not product.destination_path.startswith("/cn/yunnan/"):
            continue
        pool = offer.inventory_pool
        if pool is not None and (not pool.is_active or offer.rate_plan.parent_id is None):
            continue
        inventory_id = offer.inventory_offer_id
        units = _units(product.kind, query)
        if (inventory_id, None) in slots:
            needed = [slots[(inventory_id, None)]]
        elif product.kind == ProductKind.HOTEL:
            dates = [query.check_in + dt.timedelta(days=i) for i in range(rule_nights)]
            needed = [slots.get((inventory_id, d)) for d in dates]
        else:
            needed = [slots.get((inventory_id, query.check_in))]
        if any(s is None or s.is_closed or s.remaining < units for s in needed):
            continue
        first = needed[0]
        if first.date is not None and (
            first.closed_to_arrival
            or first.min_stay > rule_nights
            or (first.max_stay is not None and first.max_stay < rule_nights)
        ):
            continue
        departure = slots.get((inventory_id, check_out)) if check_out and nights else None
        if product.kind == ProductKind.HOTEL and departure and departure.closed_to_departure:
            continue
        nightly = [
            derived_price(offer.rate_plan, s.price_minor) if pool else s.price_minor for s in needed
        ]
        base = sum(nightly) * units
        prices[product.pk] = min(prices.get(product.pk, base), base)

    rows: list[dict[str, Any]] = []
    for product in Product.objects.filter(pk__in=prices):
        display = prices[product.pk]
        if product.currency != query.currency:
            rate = (
                JPY_TO_CNY if query.currency == "CNY" else Decimal(1) / JPY_TO_CNY
            )  # the only pair with a rate
            display = Money.from_decimal(
                Money(prices[product.pk], product.currency).amount * rate, query.currency
            ).amount_minor
        if query.min_price is not None and display < query.min_price:
            continue
        if query.max_price is not None and display > query.max_price:
            continue
        rows.append(
            {
                "code": product.code,
                "pk": product.pk,
                "display": display,
                "rating": product.rating,
                "popularity": product.popularity,
            }
        )
    keys = {
        "price": lambda r: (r["display"], r["pk"]),
        "-price": lambda r: (-r["display"], r["pk"]),
        "rating": lambda r: (-r["rating"], r["display"], r["pk"]),
        "popularity": lambda r: (-r["popularity"], r["display"], r["pk"]),
    }
    rows.sort(key=keys[query.sort])
    first_row = (query.page - 1) * query.page_size
    return [r["code"] for r in rows[first_row : first_row + query.page_size]], len(rows)


QUERIES = [
    {"sort": "price"},
    {"sort": "-price", "page_size": 4, "page": 2},
    {"sort": "rating", "page_size": 5},
    {"sort": "popularity", "page_size": 3, "page": 3},
    {"sort": "price", "kind": "hotel", "check_out": CHECK_IN + dt.timedelta(days=2)},
    {"sort": "price", "kind": "hotel", "rooms": 2, "check_out": CHECK_IN + dt.timedelta(days=3)},
    {"sort": "price", "min_price": 24000, "max_price": 60000},
    {"sort": "-price", "max_price": 30000, "page_size": 2, "page": 2},
    {"sort": "price", "destination": "yunnan", "adults": 3},
    {"sort": "popularity", "kind": "tour", "adults": 2, "children": 1},
    {"sort": "price", "kind": "attraction", "page_size": 50},
    {"sort": "price", "currency": "JPY"},
    {"sort": "rating", "currency": "JPY", "min_price": 500000},
    {"sort": "price", "page": 40},
]


@pytest.mark.parametrize("seed", [7, 2026])
def test_the_page_chosen_in_sql_is_the_page_a_brute_force_reading_of_the_slots_chooses(seed):
    _catalogue(seed)
    shown = 0
    for fields in QUERIES:
        query = SearchQuery(check_in=CHECK_IN, **fields)
        expected_codes, expected_total = _brute_force(query)

        page = search(query)

        assert [hit.product.code for hit in page.hits] == expected_codes, fields
        assert page.total == expected_total, fields
        shown += len(page.hits)
    assert shown >= 40  # the queries find plenty: the comparison is not of empty pages
