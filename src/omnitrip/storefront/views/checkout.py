"""Storefront: checkout (traveller details, itemised price, terms) and the pay page.

The basket travels in the form as a value signed with ``django.core.signing`` (salted,
timestamped): offer, dates, quantity, party and a per-form nonce. The server never reads a
price from the form; it prices the signed basket again on every request and
``place_order`` prices it once more from the rows it locks. A basket whose signature does
not verify (someone changed the quantity or the offer) places no order. The nonce makes
the checkout idempotent: a double submit of one form returns the same order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from omnitrip.core.errors import DomainError
from omnitrip.orders.errors import IdempotencyKeyReused, OrderExpired, OrderNotPayable
from omnitrip.orders.models import Order
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.services.checkout import Contact, TermsAcceptance, place_order
from omnitrip.orders.states import OrderStatus
from omnitrip.payments.states import PaymentStatus
from omnitrip.pricing.quotes import Quote
from omnitrip.pricing.requests import MAX_UNITS, ItemRequest
from omnitrip.pricing.services import create_quote

from ..bookings import access_order, client_ip, price_rows, unlock
from ..devices import web_channel
from ..forms import TravellerForm
from ..wording import cancellation_terms

BASKET_SALT = "omnitrip.storefront.checkout.basket"
#: A checkout form older than this must be started again (prices and stock move on).
BASKET_MAX_AGE = dt.timedelta(hours=2)
#: Idempotency scope of storefront checkouts (the key is derived from the form's nonce).
IDEMPOTENCY_SCOPE = "storefront"
PAYMENT_PROVIDER = "sandbox"


class BasketError(Exception):
    """The basket in the query or the form cannot be used; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Basket:
    """One item as the product page's Book control asked for it, plus the form's nonce."""

    offer: str
    start: str  # YYYY-MM-DD, or "" for an open-dated ticket
    end: str  # YYYY-MM-DD, or ""
    quantity: int
    adults: int
    children: int
    nonce: str

    @classmethod
    def from_query(cls, query: Any) -> Basket:
        """Read the Book control's query: offer, start, end, quantity, adults, children."""
        offer = (query.get("offer") or "").strip()
        if not offer or len(offer) > 40:
            raise BasketError(_("Choose what to book on a product page first."))
        start = _date_text(query.get("start", ""))
        end = _date_text(query.get("end", ""))
        return cls(
            offer=offer,
            start=start,
            end=end,
            quantity=_count(query.get("quantity"), default=1, low=1),
            adults=_count(query.get("adults"), default=1, low=0),
            children=_count(query.get("children"), default=0, low=0),
            nonce=secrets.token_urlsafe(18),
        )

    def sign(self) -> str:
        return signing.TimestampSigner(salt=BASKET_SALT).sign_object(asdict(self), compress=True)

    @classmethod
    def unsign(cls, value: str) -> Basket:
        """The basket signed in the form; BasketError when it was changed or is too old."""
        signer = signing.TimestampSigner(salt=BASKET_SALT)
        try:
            data = signer.unsign_object(value or "", max_age=BASKET_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise BasketError(
                _("This booking form is too old. Please start again from the product page.")
            ) from exc
        except signing.BadSignature as exc:
            raise BasketError(
                _(
                    "The booking details in this form were changed, so we cannot use them. "
                    "Nothing was booked. Please start again from the product page."
                )
            ) from exc
        try:
            return cls(**data)
        except TypeError as exc:  # signed by an older version of this form
            raise BasketError(_("Please start again from the product page.")) from exc

    def item_request(self) -> ItemRequest:
        return ItemRequest(
            offer_code=self.offer,
            start_date=dt.date.fromisoformat(self.start) if self.start else None,
            end_date=dt.date.fromisoformat(self.end) if self.end else None,
            quantity=self.quantity,
            adults=self.adults,
            children=self.children,
        )

    @property
    def idempotency_key(self) -> str:
        return "web-" + hashlib.sha256(self.nonce.encode()).hexdigest()[:48]


def _date_text(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError as exc:
        raise BasketError(_("The dates are not valid. Please choose them again.")) from exc


def _count(raw: Any, *, default: int, low: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise BasketError(_("The number of guests or units is not valid.")) from exc
    if not low <= value <= MAX_UNITS:
        raise BasketError(_("The number of guests or units is not valid."))
    return value


def error_message(error: DomainError) -> str:
    """What a traveller reads for a domain error (its ``code``), in the active language."""
    messages = {
        "sold_out": _(
            "Sorry, there is not enough availability left for these dates. "
            "Please choose other dates or another option."
        ),
        "not_bookable": _("These dates cannot be booked for this option. Please choose others."),
        "invalid_dates": _("The dates are not valid for this option. Please choose them again."),
        "invalid_party": _(
            "The number of guests or units is not possible for this option. "
            "Please change it on the product page."
        ),
        "not_found": _("This option is no longer on sale."),
        "conflict": _("Someone is booking the same thing right now. Please try again."),
        "order_expired": _("The reservation has expired. Please book again."),
        "order_not_payable": _("This order is not waiting for payment."),
        "idempotency_key_reused": _(
            "This booking form was already sent with other details. "
            "Please start again from the product page."
        ),
        "provider_unavailable": _(
            "The payment service is not available right now. Please try again in a moment."
        ),
    }
    return messages.get(error.code, _("Your booking could not be completed. Please try again."))


def error_message_for_field(field: str) -> str:
    """The checkout service refused a contact field the form accepted."""
    messages = {
        "name": _("Please enter the lead traveller's name (at most 120 characters)."),
        "email": _("Please enter a valid e-mail address, like name@example.com."),
        "phone": _("Please enter a valid phone number."),
    }
    return messages.get(field, _("Please check this field."))


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _quote_context(quote: Quote, language: str) -> dict[str, Any]:
    item = quote.items[0]
    offer = item.stay.offer
    product = offer.product
    return {
        "offer": offer,
        "product": product,
        "stay": item.stay,
        "rows": price_rows(item.lines, quote.currency),
        "subtotal": quote.subtotal,
        "taxes": quote.taxes,
        "total": quote.total,
        "cancellation": cancellation_terms(offer.policy(), language, product_kind=product.kind),
        "hold_minutes": settings.HOLD_MINUTES,
    }


def _initial(request: HttpRequest) -> dict[str, str]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "name": user.get_full_name() or "",
        "email": user.email or "",
        "phone": getattr(user, "phone", "") or "",
    }


def _render(
    request: HttpRequest,
    *,
    basket: Basket | None,
    form: TravellerForm | None = None,
    quote: Quote | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"problem": problem, "form": form, "basket": basket}
    if basket is not None:
        context["basket_token"] = basket.sign()
    if quote is not None:
        context.update(_quote_context(quote, _language()))
    return render(request, "storefront/checkout/checkout.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """GET: what is booked, the itemised price, the terms and the traveller form.
    POST: place the order (prices from the server only) and go to the pay page."""
    if request.method == "POST":
        return _place(request)
    try:
        basket = Basket.from_query(request.GET)
    except BasketError as error:
        return _render(request, basket=None, problem=error.message, status=400)
    try:
        quote = create_quote([basket.item_request()])
    except DomainError as error:
        return _render(request, basket=None, problem=error_message(error), status=error.status)
    form = TravellerForm(initial=_initial(request))
    return _render(request, basket=basket, form=form, quote=quote)


def _place(request: HttpRequest) -> HttpResponse:
    try:
        basket = Basket.unsign(request.POST.get("basket", ""))
    except BasketError as error:
        return _render(request, basket=None, problem=error.message, status=400)
    form = TravellerForm(request.POST)
    try:
        quote = create_quote([basket.item_request()])
    except DomainError as error:
        return _render(request, basket=None, problem=error_message(error), status=error.status)
    if not form.is_valid():
        return _render(request, basket=basket, form=form, quote=quote, status=422)

    user = request.user if request.user.is_authenticated else None
    data = form.cleaned_data
    try:
        placed = place_order(
            [basket.item_request()],
            Contact(data["name"], data["email"], data["phone"]),
            channel=web_channel(request),
            actor=f"user:{user.pk}" if user else "storefront:guest",
            customer=user,
            language=_language(),
            idempotency_scope=IDEMPOTENCY_SCOPE,
            idempotency_key=basket.idempotency_key,
            terms=TermsAcceptance(
                version=settings.OMNITRIP_TERMS_VERSION,
                accepted_at=timezone.now(),
                ip=client_ip(request),
            ),
        )
    except IdempotencyKeyReused as error:
        return _render(request, basket=None, problem=error_message(error), status=error.status)
    except DomainError as error:
        field = error.extra.get("field")
        if field in form.fields:
            form.add_error(field, error_message_for_field(field))
            return _render(request, basket=basket, form=form, quote=quote, status=error.status)
        return _render(
            request,
            basket=basket,
            form=form,
            quote=quote,
            problem=error_message(error),
            status=error.status,
        )
    unlock(request, placed.order.code)
    return redirect("storefront:pay", code=placed.order.code)


# --- the pay page ---------------------------------------------------------------------------


def remaining_seconds(order: Order, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(int((order.hold_expires_at - now).total_seconds()), 0)


def _payment_key(order: Order) -> str:
    """One payment attempt per key: a double click reuses it; after a declined or cancelled
    attempt the next click opens a new one."""
    closed = order.payments.filter(
        provider=PAYMENT_PROVIDER, status__in=(PaymentStatus.FAILED, PaymentStatus.CANCELLED)
    ).count()
    return f"web:{order.code}:{closed}"


def _local_redirect(url: str) -> str:
    """The sandbox's hosted page lives on this site: keep the traveller on the host they
    came in by (PUBLIC_BASE_URL may name another), as a path."""
    base = settings.PUBLIC_BASE_URL
    if url.startswith(base + "/"):
        return url[len(base) :]
    return url


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    """The order awaiting payment, its hold's remaining time and "Pay now"."""
    order = access_order(request, code)
    order_url = reverse("storefront:order", args=[order.code])
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        return HttpResponseRedirect(order_url)
    problem = ""
    if request.method == "POST" and order.status == OrderStatus.PENDING_PAYMENT:
        try:
            _payment, result = order_payments.start_payment(
                order,
                PAYMENT_PROVIDER,
                idempotency_key=_payment_key(order),
                return_url=order_url,
                actor=f"user:{request.user.pk}" if request.user.is_authenticated else "storefront",
                client_ip=client_ip(request) or "",
            )
        except OrderExpired:
            order = access_order(request, code)
        except OrderNotPayable:
            return HttpResponseRedirect(order_url)
        except DomainError as error:
            problem = error_message(error)
        else:
            if result.redirect_url:
                return HttpResponseRedirect(_local_redirect(result.redirect_url))
            return HttpResponseRedirect(order_url)
    seconds = remaining_seconds(order)
    context = {
        "order": order,
        "items": list(order.items.all()),
        "problem": problem,
        "is_expired": order.status == OrderStatus.EXPIRED,
        "remaining": seconds,
        "remaining_text": f"{seconds // 60}:{seconds % 60:02d}",
        "amount_due": order_payments.amount_due(order),
    }
    status = 409 if problem else 200
    return render(request, "storefront/checkout/pay.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("checkout/", checkout, name="checkout"),
    path("orders/<str:code>/pay/", pay, name="pay"),
]
