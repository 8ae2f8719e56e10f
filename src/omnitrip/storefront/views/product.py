"""Storefront: the product page — offers priced for the chosen dates, each rate's
cancellation terms, the availability and price calendar, structured data.

Reads only; the checkout prices again from locked rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from omnitrip.catalog.models import (
    Offer,
    Product,
    ProductKind,
    ProductStatus,
)
from omnitrip.core.errors import InvalidInput
from omnitrip.core.i18n import pick
from omnitrip.core.money import Money
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing import calendar as calendars
from omnitrip.pricing.errors import InvalidParty, NotBookable
from omnitrip.pricing.quotes import ItemQuote
from omnitrip.pricing.requests import ItemRequest, Stay, local_today, resolve
from omnitrip.pricing.services import quote_stay, slot_filter

from ..browse_forms import TravelForm
from ..structured_data import breadcrumbs, product_data
from ..wording import cancellation_terms, is_free_cancellation
from .browse import absolute_link, destination_trail, price_converter, travel_params

DATE_CHOICES_DAYS = 90  # the date menu of tours, tickets and routes


@dataclass
class OfferRow:
    offer: Offer
    terms: list[str]
    free_cancellation: bool
    meal_plan: str = ""
    quote: ItemQuote | None = None
    shown: Money | None = None
    problem: str = ""  # why there is no price for the chosen dates
    from_price: Money | None = None
    calendar: calendars.MonthCalendar | None = None
    dates: list[calendars.CalendarDay] = field(default_factory=list)  # the date menu
    book: dict[str, Any] = field(default_factory=dict)  # the checkout contract's fields

    @property
    def anchor(self) -> str:
        return f"offer-{self.offer.code}"


def _units(kind: str, adults: int, children: int, rooms: int) -> int:
    if kind == ProductKind.HOTEL:
        return rooms
    return adults + children  # tours and routes: seats; tickets: one per person


def _request_for(offer: Offer, kind: str, travel: dict[str, Any]) -> ItemRequest | None:
    """What booking this offer for the chosen dates and party would ask (None: no dates)."""
    adults, children, rooms = travel["adults"], travel["children"], travel["rooms"]
    check_in, check_out = travel.get("check_in"), travel.get("check_out")
    if offer.is_open_dated:
        return ItemRequest(offer.code, None, None, adults + children, adults, children)
    if check_in is None:
        return None
    if kind == ProductKind.HOTEL:
        check_out = check_out or check_in + dt.timedelta(days=1)
        return ItemRequest(offer.code, check_in, check_out, rooms, adults, children)
    if kind == ProductKind.ATTRACTION:
        return ItemRequest(offer.code, check_in, None, adults + children, adults, children)
    return ItemRequest(offer.code, check_in, None, 1, adults, children)


def _quote_rows(rows: list[OfferRow], kind: str, travel: dict[str, Any], convert: Callable) -> None:
    """Price every offer for the chosen dates and party with the checkout's pricing code."""
    stays: dict[int, Stay] = {}
    needed = Q(pk__in=[])
    for row in rows:
        request = _request_for(row.offer, kind, travel)
        if request is None:
            continue
        try:
            stays[row.offer.pk] = resolve(row.offer, request)
        except InvalidParty:
            row.problem = _("Not available for this number of guests.")
            continue
        except InvalidInput:
            row.problem = _("Not available for these dates.")
            continue
        needed |= slot_filter(stays[row.offer.pk])
    if not stays:
        return
    slots = list(InventorySlot.objects.filter(needed))
    by_key = {(s.offer_id, s.date): s for s in slots}
    for row in rows:
        stay = stays.get(row.offer.pk)
        if stay is None:
            continue
        try:
            quote = quote_stay(stay, slots)
        except NotBookable as error:
            if "stay" in error.detail:
                row.problem = _("A minimum or maximum stay applies from this arrival date.")
            elif "rrival" in error.detail or "eparture" in error.detail:
                row.problem = _("Arrival or departure is not possible on these dates.")
            else:
                row.problem = _("Not on sale for these dates.")
            continue
        except InvalidInput:
            row.problem = _("Not available for these dates.")
            continue
        offer_id = stay.offer.inventory_offer_id
        if any(by_key[offer_id, date].remaining < stay.units for date in stay.dates):
            row.problem = _("Sold out for these dates.")
            continue
        row.quote = quote
        row.shown = convert(quote.total)


def _product_for(code: str) -> Product:
    try:
        return (
            Product.objects.select_related("destination", "supplier")
            .prefetch_related("images", "amenities", "taxes")
            .get(code=code, status=ProductStatus.PUBLISHED)
        )
    except Product.DoesNotExist:
        raise Http404("No such product") from None


def _offers_of(product: Product) -> list[Offer]:
    offers = list(
        product.offers.filter(is_active=True)
        .select_related(
            "room_type",
            "rate_plan",
            "rate_plan__cancellation_policy",
            "cancellation_policy",
        )
        .prefetch_related("rate_plan__length_of_stay_discounts")
        .order_by("position", "pk")
    )
    for offer in offers:
        offer.product = product  # the prefetched taxes and images come with it
    return offers


