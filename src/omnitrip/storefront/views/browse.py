"""Storefront: home, destinations and search results (the product page: ``product.py``).

Reads only: search goes through ``pricing.search.search``, prices for chosen dates through
the checkout's own pricing code (``resolve`` + ``quote_stay``), calendars through
``pricing.calendar``. Every write happens later, in the checkout, which prices again from
locked rows — nothing shown here is trusted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from omnitrip.catalog.models import (
    Amenity,
    Destination,
    Offer,
    Product,
    ProductKind,
    ProductStatus,
)
from omnitrip.core.errors import DomainError
from omnitrip.core.i18n import pick
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.models import Channel
from omnitrip.pricing.errors import NoExchangeRate
from omnitrip.pricing.quotes import ItemQuote
from omnitrip.pricing.search import SearchPage, SearchQuery
from omnitrip.pricing.search import search as search_products
from omnitrip.pricing.services import convert_for_display, exchange_rate

from ..browse_forms import PAGE_SIZE, SearchForm
from ..devices import web_channel
from ..display import display_currency
from ..structured_data import breadcrumbs
from ..wording import is_free_cancellation

FEATURED_PRODUCTS = 8
PRODUCTS_PER_KIND = 6  # on a destination page; "see all" goes to the search
DATE_CHOICES_DAYS = 90  # the date menu of tours, tickets and routes


# --- shared helpers -------------------------------------------------------------------


def absolute_link(request: HttpRequest, url: str) -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_BASE_URL}{url}"


def price_converter(request: HttpRequest) -> Callable[[Money | None], Money | None]:
    """Money → the display currency (None if none chosen or no rate), one rate query each."""
    currency = display_currency(request)
    rates: dict[str, Decimal | None] = {}

    def convert(amount: Money | None) -> Money | None:
        if amount is None or not currency or amount.currency == currency:
            return None
        if amount.currency not in rates:
            try:
                rates[amount.currency] = exchange_rate(amount.currency, currency)
            except NoExchangeRate:
                rates[amount.currency] = None
        rate = rates[amount.currency]
        return None if rate is None else convert_for_display(amount, currency, rate=rate)

    return convert


def _from_prices(product_ids: list[int]) -> dict[int, Money]:
    """Each product's lowest upcoming unit price ("from"), in its own currency: one query."""
    if not product_ids:
        return {}
    rows = (
        InventorySlot.objects.filter(
            offer__product_id__in=product_ids, offer__is_active=True, is_closed=False
        )
        .filter(Q(date__gte=dt.date.today()) | Q(date__isnull=True))
        .values("offer__product_id", "offer__product__currency")
        .annotate(low=Min("price_minor"))
    )
    return {
        row["offer__product_id"]: Money(row["low"], row["offer__product__currency"]) for row in rows
    }


def _first_image(product: Product) -> Any:
    images = list(product.images.all())  # prefetched
    return images[0] if images else None


