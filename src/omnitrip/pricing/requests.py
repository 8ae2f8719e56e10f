"""What a customer asks for, checked against the offer's kind before anything is priced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from omnitrip.catalog.models import Offer, ProductKind

from .errors import InvalidDates, InvalidParty

MAX_NIGHTS = 30
MAX_UNITS = 50
BOOKING_HORIZON_DAYS = 550


@dataclass(frozen=True)
class ItemRequest:
    offer_code: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    quantity: int = 1
    adults: int = 1
    children: int = 0


@dataclass(frozen=True)
class Stay:
    """A request resolved against its offer: which dates of inventory and how many units."""

    offer: Offer
    request: ItemRequest
    dates: tuple[dt.date | None, ...]  # inventory dates to take (None: an open-dated quota)
    units: int  # units taken on each date: rooms, seats or tickets
    nights: int

    @property
    def kind(self) -> str:
        return self.offer.product.kind


def local_today(tz_name: str, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(ZoneInfo(tz_name)).date()


def resolve(offer: Offer, request: ItemRequest, *, now: dt.datetime | None = None) -> Stay:
    """Check the request's shape against the offer and work out the dates and units.

    Raises InvalidDates / InvalidParty with a message a traveller understands.
    """
    product = offer.product
    kind = product.kind
    if request.adults < 0 or request.children < 0:
        raise InvalidParty("Guest numbers cannot be negative")
    if not 1 <= request.quantity <= MAX_UNITS:
        raise InvalidParty(f"Quantity must be between 1 and {MAX_UNITS}")
    today = local_today(product.timezone, now)

    if offer.is_open_dated:
        if request.start_date or request.end_date:
            raise InvalidDates("This ticket is open-dated: do not give a date")
        return Stay(offer, request, (None,), request.quantity, 0)

    start = request.start_date
    if start is None:
        raise InvalidDates("A date is required")
    if start < today:
        raise InvalidDates("The date is in the past", field="start_date")
    if (start - today).days > BOOKING_HORIZON_DAYS:
        raise InvalidDates("The date is too far ahead", field="start_date")

    if kind == ProductKind.HOTEL:
        end = request.end_date
        if end is None:
            raise InvalidDates("A check-out date is required", field="end_date")
        if end <= start:
            raise InvalidDates("Check-out must be after check-in", field="end_date")
        nights = (end - start).days
        if nights > MAX_NIGHTS:
            raise InvalidDates(f"Stays are limited to {MAX_NIGHTS} nights", field="end_date")
        room = offer.room_type
        if request.adults < 1:
            raise InvalidParty("At least one adult per room")
        if room is not None and (
            request.adults > room.max_adults
            or request.children > room.max_children
            or request.adults + request.children > room.max_occupancy
        ):
            raise InvalidParty("Too many guests for this room")
        dates = tuple(start + dt.timedelta(days=i) for i in range(nights))
        return Stay(offer, request, dates, request.quantity, nights)

    if request.end_date is not None and request.end_date != start:
        raise InvalidDates("Only one date is needed for this product", field="end_date")
    if kind in (ProductKind.TOUR, ProductKind.TRANSPORT):
        party = request.adults + request.children
        if request.adults < 1:
            raise InvalidParty("At least one adult")
        if not offer.min_party <= party <= offer.max_party:
            raise InvalidParty(
                f"Party size must be between {offer.min_party} and {offer.max_party}"
            )
        return Stay(offer, request, (start,), party, 0)
    return Stay(offer, request, (start,), request.quantity, 0)
