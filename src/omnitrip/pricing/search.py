"""Search: what is bookable for these dates and guests, with the total for the stay.

A dated search is one grouped SQL statement (:mod:`omnitrip.pricing.bookable`): every
needed date present, open and with enough units left, the arrival date's stay rules, each
product's cheapest base price with derived rate plans, sorted and cut to the page in the
database when the display price is the base price (products priced in the display
currency), else converted and sorted here. The exact itemised total is then computed by
the same pricing code the checkout uses, for the bookable offers of the page's products.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, cast

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from omnitrip.catalog.models import (
    Amenity,
    Destination,
    MealPlan,
    Offer,
    Product,
    ProductKind,
    ProductStatus,
)
from omnitrip.core.errors import InvalidInput, NotFound
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot

from .bookable import (
    OfferFilters,
    Window,
    candidates,
    free_cancellation_filter,
    offer_rows_sql,
)
from .errors import InvalidDates, NoExchangeRate, NotBookable
from .quotes import ItemQuote
from .requests import BOOKING_HORIZON_DAYS, MAX_NIGHTS, ItemRequest, Stay, local_today, resolve
from .services import exchange_rate, quote_stay, split_slots

SORTS = {"price", "-price", "rating", "popularity"}
KINDS = set(ProductKind.values)
MEAL_PLANS = set(MealPlan.values)
MAX_FILTER_VALUES = 10

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
    star_rating_min: int | None = None  # hotels with at least this many stars
    meal_plans: tuple[str, ...] = ()  # offers whose rate plan has one of these meal plans
    # Offers a booking made now could cancel for nothing (see ``bookable.free_to_cancel``).
    free_cancellation: bool = False
    amenities: tuple[str, ...] = ()  # products with every one of these amenity codes


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
    # Products matching every filter but the dates (and price) with no availability for
    # the dates: "N properties are sold out". 0 without dates.
    unavailable: int = 0

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
    if query.star_rating_min is not None and not 1 <= query.star_rating_min <= 5:
        raise InvalidInput("stars_min must be between 1 and 5", field="stars_min")
    if len(query.meal_plans) > MAX_FILTER_VALUES or not set(query.meal_plans) <= MEAL_PLANS:
        raise InvalidInput(f"meal_plan must be among {sorted(MEAL_PLANS)}", field="meal_plan")
    if len(query.amenities) > MAX_FILTER_VALUES:
        raise InvalidInput(f"At most {MAX_FILTER_VALUES} amenities", field="amenity")
    if query.amenities:
        wanted = set(query.amenities)
        known = set(Amenity.objects.filter(code__in=wanted).values_list("code", flat=True))
        if unknown := sorted(wanted - known):
            raise InvalidInput(f"Unknown amenity {unknown[0]!r}", field="amenity")


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
    if query.star_rating_min is not None:
        products = products.filter(star_rating__gte=query.star_rating_min)
    for code in sorted(set(query.amenities)):  # one join per code: all of them, not any
        products = products.filter(amenities__code=code)
    return products


def _offer_filters(query: SearchQuery, products: QuerySet[Product]) -> OfferFilters:
    return OfferFilters(
        meal_plans=tuple(sorted(set(query.meal_plans))),
        free_cancellation=free_cancellation_filter(products, query.check_in)
        if query.free_cancellation
        else None,
    )


def _offer_q(filters: OfferFilters, prefix: str = "") -> Q:
    """The offer filters as a Q on Offer (``prefix`` reaches the offer from another model)."""
    q = Q()
    if filters.meal_plans:
        q &= Q(**{f"{prefix}rate_plan__meal_plan__in": filters.meal_plans})
    if filters.free_cancellation is not None:
        free = Q(pk__in=[])
        for zones, policy_ids in filters.free_cancellation:
            free |= Q(**{f"{prefix}product__timezone__in": zones}) & (
                Q(**{f"{prefix}rate_plan__cancellation_policy_id__in": policy_ids})
                | Q(
                    **{
                        f"{prefix}rate_plan__isnull": True,
                        f"{prefix}cancellation_policy_id__in": policy_ids,
                    }
                )
            )
        q &= free
    return q


def _units(kind: str, query: SearchQuery) -> int:
    if kind == ProductKind.HOTEL:
        return query.rooms
    return query.adults + query.children  # tours and transport: seats; tickets: one each


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
    filters = _offer_filters(query, products)
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
        return _search_undated(products, filters, query, to_display)

    nights = (query.check_out - query.check_in).days if query.check_out else 0
    window = Window(
        query.check_in, query.check_out, nights, query.rooms, query.adults + query.children
    )
    kinds = [query.kind] if query.kind else list(ProductKind.values)
    offers_sql, params = offer_rows_sql(products, window, kinds, filters)
    first = (query.page - 1) * query.page_size
    # In the display currency the base price is the display price: the database can sort
    # and cut the page exactly. Other currencies are converted here, as they are shown.
    currencies = set(products.values_list("currency", flat=True).distinct())
    if currencies <= {query.currency}:
        found = candidates(
            offers_sql,
            params,
            sort=query.sort,
            price_range=(query.min_price, query.max_price),
            page=(first, query.page_size),
        )
        page_ids = [c.pk for c in found.rows]
        total, available = found.total, found.available
    else:
        found = candidates(offers_sql, params, sort=query.sort, price_range=(None, None), page=None)
        rows = cast(
            "list[_Candidate]",
            [
                {"pk": c.pk, "currency": c.currency, "rating": c.rating, "popularity": c.popularity}
                for c in found.rows
            ],
        )
        sorted_rows = _filter_and_sort(rows, {c.pk: c.base for c in found.rows}, query, to_display)
        page_ids = [c["pk"] for c in sorted_rows[first : first + query.page_size]]
        total, available = len(sorted_rows), found.available
    hits = _exact_hits(page_ids, filters, query, to_display)
    return SearchPage(query, total, hits, unavailable=_sold_out(products, filters, available))


def _sold_out(products: QuerySet[Product], filters: OfferFilters, available: int) -> int:
    """Products on sale under the filters (an active offer passing them) minus those available."""
    on_sale = products.filter(
        Exists(Offer.objects.filter(_offer_q(filters), product=OuterRef("pk"), is_active=True))
    ).count()
    return max(on_sale - available, 0)


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
    page_ids: list[int], filters: OfferFilters, query: SearchQuery, to_display: ToDisplay
) -> list[SearchHit]:
    """The page's products, each with its cheapest exact quote among its bookable offers.

    The offers are those the SQL selection considers (active, passing the offer filters, a
    pooled offer only under a derived plan and while its pool is active); an offer is
    bookable when its quote's slots are open, their stay rules allow the stay and each
    has the units left, exactly the rules of ``bookable``.
    """
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=page_ids)
        .select_related("destination", "supplier")
        .prefetch_related("taxes", "images")
    }
    offers = list(
        Offer.objects.filter(_offer_q(filters), product_id__in=page_ids, is_active=True)
        .filter(
            Q(inventory_pool__isnull=True)
            | Q(inventory_pool__is_active=True, rate_plan__parent__isnull=False)
        )
        .select_related(
            "room_type",
            "rate_plan",
            "rate_plan__cancellation_policy",
            "cancellation_policy",
        )
        .prefetch_related("rate_plan__length_of_stay_discounts")
    )
    requests: dict[int, Stay] = {}
    stay: Stay | None
    for offer in offers:
        offer.product = products[offer.product_id]  # with its taxes, already prefetched
        try:
            stay = resolve(offer, _request_for(offer, query))
        except InvalidInput:
            continue
        requests[offer.pk] = stay
    # Every stay of one search needs the same dates (or an open-dated quota): one filter
    # on offers × dates instead of one OR-ed filter per offer (``slot_filter``).
    dated: set[int] = set()
    undated: set[int] = set()
    dates: set[dt.date] = set()
    for stay in requests.values():
        wanted = slot_filter_dates(stay)
        if wanted is None:
            undated.add(stay.offer.inventory_offer_id)
        else:
            dated.add(stay.offer.inventory_offer_id)
            dates.update(wanted)
    slots = (
        list(
            InventorySlot.objects.filter(
                Q(offer_id__in=dated, date__in=dates) | Q(offer_id__in=undated, date__isnull=True)
            )
        )
        if requests
        else []
    )
    by_offer: dict[int, list[InventorySlot]] = {}
    for slot in slots:
        by_offer.setdefault(slot.offer_id, []).append(slot)
    best: dict[int, tuple[Offer, ItemQuote]] = {}
    for offer in offers:
        stay = requests.get(offer.pk)
        if stay is None:
            continue
        own_slots = by_offer.get(offer.inventory_offer_id, [])
        try:
            quote = quote_stay(stay, own_slots)
        except (InvalidInput, NotBookable):
            continue
        by_date, _ = split_slots(stay, own_slots)
        if any(by_date[date].remaining < stay.units for date in stay.dates):
            continue  # sold out (quote_stay checks the rules, not the units left)
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


def slot_filter_dates(stay: Stay) -> list[dt.date] | None:
    """The dates of :func:`pricing.services.slot_filter` (None: the open-dated quota)."""
    if stay.dates == (None,):
        return None
    dates = [d for d in stay.dates if d is not None]
    if stay.nights:
        dates.append(dates[-1] + dt.timedelta(days=1))
    return dates


def _search_undated(
    products: QuerySet[Product], filters: OfferFilters, query: SearchQuery, to_display: ToDisplay
) -> SearchPage:
    """No dates: every published product with its lowest upcoming price ("from")."""
    today = dt.date.today()
    lowest: dict[int, int] = {}
    rows = (
        InventorySlot.objects.filter(
            offer__product__in=products, offer__is_active=True, is_closed=False
        )
        .filter(Q(date__gte=today) | Q(date__isnull=True))
        .filter(_offer_q(filters, "offer__"))
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