def destination_trail(destination: Destination) -> list[Destination]:
    """The destination's chain from the country down, itself included: one query."""
    codes = [code for code in destination.path.strip("/").split("/") if code]
    found = {d.code: d for d in Destination.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def travel_params(data: dict[str, Any]) -> dict[str, str]:
    """The dates and party of a search, as query parameters for links to a product."""
    params: dict[str, str] = {}
    for name in ("check_in", "check_out"):
        if data.get(name):
            params[name] = data[name].isoformat()
    for name, default in (("adults", 2), ("children", 0), ("rooms", 1)):
        value = data.get(name)
        if value is not None and value != default:
            params[name] = str(value)
    return params


def _with_query(url: str, params: dict[str, Any]) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


@dataclass
class Card:
    """A product as a card: on the home page, a destination page and in search results."""

    product: Product
    url: str
    image: Any
    price: Money | None  # the stay total (dated search) or the "from" unit price
    shown: Money | None  # the price in the display currency
    is_total: bool = False
    offer: Offer | None = None
    quote: ItemQuote | None = None
    free_cancellation: bool = False
    meal_plan: str = ""


def _cards(
    products: list[Product], prices: dict[int, Money], convert: Callable, params: dict[str, str]
) -> list[Card]:
    cards = []
    for product in products:
        price = prices.get(product.pk)
        cards.append(
            Card(
                product,
                _with_query(reverse("storefront:product", args=[product.code]), params),
                _first_image(product),
                price,
                convert(price),
            )
        )
    return cards


def _destination_tree() -> list[Destination]:
    return list(
        Destination.objects.only("code", "level", "path", "name_en", "name_zh").order_by("path")
    )


# --- home -----------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Search box, featured destinations and the most booked products."""
    convert = price_converter(request)
    form = SearchForm(destinations=_destination_tree(), amenities=[])
    featured = list(
        Destination.objects.filter(is_featured=True).prefetch_related("images").order_by("path")[:8]
    )
    popular = list(
        Product.objects.filter(status=ProductStatus.PUBLISHED)
        .select_related("destination")
        .prefetch_related("images")
        .order_by("-popularity", "pk")[:FEATURED_PRODUCTS]
    )
    cards = _cards(popular, _from_prices([p.pk for p in popular]), convert, {})
    return render(
        request,
        "storefront/browse/home.html",
        {"form": form, "featured": featured, "cards": cards},
    )


# --- destinations ---------------------------------------------------------------------


def destination(request: HttpRequest, code: str) -> HttpResponse:
    """A destination's guide, photos, what to book there (by kind) and the places inside it."""
    place = get_object_or_404(Destination.objects.prefetch_related("images"), code=code)
    convert = price_converter(request)
    ancestors = destination_trail(place)
    children = list(place.children.order_by("name_en"))
    products = Product.objects.filter(
        status=ProductStatus.PUBLISHED, destination_path__startswith=place.path
    )
    counts = dict(products.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    picked: list[Product] = []
    for kind in ProductKind.values:
        if counts.get(kind):
            picked += list(
                products.filter(kind=kind)
                .select_related("destination")
                .prefetch_related("images")
                .order_by("-popularity", "pk")[:PRODUCTS_PER_KIND]
            )
    prices = _from_prices([p.pk for p in picked])
    cards = _cards(picked, prices, convert, {})
    sections = []
    search_url = reverse("storefront:search")
    for kind, label in ProductKind.choices:
        kind_cards = [c for c in cards if c.product.kind == kind]
        if kind_cards:
            sections.append(
                {
                    "kind": kind,
                    "label": label,
                    "cards": kind_cards,
                    "count": counts[kind],
                    "search_url": _with_query(
                        search_url, {"destination": place.code, "kind": kind}
                    ),
                }
            )
    name = pick(place, "name")
    summary = pick(place, "summary") or pick(place, "guide")
    return render(
        request,
        "storefront/browse/destination.html",
        {
            "place": place,
            "name": name,
            "ancestors": ancestors[:-1],
            "children": children,
            "sections": sections,
            "guide": pick(place, "guide"),
            "summary": pick(place, "summary"),
            "meta_description": Truncator(summary or name).chars(155),
            "search_url": _with_query(search_url, {"destination": place.code}),
            "breadcrumbs_ld": breadcrumbs(
                [(_("Home"), absolute_link(request, reverse("storefront:home")))]
                + [
                    (
                        pick(d, "name"),
                        absolute_link(request, reverse("storefront:destination", args=[d.code])),
                    )
                    for d in ancestors
                ]
            ),
        },
    )


# --- search ---------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), 1000)
    except ValueError:
        return 1


def domain_error_message(error: DomainError) -> str:
    field_name = error.extra.get("field", "")
    if field_name in ("check_in", "start_date"):
        return _("Choose a date from today on, within the next 18 months.")
    if field_name in ("check_out", "end_date"):
        return _("Check-out must be after check-in, at most 30 nights later.")
    if field_name == "destination":
        return _("Choose a destination from the list.")
    if field_name == "min_price":
        return _("The maximum must be at least the minimum.")
    return _("This value is not valid.")


def search(request: HttpRequest) -> HttpResponse:
    """Results for the search in the URL: filters, sort, pages, totals for the dates."""
    convert = price_converter(request)
    form = SearchForm(
        request.GET or None,
        destinations=_destination_tree(),
        amenities=list(Amenity.objects.order_by("name_en")),
    )
    page_number = _page_number(request)
    page: SearchPage | None = None
    params: dict[str, str] = {}
    if not form.is_bound:
        page = search_products(SearchQuery(page=page_number, page_size=PAGE_SIZE))
    elif form.is_valid():
        try:
            page = search_products(form.to_query(page_number))
        except DomainError as error:
            target = SearchForm.ERROR_FIELDS.get(error.extra.get("field", ""))
            form.add_error(target, domain_error_message(error))
        else:
            params = travel_params(form.cleaned_data)
    form.mark_errors()

    cards: list[Card] = []
    dated = page is not None and page.query.check_in is not None
    if page is not None:
        for hit in page.hits:
            offer = hit.offer
            policy = offer.policy() if offer is not None else None
            meal = ""
            if offer is not None and offer.rate_plan is not None:
                meal = offer.rate_plan.get_meal_plan_display()
            cards.append(
                Card(
                    hit.product,
                    _with_query(reverse("storefront:product", args=[hit.product.code]), params),
                    _first_image(hit.product),
                    hit.quote.total if hit.quote is not None else hit.from_price,
                    convert(hit.quote.total if hit.quote is not None else hit.from_price),
                    is_total=hit.quote is not None,
                    offer=offer,
                    quote=hit.quote,
                    free_cancellation=is_free_cancellation(policy),
                    meal_plan=meal,
                )
            )
    nights = 0
    if dated and page is not None and page.query.check_out and page.query.check_in:
        nights = (page.query.check_out - page.query.check_in).days
    pages = list(range(1, page.pages + 1)) if page is not None else []
    if len(pages) > 9:
        current = page_number
        pages = sorted({1, page.pages if page else 1, *range(max(1, current - 3), current + 4)})
        pages = [n for n in pages if page is not None and 1 <= n <= page.pages]
    keep = ("destination", "check_in", "check_out", "adults", "children", "rooms")
    clear_url = _with_query(
        reverse("storefront:search"), {k: request.GET.get(k) for k in keep if k in request.GET}
    )
    canonical = _with_query(
        reverse("storefront:search"),
        {k: request.GET.getlist(k) for k in request.GET if k != "page"} if form.is_valid() else {},
    )
    return render(
        request,
        "storefront/browse/search.html",
        {
            "form": form,
            "page": page,
            "cards": cards,
            "dated": dated,
            "nights": nights,
            "pages": pages,
            "page_number": page_number,
            "canonical_url": canonical,
            "filters_open": bool(form.errors) or web_channel(request) != Channel.MOBILE_WEB,
            "clear_url": clear_url,
        },
        status=200,
    )


# --- product --------------------------------------------------------------------------


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("search/", search, name="search"),
    path("destinations/<slug:code>/", destination, name="destination"),
]