def _travel(form: TravelForm) -> dict[str, Any]:
    """The valid part of the travel form (bad fields fall back to no dates / defaults)."""
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    travel = {
        "check_in": data.get("check_in") if "check_in" not in form.errors else None,
        "check_out": data.get("check_out") if "check_out" not in form.errors else None,
        "adults": data.get("adults") or 2,
        "children": data.get("children") or 0,
        "rooms": data.get("rooms") or 1,
    }
    if form.errors.get("check_out"):
        travel["check_in"] = None
    return travel


def _calendar_month(request: HttpRequest, travel: dict[str, Any], today: dt.date) -> dt.date:
    month = calendars.parse_month(request.GET.get("month"))
    if month is None:
        month = (travel.get("check_in") or today).replace(day=1)
    earliest = today.replace(day=1)
    return max(month, earliest)


def _book_fields(row: OfferRow, kind: str, travel: dict[str, Any]) -> dict[str, Any]:
    """The query parameters of the checkout contract this row's Book control sends."""
    offer = row.offer
    adults, children, rooms = travel["adults"], travel["children"], travel["rooms"]
    if kind == ProductKind.HOTEL:
        if row.quote is None:
            return {}
        stay = row.quote.stay
        return {
            "offer": offer.code,
            "start": stay.request.start_date.isoformat() if stay.request.start_date else "",
            "end": stay.request.end_date.isoformat() if stay.request.end_date else "",
            "quantity": rooms,
            "adults": adults,
            "children": children,
        }
    fields: dict[str, Any] = {
        "offer": offer.code,
        "start": travel["check_in"].isoformat() if travel.get("check_in") else "",
        "end": "",
        "quantity": 1 if kind in (ProductKind.TOUR, ProductKind.TRANSPORT) else adults + children,
        "adults": adults,
        "children": children,
    }
    return fields


def _offer_rows(
    request: HttpRequest, product: Product, form: TravelForm, convert: Callable
) -> tuple[list[OfferRow], dt.date, dict[str, Any]]:
    travel = _travel(form)
    kind = product.kind
    today = local_today(product.timezone)
    offers = _offers_of(product)
    language = translation.get_language()
    rows = []
    for offer in offers:
        policy = offer.policy()
        rows.append(
            OfferRow(
                offer,
                cancellation_terms(policy, language, product_kind=kind),
                is_free_cancellation(policy),
                offer.rate_plan.get_meal_plan_display() if offer.rate_plan else "",
            )
        )
    _quote_rows(rows, kind, travel, convert)

    month = _calendar_month(request, travel, today)
    units = _units(kind, travel["adults"], travel["children"], travel["rooms"])
    menu_end = today + dt.timedelta(days=DATE_CHOICES_DAYS)
    slots = calendars.slots_for(offers, (month, calendars.month_end(month)), (today, menu_end))
    open_dated = [row.offer for row in rows if row.offer.is_open_dated]
    quota = (
        {
            s.offer_id: s
            for s in InventorySlot.objects.filter(offer__in=open_dated, date__isnull=True)
        }
        if open_dated
        else {}
    )
    for row in rows:
        offer = row.offer
        if offer.is_open_dated:
            slot = quota.get(offer.pk)
            if slot is not None and not slot.is_closed:
                row.from_price = Money(calendars.unit_price(offer, slot), product.currency)
        else:
            row.calendar = calendars.build_month(offer, month, slots, units=units)
            mine = slots.get(offer.inventory_offer_id, {})
            upcoming = [
                calendars.day_of(
                    offer, today + dt.timedelta(days=i), mine, today=today, units=units
                )
                for i in range(DATE_CHOICES_DAYS)
            ]
            row.dates = [day for day in upcoming if day.is_available]
            prices = [day.price for day in row.dates if day.price is not None]
            row.from_price = min(prices, key=lambda m: m.amount_minor) if prices else None
        row.book = _book_fields(row, kind, travel)
    return rows, month, travel


def _policy_lines(product: Product) -> list[str]:
    lines = []
    if product.check_in_time:
        lines.append(
            _("Check-in from %(time)s.") % {"time": product.check_in_time.strftime("%H:%M")}
        )
    if product.check_out_time:
        lines.append(
            _("Check-out until %(time)s.") % {"time": product.check_out_time.strftime("%H:%M")}
        )
    return lines


