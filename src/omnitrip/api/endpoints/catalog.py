"""Catalogue reads: search, product detail, availability per date."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Field as F
from ninja import Query, Router, Schema
from ninja.renderers import JSONRenderer

from omnitrip.catalog.models import Offer, Product, ProductStatus
from omnitrip.core.errors import NotFound
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.errors import InvalidDates
from omnitrip.pricing.quotes import derived_price
from omnitrip.pricing.search import SearchQuery, search

from .. import presenters as p
from ..schemas import (
    AvailabilityDayOut,
    AvailabilityOut,
    ImageOut,
    Problem,
    ProductOut,
    ProductSummaryOut,
    SearchOut,
    TaxOut,
)

router = Router(tags=["catalogue"])


class SearchParams(Schema):
    destination: str | None = F(
        None, max_length=64, description="Destination code; a region finds everything under it"
    )
    check_in: dt.date | None = F(None, description="Check-in / visit / departure date")
    check_out: dt.date | None = F(None, description="Check-out date (hotels)")
    adults: int = F(2, ge=1, le=30)
    children: int = F(0, ge=0, le=10)
    rooms: int = F(1, ge=1, le=9)
    kind: str | None = F(None, max_length=16, description="hotel, tour, attraction or transport")
    q: str | None = F(None, max_length=100, description="Free text, Chinese or English")
    min_price: int | None = F(None, ge=0, description="Minor units of `currency`")
    max_price: int | None = F(None, ge=0, description="Minor units of `currency`")
    currency: str = F("CNY", min_length=3, max_length=3, description="Display currency")
    sort: str = F("popularity", description="price, -price, rating or popularity")
    page: int = F(1, ge=1, le=1000)
    page_size: int = F(20, ge=1, le=50)
    lang: str = F("en", description="Language of formatted amounts: en or zh-hans")
    stars_min: int | None = F(None, ge=1, le=5, description="Hotels with at least this many stars")
    meal_plan: list[str] = F(
        [],
        description="Meal plans (RO, BB, HB, FB, AI): offers with any of them. Repeat the "
        "parameter or separate with commas",
    )
    free_cancellation: bool = F(
        False,
        description="Only offers a booking made now could cancel for nothing: a free-"
        "cancellation policy whose penalty on the day of booking is 0 %",
    )
    amenity: list[str] = F(
        [],
        description="Amenity codes: products with every one of them. Repeat the parameter or "
        "separate with commas",
    )


def _values(raw: list[str]) -> tuple[str, ...]:
    """Repeated and comma-separated values as one tuple (``a,b&x=c`` → a, b, c)."""
    return tuple(v.strip() for item in raw for v in item.split(",") if v.strip())


@router.get(
    "/products",
    response={200: SearchOut, 404: Problem, 422: Problem},
    operation_id="search_products",
)
def search_products(request: HttpRequest, params: Query[SearchParams]):
    """Bookable products for the dates and party, with the total for the stay."""
    result = search(
        SearchQuery(
            destination=params.destination,
            check_in=params.check_in,
            check_out=params.check_out,
            adults=params.adults,
            children=params.children,
            rooms=params.rooms,
            kind=params.kind,
            text=params.q,
            min_price=params.min_price,
            max_price=params.max_price,
            currency=params.currency.upper(),
            sort=params.sort,
            page=params.page,
            page_size=params.page_size,
            star_rating_min=params.stars_min,
            meal_plans=tuple(v.upper() for v in _values(params.meal_plan)),
            free_cancellation=params.free_cancellation,
            amenities=_values(params.amenity),
        )
    )
    lang = params.lang
    return SearchOut(
        total=result.total,
        page=params.page,
        pages=result.pages,
        page_size=params.page_size,
        unavailable=result.unavailable,
        results=[
            ProductSummaryOut(
                code=h.product.code,
                kind=h.product.kind,
                title=p.Text.of(h.product, "title"),
                destination=p.destination(h.product.destination),
                star_rating=h.product.star_rating,
                rating=float(h.product.rating),
                review_count=h.product.review_count,
                image=p.first_image(h.product),
                offer=h.offer.code if h.offer else None,
                total=p.MoneyOut.of(h.from_price, lang) if h.from_price else None,
                display_total=p.MoneyOut.of(h.display_price, lang) if h.display_price else None,
            )
            for h in result.hits
        ],
    )


def _product(code: str) -> Product:
    product = (
        Product.objects.filter(code=code, status=ProductStatus.PUBLISHED)
        .select_related("destination", "supplier")
        .prefetch_related(
            "amenities",
            "images",
            "taxes",
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(is_active=True).select_related(
                    "room_type",
                    "rate_plan",
                    "rate_plan__cancellation_policy",
                    "cancellation_policy",
                    "inventory_pool",
                ),
            ),
        )
        .first()
    )
    if product is None:
        raise NotFound(f"No product {code!r}")
    return product


#: Cached product pages expire after this long even if nothing stamped their product: a
#: backstop for a bulk ``update()`` that forgot ``pricing.freshness.touch_products``.
PAGE_SECONDS = 600
#: The API's renderer (ninja's default): a cached page is byte for byte what ninja sends.
RENDERER = JSONRenderer()
PAGE_CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"
#: Changes whenever the page's schema does, so a deploy never serves the old shape.
PAGE_FORMAT = hashlib.sha256(
    json.dumps(ProductOut.model_json_schema(), sort_keys=True).encode()
).hexdigest()[:8]


def _page_key(code: str, stamp: dt.datetime, request: HttpRequest) -> str:
    # The language and display currency a client asks for are part of the key (normalised,
    # so odd values cannot fill the cache with copies of one page).
    lang = request.GET.get("lang", "")
    lang = lang.lower() if lang.lower() in ("en", "zh-hans") else ""
    currency = request.GET.get("currency", "").upper()
    currency = currency if len(currency) == 3 and currency.isalpha() else ""
    return f"api:product:{PAGE_FORMAT}:{code}:{stamp.timestamp():.6f}:{lang}:{currency}"


@router.get(
    "/products/{code}",
    response={200: ProductOut, 404: Problem, 422: Problem},
    operation_id="get_product",
)
def get_product(request: HttpRequest, code: str):
    """Everything about one product: content, offers with their terms, taxes and fees.

    Served from the cache when the product has not changed: the key holds the product's
    ``updated_at``, which moves whenever anything this page shows changes
    (``pricing.freshness``), so a change is visible on the next request. The page holds
    no availability or price, which change far more often and are never cached here.
    """
    stamp = (
        Product.objects.filter(code=code, status=ProductStatus.PUBLISHED)
        .values_list("updated_at", flat=True)
        .first()
    )
    if stamp is None:
        raise NotFound(f"No product {code!r}")
    key = _page_key(code, stamp, request)
    content = cache.get(key)
    if content is None:
        page = _product_page(_product(code))
        content = RENDERER.render(request, page.model_dump(), response_status=200)
        cache.set(key, content, PAGE_SECONDS)
    return HttpResponse(content, content_type=PAGE_CONTENT_TYPE)


def _product_page(product: Product) -> ProductOut:
    return ProductOut(
        code=product.code,
        kind=product.kind,
        title=p.Text.of(product, "title"),
        description=p.Text.of(product, "description"),
        policies=p.Text.of(product, "policies"),
        destination=p.destination(product.destination),
        supplier=product.supplier.name_en,
        currency=product.currency,
        timezone=product.timezone,
        address=product.address,
        latitude=float(product.latitude) if product.latitude is not None else None,
        longitude=float(product.longitude) if product.longitude is not None else None,
        star_rating=product.star_rating,
        rating=float(product.rating),
        review_count=product.review_count,
        check_in_time=product.check_in_time,
        check_out_time=product.check_out_time,
        amenities=[p.Text.of(a, "name") for a in product.amenities.all()],
        images=[
            ImageOut(url=p.image_url(i.image.name), alt=p.text(i.alt_en, i.alt_zh))
            for i in product.images.all()
        ],
        offers=[p.offer(o) for o in product.offers.all()],
        taxes=[
            TaxOut(
                code=t.code,
                name=p.Text.of(t, "name"),
                basis=t.basis,
                rate=str(t.rate),
                amount=p.money(t.amount_minor, product.currency) if t.amount_minor else None,
                included=t.is_included,
            )
            for t in product.taxes.all()
        ],
    )


class AvailabilityParams(Schema):
    start: dt.date | None = F(None, description="First date (default: today)")
    end: dt.date | None = F(
        None, description="Last date, inclusive (default: start + 30 days; at most 366 days)"
    )
    lang: str = "en"


@router.get(
    "/offers/{code}/availability",
    response={200: AvailabilityOut, 404: Problem, 422: Problem},
    operation_id="get_availability",
)
def get_availability(request: HttpRequest, code: str, params: Query[AvailabilityParams]):
    """Per date: units left and the price per unit (derived rate plans priced from their parent)."""
    offer = (
        Offer.objects.filter(code=code, is_active=True, product__status=ProductStatus.PUBLISHED)
        .select_related("product", "rate_plan")
        .first()
    )
    if offer is None:
        raise NotFound(f"No offer {code!r}")
    start = params.start or dt.date.today()
    # The default window stops at the last date there is (a start near 9999-12-31).
    end = params.end or start + min(dt.timedelta(days=30), dt.date.max - start)
    if end < start:
        raise InvalidDates("end is before start", field="end")
    if (end - start).days > 366:
        raise InvalidDates("At most 366 days at a time", field="end")
    slots = InventorySlot.objects.filter(offer_id=offer.inventory_offer_id)
    slots = (
        slots.filter(date__isnull=True)
        if offer.is_open_dated
        else slots.filter(date__range=(start, end))
    )
    currency, lang = offer.product.currency, params.lang
    derived = offer.rate_plan if offer.rate_plan and offer.rate_plan.parent_id else None

    def price(value: int) -> int:
        return derived_price(derived, value) if derived else value

    days = [
        AvailabilityDayOut(
            date=s.date,
            remaining=max(s.remaining, 0),
            price=p.MoneyOut.of(Money(price(s.price_minor), currency), lang),
            child_price=p.money(s.child_price_minor, currency, lang)
            if s.child_price_minor is not None
            else None,
            is_closed=s.is_closed,
            min_stay=s.min_stay,
            max_stay=s.max_stay,
            closed_to_arrival=s.closed_to_arrival,
            closed_to_departure=s.closed_to_departure,
        )
        for s in slots.order_by("date")
    ]
    return AvailabilityOut(offer=offer.code, currency=currency, days=days)
