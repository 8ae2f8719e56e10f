"""Checkout: quote and hold every item of a basket in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from omnitrip.catalog.models import ProductKind
from omnitrip.core.errors import InvalidInput
from omnitrip.core.ids import public_code
from omnitrip.core.locking import set_lock_timeout
from omnitrip.inventory.errors import InventoryChanged, SoldOut
from omnitrip.inventory.locks import slots_for_update
from omnitrip.inventory.models import InventorySlot
from omnitrip.inventory.services import Allocation, hold_inventory, is_short, slots_unchanged
from omnitrip.pricing.quotes import ItemQuote, combine
from omnitrip.pricing.requests import ItemRequest, Stay, resolve
from omnitrip.pricing.services import offers_by_code, quote_stay, slot_filter

from .. import events
from ..access import access_token, digest_for
from ..errors import IdempotencyKeyReused, InvalidContact
from ..models import Channel, Order, OrderItem
from ..states import OrderStatus

if TYPE_CHECKING:
    from omnitrip.accounts.models import Organisation, User

MAX_ITEMS = 10


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class TermsAcceptance:
    """The buyer accepted these terms of booking: their version, when, and from which IP."""

    version: str
    accepted_at: dt.datetime
    ip: str | None = None


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    access_token: str
    created: bool  # False when an idempotent retry returned the earlier order


def _check_contact(contact: Contact) -> Contact:
    name = (contact.name or "").strip()
    email = (contact.email or "").strip()
    phone = (contact.phone or "").strip()
    if not name or len(name) > 120:
        raise InvalidContact(
            "Please give the traveller's name (at most 120 characters)", field="name"
        )
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidContact("Please give a valid e-mail address", field="email") from exc
    if phone and (len(phone) > 32 or not all(c.isdigit() or c in "+-() " for c in phone)):
        raise InvalidContact("Please give a valid phone number", field="phone")
    return Contact(name, email.lower(), phone)


def fingerprint(requests: Sequence[ItemRequest], contact: Contact, channel: str) -> str:
    payload = {
        "items": [asdict(r) for r in requests],
        "contact": asdict(contact),
        "channel": channel,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _service_window(
    stay: Stay, tz: ZoneInfo, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None, dt.date | None]:
    offer, product = stay.offer, stay.offer.product
    if offer.is_open_dated:
        valid_until = now.astimezone(tz).date() + dt.timedelta(days=offer.validity_days or 0)
        return None, dt.datetime.combine(valid_until, dt.time(23, 59), tzinfo=tz), valid_until
    start = stay.dates[0]
    assert start is not None  # only an open-dated offer's stay has no date (resolve)
    if product.kind == ProductKind.HOTEL:
        last_night = stay.dates[-1]
        assert last_night is not None
        end = last_night + dt.timedelta(days=1)
        return (
            dt.datetime.combine(start, product.check_in_time or dt.time(14), tzinfo=tz),
            dt.datetime.combine(end, product.check_out_time or dt.time(12), tzinfo=tz),
            None,
        )
    if product.kind == ProductKind.TOUR:
        last = start + dt.timedelta(days=max(offer.duration_days, 1) - 1)
        return (
            dt.datetime.combine(start, offer.departure_time or dt.time(0), tzinfo=tz),
            dt.datetime.combine(last, dt.time(23, 59), tzinfo=tz),
            None,
        )
    if product.kind == ProductKind.TRANSPORT:
        return (
            dt.datetime.combine(start, offer.departure_time or dt.time(0), tzinfo=tz),
            dt.datetime.combine(start, offer.arrival_time or dt.time(23, 59), tzinfo=tz),
            None,
        )
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(start, dt.time(23, 59), tzinfo=tz),
        None,
    )


def _replay(scope: str, key: str, print_: str) -> PlacedOrder | None:
    order = Order.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if order is None:
        return None
    if order.request_fingerprint != print_:
        raise IdempotencyKeyReused("This Idempotency-Key was already used for a different request")
    return PlacedOrder(order, access_token(order.code, order.access_salt), created=False)


def place_order(
    requests: Sequence[ItemRequest],
    contact: Contact,
    *,
    channel: str = Channel.WEB,
    actor: str,
    customer: User | None = None,
    partner: Organisation | None = None,
    language: str = "en",
    idempotency_scope: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    terms: TermsAcceptance | None = None,
) -> PlacedOrder:
    """Create an order awaiting payment and hold its inventory until the hold expires.

    One durable transaction: lock every slot the basket needs (pk order, short lock
    timeout), price the items from those locked rows, write the order and its items, take
    the holds with guarded updates. Any item short of units raises ``SoldOut`` and nothing
    is written. With ``idempotency_key`` the call is idempotent per ``idempotency_scope``:
    a retry returns the first order (``created=False``); the same key with another body
    raises ``IdempotencyKeyReused``. Nothing is scheduled on commit (payment comes next).
    ``terms`` (the storefront's record of the accepted terms of booking) is stored on the
    order in the same transaction; it is not part of the idempotency fingerprint, so a
    retried submit keeps the first acceptance.
    """
    if not requests:
        raise InvalidInput("An order needs at least one item", field="items")
    if len(requests) > MAX_ITEMS:
        raise InvalidInput(f"An order has at most {MAX_ITEMS} items", field="items")
    if channel not in Channel.values:
        raise InvalidInput("Unknown channel", field="channel")
    contact = _check_contact(contact)
    now = now or timezone.now()
    print_ = fingerprint(requests, contact, channel)
    if idempotency_key:
        replay = _replay(idempotency_scope, idempotency_key, print_)
        if replay:
            return replay

    offers = offers_by_code([r.offer_code for r in requests])
    stays = [resolve(offers[r.offer_code], r, now=now) for r in requests]
    try:
        place = partial(
            _place,
            stays,
            contact,
            channel=channel,
            actor=actor,
            customer=customer,
            partner=partner,
            language=language,
            scope=idempotency_scope,
            key=idempotency_key,
            print_=print_,
            now=now,
            terms=terms,
        )
        try:
            return place()
        except InventoryChanged:  # a price or rule moved under the unlocked read: lock first
            return place(lock_first=True)
    except IntegrityError:
        # A concurrent request with the same key won the unique constraint: answer as it did.
        if idempotency_key:
            replay = _replay(idempotency_scope, idempotency_key, print_)
            if replay:
                return replay
        raise


def _place(
    stays: list[Stay],
    contact: Contact,
    *,
    channel: str,
    actor: str,
    customer: User | None,
    partner: Organisation | None,
    language: str,
    scope: str,
    key: str | None,
    print_: str,
    now: dt.datetime,
    terms: TermsAcceptance | None = None,
    lock_first: bool = False,
) -> PlacedOrder:
    # Lock late (docs/benchmarks.md, finding C): price from an unlocked read and refuse a
    # basket that is already short before any transaction starts; inside it, write the
    # order, its items and its event first and take the slots last (hold_inventory's
    # guarded UPDATEs lock them), so a busy slot's lock is held only until the commit
    # that follows. The prices and rules read are checked again once the slots are taken;
    # if they moved, InventoryChanged rolls everything back and the caller starts again
    # with ``lock_first``: lock the slots, then read and price them, as before.
    query = Q(pk__in=[])
    for stay in stays:
        query |= slot_filter(stay)
    slots = list(InventorySlot.objects.filter(query))
    quotes: list[ItemQuote] = [quote_stay(stay, slots) for stay in stays]
    basket = combine(quotes)
    wanted: dict[int, int] = {}
    for stay in stays:
        pks = {s.date: s.pk for s in slots if s.offer_id == stay.offer.inventory_offer_id}
        for date in stay.dates:
            wanted[pks[date]] = wanted.get(pks[date], 0) + stay.units
    if is_short(wanted, slots, now=now):
        raise SoldOut("Not enough availability left")
    with transaction.atomic(durable=True):
        set_lock_timeout()
        if lock_first:
            slots = slots_for_update(s.pk for s in slots)
            quotes = [quote_stay(stay, slots) for stay in stays]
            basket = combine(quotes)

        code = public_code("OT", 10)
        salt = secrets.token_hex(8)
        expires_at = now + dt.timedelta(minutes=settings.HOLD_MINUTES)
        order = Order.objects.create(
            code=code,
            status=OrderStatus.PENDING_PAYMENT,
            channel=channel,
            customer=customer,
            partner=partner,
            contact_name=contact.name,
            contact_email=contact.email,
            contact_phone=contact.phone,
            language=language,
            currency=basket.currency,
            total_minor=basket.total.amount_minor,
            access_salt=salt,
            access_digest=digest_for(code, salt),
            idempotency_scope=scope,
            idempotency_key=key,
            request_fingerprint=print_,
            hold_expires_at=expires_at,
            terms_version=terms.version if terms else "",
            terms_accepted_at=terms.accepted_at if terms else None,
            terms_accepted_ip=(terms.ip or None) if terms else None,
        )
        allocations: list[Allocation] = []
        for position, quote in enumerate(quotes, start=1):
            stay = quote.stay
            tz = ZoneInfo(stay.offer.product.timezone)
            starts, ends, valid_until = _service_window(stay, tz, now)
            policy = stay.offer.policy()
            item = OrderItem.objects.create(
                order=order,
                position=position,
                offer=stay.offer,
                product=stay.offer.product,
                start_date=stay.dates[0],
                end_date=stay.request.end_date if stay.nights else None,
                quantity=stay.units,
                adults=stay.request.adults,
                children=stay.request.children,
                lines=quote.lines,
                subtotal_minor=quote.subtotal_minor,
                taxes_minor=quote.taxes_minor,
                total_minor=quote.total_minor,
                cancellation_policy=policy.snapshot() if policy else {},
                commission_percent=stay.offer.product.supplier.commission_percent,
                timezone=stay.offer.product.timezone,
                service_starts_at=starts,
                service_ends_at=ends,
                valid_until=valid_until,
                hold_reference=f"{code}/{position}",
            )
            by_date = {s.date: s for s in slots if s.offer_id == stay.offer.inventory_offer_id}
            allocations += [
                Allocation(item.hold_reference, by_date[d].pk, stay.units) for d in stay.dates
            ]
        events.record(
            order,
            "placed",
            actor=actor,
            to_status=OrderStatus.PENDING_PAYMENT,
            channel=channel,
            total_minor=order.total_minor,
            currency=order.currency,
        )
        # Last: take the slots (locking them) and check they still price as read.
        hold_inventory(allocations, expires_at=expires_at, now=now)
        if not lock_first and not slots_unchanged(slots):
            raise InventoryChanged("A price or rule changed while booking", order=code)
    return PlacedOrder(order, access_token(code, salt), created=True)