def _tax_lines(product: Product) -> list[dict[str, Any]]:
    """Each tax or fee of the product in plain words: what it is and how it is counted."""
    lines = []
    for tax in sorted(product.taxes.all(), key=lambda t: t.pk):
        amount = Money(tax.amount_minor, product.currency)
        if tax.basis == tax.Basis.PERCENT:
            how = _("%(rate)s%% of the price") % {"rate": f"{Decimal(tax.rate).normalize():f}"}
        elif tax.basis == tax.Basis.PER_NIGHT:
            how = _("%(amount)s per room per night") % {"amount": amount.format(_babel())}
        elif tax.basis == tax.Basis.PER_PERSON:
            if product.kind == ProductKind.HOTEL:
                how = _("%(amount)s per guest per night") % {"amount": amount.format(_babel())}
            else:
                how = _("%(amount)s per person") % {"amount": amount.format(_babel())}
        else:
            how = _("%(amount)s per booking") % {"amount": amount.format(_babel())}
        lines.append(
            {
                "name": pick(tax, "name"),
                "how": how,
                "included": tax.is_included,
                "is_tax": tax.is_tax,
            }
        )
    return lines


def _babel() -> str:
    return "zh_Hans_CN" if (translation.get_language() or "en").startswith("zh") else "en"


def product(request: HttpRequest, code: str) -> HttpResponse:
    """Photos, description, map, amenities, policies, taxes and the offers with their prices,
    cancellation terms, calendars and Book controls."""
    item = _product_for(code)
    convert = price_converter(request)
    form = TravelForm(request.GET or None, today=local_today(item.timezone))
    if form.is_bound:
        form.is_valid()
        form.mark_errors()
    rows, month, travel = _offer_rows(request, item, form, convert)
    ancestors = destination_trail(item.destination)
    url = reverse("storefront:product", args=[item.code])
    absolute_url = absolute_link(request, url)
    images = list(item.images.all())
    language = translation.get_language() or "en"
    amenity_names = [pick(a, "name") for a in item.amenities.all()]
    ld_offers = []
    for row in rows:
        price: Money | None
        if row.quote is not None:
            price, date = row.quote.total, travel.get("check_in")
        else:
            price = row.from_price
            date = row.dates[0].date if row.dates else None
        ld_offers.append(
            {
                "name": row.offer.name,
                "price": price,
                "available": row.quote is not None or bool(row.dates) or row.from_price is not None,
                "date": None if row.offer.is_open_dated else date,
            }
        )
    structured = product_data(
        item,
        url=absolute_url,
        image_urls=[absolute_link(request, image.image.url) for image in images],
        amenity_names=amenity_names,
        offers=ld_offers,
        ancestors=ancestors,
        language=language,
    )
    crumbs = breadcrumbs(
        [(_("Home"), absolute_link(request, reverse("storefront:home")))]
        + [
            (
                pick(d, "name"),
                absolute_link(request, reverse("storefront:destination", args=[d.code])),
            )
            for d in ancestors
        ]
        + [(item.title, absolute_url)]
    )
    has_dates = travel.get("check_in") is not None
    description = pick(item, "description")
    osm = None
    if item.latitude is not None and item.longitude is not None:
        osm = f"https://www.openstreetmap.org/?mlat={item.latitude}&mlon={item.longitude}#map=16/{item.latitude}/{item.longitude}"
    return render(
        request,
        "storefront/browse/product.html",
        {
            "product": item,
            "form": form,
            "rows": rows,
            "travel": travel,
            "has_dates": has_dates,
            "nights": (
                (travel["check_out"] - travel["check_in"]).days
                if has_dates and travel.get("check_out") and item.kind == ProductKind.HOTEL
                else 0
            ),
            "month": month,
            "images": images,
            "amenities": amenity_names,
            "ancestors": ancestors,
            "policy_lines": _policy_lines(item),
            "policies": pick(item, "policies"),
            "taxes": _tax_lines(item),
            "osm_url": osm,
            "canonical_url": url,
            "meta_description": Truncator(description or item.title).chars(155),
            "structured": [structured, crumbs],
            "travel_query": travel_params(travel),
            "is_hotel": item.kind == ProductKind.HOTEL,
            "kind": item.kind,
        },
    )


def offer_calendar(request: HttpRequest, code: str) -> HttpResponse:
    """One offer's month (the htmx fragment behind the calendar's previous/next links)."""
    item = _product_for(code)
    offer_code = request.GET.get("offer", "")
    offers = [o for o in _offers_of(item) if o.code == offer_code and not o.is_open_dated]
    if not offers:
        raise Http404("No such offer")
    offer = offers[0]
    form = TravelForm(request.GET or None, today=local_today(item.timezone))
    if form.is_bound:
        form.is_valid()
    travel = _travel(form)
    today = local_today(item.timezone)
    month = _calendar_month(request, travel, today)
    units = _units(item.kind, travel["adults"], travel["children"], travel["rooms"])
    row = OfferRow(offer, [], False)
    row.calendar = calendars.month_calendar(offer, month, units=units)
    return render(
        request,
        "storefront/browse/_calendar.html",
        {
            "row": row,
            "product": item,
            "travel": travel,
            "travel_query": travel_params(travel),
            "is_hotel": item.kind == ProductKind.HOTEL,
        },
    )


urlpatterns: list[URLPattern] = [
    path("p/<slug:code>/", product, name="product"),
    path("p/<slug:code>/calendar/", offer_calendar, name="calendar"),
]
