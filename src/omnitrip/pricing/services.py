"""Reads that price things: quotes without holding, display-currency conversion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from omnitrip.catalog.models import Offer, ProductStatus
from omnitrip.core.errors import NotFound
from omnitrip.core.money import Money, exponent
from omnitrip.inventory.errors import SoldOut
from omnitrip.inventory.models import InventorySlot

from .errors import NoExchangeRate
from .models import ExchangeRate
from .quotes import ItemQuote, Quote, check_restrictions, combine, price_stay
from .requests import ItemRequest, Stay, resolve


def offers_by_code(codes: Sequence[str]) -> dict[str, Offer]:
    """Active offers of published products, with what pricing needs prefetched."""
    offers = (
        Offer.objects.filter(
            code__in=set(codes), is_active=True, product__status=ProductStatus.PUBLISHED
        )
        .select_related(
            "product",
            "room_type",
            "rate_plan",
            "rate_plan__cancellation_policy",
            "cancellation_policy",
            "product__supplier",
        )
        .prefetch_related("rate_plan__length_of_stay_discounts", "product__taxes")
    )
    found = {o.code: o for o in offers}
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFound(f"Unknown offer {missing[0]!r}", offer=missing[0])
    return found


def slot_filter(stay: Stay) -> Q:
    """The slots a stay needs, plus the check-out date's slot (closed-to-departure)."""
    offer_id = stay.offer.inventory_offer_id
    if stay.dates == (None,):
        return Q(offer_id=offer_id, date__isnull=True)
    dates = list(stay.dates)
    if stay.nights:
        last_night = stay.dates[-1]
        assert last_night is not None  # a stay with nights is always dated
        dates.append(last_night + dt.timedelta(days=1))
    return Q(offer_id=offer_id, date__in=dates)


def split_slots(stay: Stay, slots: Sequence[InventorySlot]) -> tuple[dict, InventorySlot | None]:
    offer_id = stay.offer.inventory_offer_id
    mine = {s.date: s for s in slots if s.offer_id == offer_id}
    departure = None
    if stay.nights:
        last_night = stay.dates[-1]
        assert last_night is not None  # a stay with nights is always dated
        departure = mine.pop(last_night + dt.timedelta(days=1), None)
    return {d: mine[d] for d in stay.dates if d in mine}, departure


def quote_stay(stay: Stay, slots: Sequence[InventorySlot]) -> ItemQuote:
    by_date, departure = split_slots(stay, slots)
    check_restrictions(stay, by_date, departure)
    taxes = sorted(stay.offer.product.taxes.all(), key=lambda tax: tax.pk)  # stable line order
    return price_stay(stay, by_date, taxes)


def create_quote(requests: Sequence[ItemRequest], *, now: dt.datetime | None = None) -> Quote:
    """Price a basket without holding anything. Availability is checked, not reserved."""
    offers = offers_by_code([r.offer_code for r in requests])
    stays = [resolve(offers[r.offer_code], r, now=now) for r in requests]
    query = Q(pk__in=[])
    for stay in stays:
        query |= slot_filter(stay)
    slots = list(InventorySlot.objects.filter(query))
    items = [quote_stay(stay, slots) for stay in stays]
    # Add up what the whole basket needs from each slot (two rate plans can sell the same
    # rooms), exactly as the checkout's holds will.
    needed: dict[int, int] = {}
    for stay in stays:
        by_date, _ = split_slots(stay, slots)
        for date in stay.dates:
            slot = by_date[date]
            needed[slot.pk] = needed.get(slot.pk, 0) + stay.units
    remaining = {slot.pk: slot.remaining for slot in slots}
    if any(remaining[pk] < units for pk, units in needed.items()):
        raise SoldOut("Not enough availability left")
    return combine(items)


def exchange_rate(base: str, quote: str, *, on: dt.date | None = None) -> Decimal:
    """Latest published rate base→quote (on or before ``on``); the inverse if only it exists."""
    if base == quote:
        return Decimal(1)
    rates = ExchangeRate.objects.filter(as_of__lte=on) if on else ExchangeRate.objects.all()
    direct = (
        rates.filter(base=base, quote=quote)
        .order_by("-as_of")
        .values_list("rate", flat=True)
        .first()
    )
    if direct is not None:
        return Decimal(direct)
    inverse = (
        rates.filter(base=quote, quote=base)
        .order_by("-as_of")
        .values_list("rate", flat=True)
        .first()
    )
    if inverse is not None:
        return Decimal(1) / Decimal(inverse)
    raise NoExchangeRate(f"No exchange rate from {base} to {quote}")


def convert_for_display(amount: Money, currency: str, *, rate: Decimal | None = None) -> Money:
    """The amount in another currency, for display only: charges stay in the original."""
    if currency == amount.currency:
        return amount
    rate = rate if rate is not None else exchange_rate(amount.currency, currency)
    major = amount.amount * rate
    quantum = Decimal(1).scaleb(-exponent(currency))
    return Money.from_decimal(major.quantize(quantum, rounding=ROUND_HALF_UP), currency)
