"""Search: what is bookable for these dates and guests, with the total for the stay.

Availability is decided in one grouped query over inventory slots (every needed date
present, open and with enough units left; the arrival date's stay rules), so no Python
loop runs per product. The exact itemised total is then computed by the same pricing code
the checkout uses, for the offers of the page being shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, cast

from django.db.models import Count, F, Min, Q, QuerySet, Sum

from omnitrip.catalog.models import Destination, Offer, Product, ProductKind, ProductStatus
from omnitrip.core.errors import InvalidInput, NotFound
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot

from .errors import InvalidDates, NoExchangeRate, NotBookable
from .quotes import ItemQuote, derived_price
from .requests import BOOKING_HORIZON_DAYS, MAX_NIGHTS, ItemRequest, Stay, local_today, resolve
from .services import exchange_rate, quote_stay, slot_filter

SORTS = {"price", "-price", "rating", "popularity"}
KINDS = set(ProductKind.values)

ToDisplay = Callable[[Money], "Money | None"]


class _Candidate(TypedDict):
    """A product row being filtered and sorted by price (``display`` is added in place)."""

    pk: int
    currency: str
    rating: Decimal
    popularity: int
    # The base price in the display currency (minor units); None without an exchange rate.
    display: NotRequired[int | None]


@dataclass(frozen=True)
class SearchQuery:
    destination: str | None = None
    check_in: dt.date | None = None
    check_out: dt.date | None = None
    adults: int = 2
    children: int = 0
    rooms: int = 1
    kind: str | None = None
    text: str | None = None
    min_price: int | None = None  # minor units of ``currency``
    max_price: int | None = None
    currency: str = "CNY"
    sort: str = "popularity"
    page: int = 1
    page_size: int = 20


@dataclass
class SearchHit:
    product: Product
    offer: Offer | None
    quote: ItemQuote | None  # None when no dates were given: ``from_price`` is indicative
    from_price: Money | None
    display_price: Money | None


@dataclass
class SearchPage:
    query: SearchQuery
    total: int
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def _validate(query: SearchQuery) -> None:
    if query.kind and query.kind not in KINDS:
        raise InvalidInput(f"Unknown kind {query.kind!r}", field="kind")
    if query.sort not in SORTS:
        raise InvalidInput(f"Sort must be one of {sorted(SORTS)}", field="sort")
    if not 1 <= query.page_size <= 50 or query.page < 1 or query.page > 1000:
        raise InvalidInput("page must be ≥ 1 and page_size between 1 and 50", field="page")
    if not 1 <= query.rooms <= 9 or not 1 <= query.adults <= 30 or not 0 <= query.children <= 10:
        raise InvalidInput("Rooms 1–9, adults 1–30 and children 0–10", field="adults")
    if query.check_out and not query.check_in:
        raise InvalidDates("Give a check-in date with the check-out date", field="check_in")
    if query.check_in:
        today = dt.date.today() - dt.timedelta(days=1)  # the earliest zone's today, roughly
        if query.check_in < today:
            raise InvalidDates("The date is in the past", field="check_in")
        if (query.check_in - today).days > BOOKING_HORIZON_DAYS:
            raise InvalidDates("The date is too far ahead", field="check_in")
        if query.check_out is not None:
            if query.check_out <= query.check_in:
                raise InvalidDates("Check-out must be after check-in", field="check_out")
            if (query.check_out - query.check_in).days > MAX_NIGHTS:
                raise InvalidDates(f"Stays are limited to {MAX_NIGHTS} nights", field="check_out")
    if (
        query.min_price is not None
        and query.max_price is not None
        and query.min_price > query.max_price
    ):
        raise InvalidInput("min_price is above max_price", field="min_price")


def _products(query: SearchQuery) -> QuerySet[Product]:
    products = Product.objects.filter(status=ProductStatus.PUBLISHED)
    if query.destination:
        path = (
            Destination.objects.filter(code=query.destination)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            raise NotFound(f"Unknown destination {query.destination!r}", field="destination")
        products = products.filter(destination_path__startswith=path)
    if query.kind:
        products = products.filter(kind=query.kind)
    if query.text:
        for word in query.text.lower().split()[:6]:
            products = products.filter(search_text__contains=word)
    return products


def _units(kind: str, query: SearchQuery) -> int:
    if kind == ProductKind.HOTEL:
        return query.rooms
    if kind in (ProductKind.TOUR, ProductKind.TRANSPORT):
        return query.adults + query.children
    return query.adults + query.children  # tickets: one per visitor


def _available_inventory_offers(products: QuerySet[Product], query: SearchQuery) -> dict[int, int]:
    """``{inventory offer id: base total}`` of offers bookable on the query's dates."""
    start = query.check_in
    assert start is not None
    nights = (query.check_out - start).days if query.check_out else 0
    hotel_dates = [start + dt.timedelta(days=i) for i in range(max(nights, 1))]
    found: dict[int, int] = {}
    by_kind = {
        ProductKind.HOTEL: hotel_dates,
        ProductKind.TOUR: [start],
        ProductKind.TRANSPORT: [start],
        ProductKind.ATTRACTION: [start],
    }
    for kind, dates in by_kind.items():
        if query.kind and query.kind != kind:
            continue
        units = _units(kind, query)
        slots = InventorySlot.objects.filter(
            offer__product__in=products.filter(kind=kind),
            offer__is_active=True,
            offer__inventory_pool__isnull=True,
            date__in=dates,
            is_closed=False,
        )
        rows = (
            slots.values("offer_id")
            .annotate(
                n=Count("id"),
                total=Sum("price_minor"),
                tight=Min(F("capacity") - F("held") - F("sold")),
                blocked=Count(
                    "id",
                    filter=Q(date=start)
                    & (
                        Q(closed_to_arrival=True)
                        | Q(min_stay__gt=max(nights, 1))
                        | Q(max_stay__lt=max(nights, 1))
                    ),
                ),
            )
            .filter(n=len(dates), tight__gte=units, blocked=0)
        )
        bookable = {row["offer_id"]: row["total"] for row in rows}
        if kind == ProductKind.HOTEL and nights and bookable:
            # The check-out day's own slot may forbid departures that day.
            bookable = _without_closed_departures(bookable, query.check_out)
        found.update(bookable)
    # Open-dated tickets: bookable on any date while their quota lasts.
    if query.kind in (None, ProductKind.ATTRACTION):
        units = _units(ProductKind.ATTRACTION, query)
        for row in InventorySlot.objects.filter(
            offer__product__in=products.filter(kind=ProductKind.ATTRACTION),
            offer__is_active=True,
            date__isnull=True,
            is_closed=False,
        ).values("offer_id", "price_minor", "capacity", "held", "sold"):
            if row["capacity"] - row["held"] - row["sold"] >= units:
                found[row["offer_id"]] = row["price_minor"]
    return found


