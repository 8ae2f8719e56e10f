"""Itemised prices: per-night or per-person lines, then taxes and fees as their own lines.

Pure functions over rows already read (the checkout passes the slots it has locked), so
the price a customer is charged is computed from the same rows that hold the inventory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from omnitrip.catalog.models import ProductKind, RatePlan, TaxFee
from omnitrip.core.money import Money, sum_money
from omnitrip.inventory.models import InventorySlot

from .errors import CurrencyMismatch, NotBookable
from .requests import Stay


@dataclass
class ItemQuote:
    stay: Stay
    currency: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    subtotal_minor: int = 0
    taxes_minor: int = 0

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.taxes_minor

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)


@dataclass
class Quote:
    items: list[ItemQuote]
    currency: str

    @property
    def subtotal(self) -> Money:
        return sum_money(
            (Money(i.subtotal_minor, self.currency) for i in self.items), self.currency
        )

    @property
    def taxes(self) -> Money:
        return sum_money((Money(i.taxes_minor, self.currency) for i in self.items), self.currency)

    @property
    def total(self) -> Money:
        return self.subtotal + self.taxes


def _line(
    kind: str,
    en: str,
    zh: str,
    amount: int,
    *,
    quantity: int = 1,
    unit: int | None = None,
    date: Any = None,
    included: bool = False,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "label_en": en,
        "label_zh": zh,
        "quantity": quantity,
        "unit_minor": amount if unit is None else unit,
        "amount_minor": amount,
        "date": date.isoformat() if date else None,
        "included": included,
    }


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_restrictions(
    stay: Stay, slots_by_date: dict[Any, InventorySlot], departure_slot: InventorySlot | None = None
) -> None:
    """Raise NotBookable unless every date has an open slot and the stay rules allow it."""
    for date in stay.dates:
        slot = slots_by_date.get(date)
        if slot is None:
            raise NotBookable("Not on sale for the chosen date(s)", date=str(date))
        if slot.is_closed:
            raise NotBookable("Closed for sale on the chosen date(s)", date=str(date))
    if stay.kind == ProductKind.HOTEL:
        arrival = slots_by_date[stay.dates[0]]
        if arrival.closed_to_arrival:
            raise NotBookable("Arrival is not possible on this date")
        if stay.nights < arrival.min_stay:
            raise NotBookable(f"Minimum stay for this arrival date is {arrival.min_stay} nights")
        if arrival.max_stay and stay.nights > arrival.max_stay:
            raise NotBookable(f"Maximum stay for this arrival date is {arrival.max_stay} nights")
        if departure_slot is not None and departure_slot.closed_to_departure:
            raise NotBookable("Departure is not possible on the check-out date")


def derived_price(plan: RatePlan, parent_price: int) -> int:
    value = Decimal(plan.derivation_value)
    if plan.derivation == RatePlan.Derivation.PERCENT:
        return max(0, _round(Decimal(parent_price) * (100 + value) / 100))
    return max(0, parent_price + _round(value))


def _hotel_lines(stay: Stay, slots_by_date: dict[Any, InventorySlot], quote: ItemQuote) -> None:
    plan = stay.offer.rate_plan
    rooms = stay.units
    adults, children = stay.request.adults, stay.request.children
    room_name = stay.offer.room_type.name_en if stay.offer.room_type else stay.offer.name_en
    room_name_zh = stay.offer.room_type.name_zh if stay.offer.room_type else stay.offer.name_zh
    nightly_total = 0
    for date in stay.dates:
        assert date is not None  # a hotel stay is always dated (pricing.requests.resolve)
        price = slots_by_date[date].price_minor
        if plan is not None and plan.parent_id:
            price = derived_price(plan, price)
        if plan is not None:
            if adults < plan.base_occupancy:
                price += plan.single_adjustment_minor * (plan.base_occupancy - adults)
            elif adults > plan.base_occupancy:
                price += plan.extra_adult_minor * (adults - plan.base_occupancy)
            price += plan.extra_child_minor * children
        price = max(price, 0)
        amount = price * rooms
        nightly_total += amount
        quote.lines.append(
            _line(
                "night",
                f"{room_name}, night of {date.isoformat()}",
                f"{room_name_zh}，{date.isoformat()} 晚",
                amount,
                quantity=rooms,
                unit=price,
                date=date,
            )
        )
    if plan is not None:
        discounts = [d for d in plan.length_of_stay_discounts.all() if stay.nights >= d.min_nights]
        if discounts:
            best = max(discounts, key=lambda d: d.percent_off)
            off = _round(Decimal(nightly_total) * Decimal(best.percent_off) / 100)
            quote.lines.append(
                _line(
                    "discount",
                    f"Stay {best.min_nights}+ nights: {best.percent_off}% off",
                    f"连住{best.min_nights}晚以上优惠 {best.percent_off}%",
                    -off,
                )
            )
            nightly_total -= off
    quote.subtotal_minor = nightly_total


def _party_lines(stay: Stay, slot: InventorySlot, quote: ItemQuote) -> None:
    adults, children = stay.request.adults, stay.request.children
    child_price = slot.child_price_minor if slot.child_price_minor is not None else slot.price_minor
    quote.lines.append(
        _line(
            "adult",
            "Adult",
            "成人",
            slot.price_minor * adults,
            quantity=adults,
            unit=slot.price_minor,
            date=slot.date,
        )
    )
    if children:
        quote.lines.append(
            _line(
                "child",
                "Child",
                "儿童",
                child_price * children,
                quantity=children,
                unit=child_price,
                date=slot.date,
            )
        )
    quote.subtotal_minor = slot.price_minor * adults + child_price * children


def _ticket_lines(stay: Stay, slot: InventorySlot, quote: ItemQuote) -> None:
    qty = stay.units
    quote.lines.append(
        _line(
            "ticket",
            stay.offer.name_en,
            stay.offer.name_zh,
            slot.price_minor * qty,
            quantity=qty,
            unit=slot.price_minor,
            date=slot.date,
        )
    )
    quote.subtotal_minor = slot.price_minor * qty


def _persons(stay: Stay) -> int:
    if stay.kind == ProductKind.HOTEL:
        return (stay.request.adults + stay.request.children) * stay.units
    if stay.kind == ProductKind.ATTRACTION:
        return stay.units
    return stay.request.adults + stay.request.children


def _tax_lines(stay: Stay, taxes: Sequence[TaxFee], quote: ItemQuote) -> None:
    base = quote.subtotal_minor
    nights = max(stay.nights, 1)
    added = 0
    for tax in taxes:
        kind = "tax" if tax.is_tax else "fee"
        if tax.basis == TaxFee.Basis.PERCENT:
            rate = Decimal(tax.rate)
            if tax.is_included:
                amount = _round(Decimal(base) * rate / (100 + rate))
            else:
                amount = _round(Decimal(base) * rate / 100)
        elif tax.basis == TaxFee.Basis.PER_NIGHT:
            amount = tax.amount_minor * nights * stay.units
        elif tax.basis == TaxFee.Basis.PER_PERSON:
            amount = (
                tax.amount_minor
                * _persons(stay)
                * (nights if stay.kind == ProductKind.HOTEL else 1)
            )
        else:
            amount = tax.amount_minor
        label_suffix_en = " (included)" if tax.is_included else ""
        label_suffix_zh = "（已含）" if tax.is_included else ""
        quote.lines.append(
            _line(
                kind,
                tax.name_en + label_suffix_en,
                tax.name_zh + label_suffix_zh,
                amount,
                included=tax.is_included,
            )
        )
        if not tax.is_included:
            added += amount
    quote.taxes_minor = added


def price_stay(
    stay: Stay, slots_by_date: dict[Any, InventorySlot], taxes: Sequence[TaxFee]
) -> ItemQuote:
    """The itemised price of one resolved request, from the slots given (no queries but LOS)."""
    quote = ItemQuote(stay=stay, currency=stay.offer.product.currency)
    if stay.kind == ProductKind.HOTEL:
        _hotel_lines(stay, slots_by_date, quote)
    elif stay.kind in (ProductKind.TOUR, ProductKind.TRANSPORT):
        _party_lines(stay, slots_by_date[stay.dates[0]], quote)
    else:
        _ticket_lines(stay, slots_by_date[stay.dates[0]], quote)
    _tax_lines(stay, taxes, quote)
    return quote


def combine(items: list[ItemQuote]) -> Quote:
    currencies = {i.currency for i in items}
    if len(currencies) != 1:
        raise CurrencyMismatch("All items of one order must be sold in the same currency")
    return Quote(items=items, currency=currencies.pop())
