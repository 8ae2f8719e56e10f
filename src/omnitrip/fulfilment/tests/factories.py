"""Orders ready for vouchers, built straight with the ORM (no order service involved)."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.utils import timezone

from omnitrip.catalog.models import Offer, ProductKind
from omnitrip.catalog.tests import factories as catalog
from omnitrip.core.ids import public_code, secret_token, token_digest
from omnitrip.fulfilment.models import Voucher
from omnitrip.fulfilment.services import issue_vouchers
from omnitrip.orders.models import Order, OrderItem
from omnitrip.orders.states import OrderStatus

_seq = count(1)


def order(*, status: str = OrderStatus.CONFIRMED, language: str = "en", **fields) -> Order:
    """An order without items; add them with :func:`order_item`."""
    now = timezone.now()
    defaults = {
        "code": public_code("OT"),
        "status": status,
        "contact_name": "Li Wei",
        "contact_email": "li.wei@example.com",
        "contact_phone": "+8613800000000",
        "language": language,
        "currency": "CNY",
        "total_minor": 0,
        "access_digest": token_digest(secret_token()),
        "hold_expires_at": now + dt.timedelta(minutes=15),
        "confirmed_at": now if status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED) else None,
    }
    defaults.update(fields)
    return Order.objects.create(**defaults)


def order_item(
    order: Order, offer: Offer, *, subtotal_minor: int = 100000, taxes_minor: int = 6000, **fields
) -> OrderItem:
    """An item of ``order`` on ``offer``, dated the way its kind of product is sold.

    Hotels: two nights from a week ahead; open-dated tickets: valid for the offer's
    validity from today; other products: one day a week ahead. The order's total grows
    by the item's total.
    """
    today = timezone.localdate()
    product = offer.product
    if offer.is_open_dated:
        dates = {"valid_until": today + dt.timedelta(days=offer.validity_days or 1)}
    elif product.kind == ProductKind.HOTEL:
        dates = {
            "start_date": today + dt.timedelta(days=7),
            "end_date": today + dt.timedelta(days=9),
        }
    else:
        dates = {"start_date": today + dt.timedelta(days=7)}
    policy = offer.policy()
    defaults = {
        "order": order,
        "position": order.items.count() + 1,
        "offer": offer,
        "product": product,
        "quantity": 1,
        "adults": 2,
        "subtotal_minor": subtotal_minor,
        "taxes_minor": taxes_minor,
        "total_minor": subtotal_minor + taxes_minor,
        "cancellation_policy": policy.snapshot() if policy else {},
        "timezone": product.timezone,
        "hold_reference": f"test-hold-{next(_seq)}",
        **dates,
    }
    defaults.update(fields)
    item = OrderItem.objects.create(**defaults)
    Order.objects.filter(pk=order.pk).update(total_minor=order.total_minor + item.total_minor)
    order.refresh_from_db(fields=["total_minor"])
    return item


def confirmed_order(*offers: Offer, language: str = "en", **fields) -> Order:
    """A confirmed order with one item per offer (one hotel stay when none is given)."""
    result = order(language=language, **fields)
    for offer in offers or (catalog.hotel_offer(),):
        order_item(result, offer)
    return result


def issued_voucher(offer: Offer | None = None, **order_fields) -> Voucher:
    """The voucher of a confirmed one-item order on ``offer`` (a hotel stay by default)."""
    result = confirmed_order(*([offer] if offer else []), **order_fields)
    (voucher,) = issue_vouchers(result)
    return voucher