def _without_closed_departures(
    bookable: dict[int, int], check_out: dt.date | None
) -> dict[int, int]:
    closed = set(
        InventorySlot.objects.filter(
            offer_id__in=list(bookable), date=check_out, closed_to_departure=True
        ).values_list("offer_id", flat=True)
    )
    return {offer_id: total for offer_id, total in bookable.items() if offer_id not in closed}


def _base_prices(totals: dict[int, int], query: SearchQuery) -> dict[int, tuple[int, int]]:
    """``{offer id: (product id, base price)}`` for every bookable offer, derived plans included.

    The base price is what the units cost before occupancy charges, stay discounts and
    taxes: nightly rates (a derived plan's rule applied night by night, as the quote does)
    times rooms, or the unit price times units. It orders and filters candidates; the hit
    then shows the exact quote.
    """
    rows = Offer.objects.filter(pk__in=totals).values_list("pk", "product_id", "product__kind")
    prices = {pk: (product_id, totals[pk] * _units(kind, query)) for pk, product_id, kind in rows}
    derived = list(
        Offer.objects.filter(inventory_pool_id__in=totals, is_active=True)
        .select_related("rate_plan", "product")
        .only("pk", "product_id", "product__kind", "inventory_pool_id", "rate_plan")
    )
    if not derived or query.check_in is None:
        return prices
    nights = max(((query.check_out or query.check_in) - query.check_in).days, 1)
    dates = [query.check_in + dt.timedelta(days=i) for i in range(nights)]
    nightly: dict[int, list[int]] = {}
    for offer_id, price in InventorySlot.objects.filter(
        offer_id__in={d.inventory_pool_id for d in derived}, date__in=dates
    ).values_list("offer_id", "price_minor"):
        nightly.setdefault(offer_id, []).append(price)
    for offer in derived:
        plan = offer.rate_plan
        pool_prices = nightly.get(offer.inventory_pool_id or 0, [])
        if plan is None or not plan.parent_id or not pool_prices:
            continue
        base = sum(derived_price(plan, price) for price in pool_prices)
        prices[offer.pk] = (offer.product_id, base * _units(offer.product.kind, query))
    return prices


