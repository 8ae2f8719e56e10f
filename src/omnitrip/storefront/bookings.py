"""What the checkout, order and My trips pages share: who may see an order (and the session
that remembers it), and an itemised price breakdown ready for a template.

Access to an order page: its signed-in customer; a browser session that placed the order
or unlocked it (guest lookup by code + e-mail, or the access link); or the access link
itself (``?token=``, checked by ``orders.access.token_is_valid``). Everyone else gets the
same 404 as for a code that does not exist, so order codes cannot be probed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest

from omnitrip.accounts.throttling import client_ip as sign_in_client_ip
from omnitrip.core.i18n import pick
from omnitrip.core.money import Money
from omnitrip.orders.access import token_is_valid
from omnitrip.orders.models import Order, OrderItem
from omnitrip.orders.services import lifecycle

#: Session key: the order codes this browser placed or unlocked (newest last).
SESSION_ORDERS = "storefront_orders"
_MAX_REMEMBERED = 20


def unlock(request: HttpRequest, code: str) -> None:
    """Let this browser session open the order ``code`` from now on."""
    codes = [c for c in request.session.get(SESSION_ORDERS, []) if c != code]
    request.session[SESSION_ORDERS] = [*codes, code][-_MAX_REMEMBERED:]


def session_orders(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_ORDERS, []))


def _load(code: str) -> Order | None:
    return (
        Order.objects.filter(code=code.strip().upper()[:16])
        .prefetch_related(
            Prefetch(
                "items",
                queryset=OrderItem.objects.select_related("offer", "product", "product__supplier"),
            ),
            "payments",
        )
        .first()
    )


def may_see(request: HttpRequest, order: Order, token: str | None = None) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and order.customer_id == user.pk:
        return True
    if order.code in session_orders(request):
        return True
    return token_is_valid(order, token)


def access_order(request: HttpRequest, code: str) -> Order:
    """The order ``code`` if this request may see it (an access link also unlocks it for
    the session), lazily expired if its hold ran out; else Http404."""
    order = _load(code)
    token = request.GET.get("token") or None
    if order is None or not may_see(request, order, token):
        raise Http404("No such order")
    if token and token_is_valid(order, token):
        unlock(request, order.code)
    status = order.status
    order = lifecycle.expire_if_due(order)
    if order.status != status:  # expired just now: read it again with its items
        order = _load(order.code) or order
    return order


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, read the way the sign-in throttle reads it (so
    ``OMNITRIP_TRUSTED_PROXY_COUNT`` proxies in front are skipped for the guest lookup's
    limit and the terms record too); None when it is not an IP address."""
    raw = sign_in_client_ip(request) or ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


@dataclass(frozen=True)
class PriceRow:
    label: str
    kind: str
    quantity: int
    unit: Money
    amount: Money
    included: bool

    @property
    def is_tax_or_fee(self) -> bool:
        return self.kind in ("tax", "fee")


def price_rows(lines: Iterable[Mapping[str, Any]], currency: str) -> list[PriceRow]:
    """The stored or quoted price lines (``pricing.quotes._line``) in the active language."""

    class _Label:
        def __init__(self, line: Mapping[str, Any]) -> None:
            self.label_en = line.get("label_en", "")
            self.label_zh = line.get("label_zh", "")

    return [
        PriceRow(
            label=pick(_Label(line), "label"),
            kind=str(line.get("kind", "")),
            quantity=int(line.get("quantity") or 1),
            unit=Money(int(line.get("unit_minor") or 0), currency),
            amount=Money(int(line.get("amount_minor") or 0), currency),
            included=bool(line.get("included")),
        )
        for line in lines
    ]