def _filter_and_sort(
    candidates: list[_Candidate], prices: dict[int, int], query: SearchQuery, to_display: ToDisplay
) -> list[_Candidate]:
    for row in candidates:
        shown = to_display(Money(prices[row["pk"]], row["currency"]))
        row["display"] = shown.amount_minor if shown is not None else None
    if query.min_price is not None or query.max_price is not None:
        candidates = [
            c
            for c in candidates
            if c["display"] is not None
            and (query.min_price is None or c["display"] >= query.min_price)
            and (query.max_price is None or c["display"] <= query.max_price)
        ]
    candidates.sort(key=_sort_key(query.sort))
    return candidates


def _request_for(offer: Offer, query: SearchQuery) -> ItemRequest:
    kind = offer.product.kind
    if offer.is_open_dated:
        return ItemRequest(
            offer.code, None, None, _units(kind, query), query.adults, query.children
        )
    if kind == ProductKind.HOTEL:
        return ItemRequest(
            offer.code, query.check_in, query.check_out, query.rooms, query.adults, query.children
        )
    if kind == ProductKind.ATTRACTION:
        return ItemRequest(
            offer.code, query.check_in, None, _units(kind, query), query.adults, query.children
        )
    return ItemRequest(offer.code, query.check_in, None, 1, query.adults, query.children)


def search(query: SearchQuery) -> SearchPage:
    """One page of bookable products for the query, each with its cheapest exact total."""
    _validate(query)
    if query.kind in (None, ProductKind.HOTEL) and query.check_in and not query.check_out:
        query = SearchQuery(
            **{**query.__dict__, "check_out": query.check_in + dt.timedelta(days=1)}
        )
    products = _products(query)
    rates: dict[str, Decimal | None] = {}

    def to_display(amount: Money) -> Money | None:
        if amount.currency not in rates:
            try:
                rates[amount.currency] = exchange_rate(amount.currency, query.currency)
            except NoExchangeRate:  # shown in its own currency, left out of price filters
                rates[amount.currency] = None
        rate = rates[amount.currency]
        if rate is None:
            return None
        return Money.from_decimal(amount.amount * rate, query.currency)

    if query.check_in is None:
        return _search_undated(products, query, to_display)

    totals = _available_inventory_offers(products, query)
    if not totals:
        return SearchPage(query, 0)
    # Cheapest base price per product, derived plans included.
    per_product: dict[int, int] = {}
    for product_id, base in _base_prices(totals, query).values():
        per_product[product_id] = min(per_product.get(product_id, base), base)
    candidates = cast(
        "list[_Candidate]",
        list(
            Product.objects.filter(pk__in=per_product).values(
                "pk", "currency", "rating", "popularity"
            )
        ),
    )
    candidates = _filter_and_sort(candidates, per_product, query, to_display)
    start = (query.page - 1) * query.page_size
    page_ids = [c["pk"] for c in candidates[start : start + query.page_size]]
    hits = _exact_hits(page_ids, totals, query, to_display)
    return SearchPage(query, len(candidates), hits)


def _sort_key(sort: str) -> Callable[[_Candidate], tuple[Any, ...]]:
    def price(c: _Candidate) -> tuple[bool, int]:  # no display price: after the others
        display = c.get("display")
        return (display is None, display or 0)

    if sort == "price":
        return lambda c: (*price(c), c["pk"])
    if sort == "-price":
        return lambda c: (c.get("display") is None, -(c.get("display") or 0), c["pk"])
    if sort == "rating":
        return lambda c: (-c["rating"], *price(c), c["pk"])
    return lambda c: (-c["popularity"], *price(c), c["pk"])


def _exact_hits(
    page_ids: list[int], totals: dict[int, int], query: SearchQuery, to_display: ToDisplay
) -> list[SearchHit]:
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=page_ids)
        .select_related("destination", "supplier")
        .prefetch_related("taxes", "images")
    }
    offers = list(
        Offer.objects.filter(product_id__in=page_ids, is_active=True)
        .filter(Q(pk__in=totals) | Q(inventory_pool_id__in=totals))
        .select_related(
            "product",
            "room_type",
            "rate_plan",
            "rate_plan__cancellation_policy",
            "cancellation_policy",
        )
        .prefetch_related("rate_plan__length_of_stay_discounts", "product__taxes")
    )
    slot_query = Q(pk__in=[])
    requests: dict[int, Stay] = {}
    stay: Stay | None
    for offer in offers:
        try:
            stay = resolve(offer, _request_for(offer, query))
        except InvalidInput:
            continue
        requests[offer.pk] = stay
        slot_query |= slot_filter(stay)
    slots = list(InventorySlot.objects.filter(slot_query)) if requests else []
    best: dict[int, tuple[Offer, ItemQuote]] = {}
    for offer in offers:
        stay = requests.get(offer.pk)
        if stay is None:
            continue
        try:
            quote = quote_stay(stay, slots)
        except (InvalidInput, NotBookable):
            continue
        current = best.get(offer.product_id)
        if current is None or quote.total_minor < current[1].total_minor:
            best[offer.product_id] = (offer, quote)
    hits = []
    for pk in page_ids:
        if pk not in best:
            continue  # e.g. no room type fits the party
        offer, quote = best[pk]
        hits.append(SearchHit(products[pk], offer, quote, quote.total, to_display(quote.total)))
    return hits


def _search_undated(
    products: QuerySet[Product], query: SearchQuery, to_display: ToDisplay
) -> SearchPage:
    """No dates: every published product with its lowest upcoming price ("from")."""
    today = dt.date.today()
    lowest: dict[int, int] = {}
    rows = (
        InventorySlot.objects.filter(
            offer__product__in=products, offer__is_active=True, is_closed=False
        )
        .filter(Q(date__gte=today) | Q(date__isnull=True))
        .values("offer__product_id")
        .annotate(low=Min("price_minor"))
    )
    for row in rows:
        lowest[row["offer__product_id"]] = row["low"]
    candidates = cast(
        "list[_Candidate]",
        list(products.filter(pk__in=list(lowest)).values("pk", "currency", "rating", "popularity")),
    )
    candidates = _filter_and_sort(candidates, lowest, query, to_display)
    start = (query.page - 1) * query.page_size
    page = candidates[start : start + query.page_size]
    objects = {
        p.pk: p
        for p in Product.objects.filter(pk__in=[c["pk"] for c in page])
        .select_related("destination")
        .prefetch_related("images")
    }
    hits = []
    for c in page:
        price = Money(lowest[c["pk"]], c["currency"])
        hits.append(SearchHit(objects[c["pk"]], None, None, price, to_display(price)))
    return SearchPage(query, len(candidates), hits)


__all__ = ["SearchHit", "SearchPage", "SearchQuery", "local_today", "search"]
