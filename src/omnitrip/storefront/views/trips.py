"""Storefront: My trips, the order (confirmation) page, vouchers, guest lookup, cancelling.

Who may open an order: see ``storefront.bookings``. The guest lookup compares the e-mail in
constant time and answers "no such order" and "wrong e-mail" with one message; it is
limited per client address through the cache.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from omnitrip.core.errors import DomainError
from omnitrip.core.money import Money
from omnitrip.fulfilment.codes import format_code
from omnitrip.fulfilment.models import VoucherStatus
from omnitrip.fulfilment.queries import vouchers_of_order
from omnitrip.fulfilment.rendering import order_vouchers_pdf, voucher_qr_svg
from omnitrip.orders.models import Order
from omnitrip.orders.policy import free_cancellation_until
from omnitrip.orders.queries import trips_of_customer
from omnitrip.orders.services import lifecycle
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.states import OrderStatus
from omnitrip.payments.models import Refund
from omnitrip.payments.states import PaymentStatus

from ..bookings import access_order, client_ip, price_rows, unlock
from ..forms import CancelForm, OrderLookupForm
from ..wording import cancellation_terms
from .checkout import error_message, remaining_seconds

#: Guest lookups allowed per client address in LOOKUP_WINDOW seconds.
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 600
_OPEN_PAYMENT = (PaymentStatus.CREATED, PaymentStatus.PENDING)


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en")


def _payment_state(order: Order) -> str:
    """ "processing" while a started payment has not been decided, "declined" after the last
    attempt failed, else "" — for an order still awaiting payment."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        return ""
    latest = max(order.payments.all(), key=lambda p: p.pk, default=None)
    if latest is None:
        return ""
    if latest.status in _OPEN_PAYMENT:
        return "processing"
    if latest.status == PaymentStatus.CAPTURED:
        return "processing"  # captured, the confirmation is being written
    return "declined"


def _state_key(order: Order) -> str:
    return f"{order.status}:{_payment_state(order)}"


def _qr_markup(voucher: Any) -> str:
    # The SVG comes from our own QR library (one <path>, no text from users).
    return mark_safe(voucher_qr_svg(voucher).replace("<svg ", '<svg aria-hidden="true" ', 1))  # noqa: S308


def _order_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    language = _language(request)
    items = []
    for item in order.items.all():
        items.append(
            {
                "item": item,
                "rows": price_rows(item.lines, order.currency),
                "subtotal": Money(item.subtotal_minor, order.currency),
                "taxes": Money(item.taxes_minor, order.currency),
                "total": Money(item.total_minor, order.currency),
                "cancellation": cancellation_terms(
                    item.cancellation_policy, language, product_kind=item.product.kind
                ),
                "free_until": free_cancellation_until(item),
                "nights": (item.end_date - item.start_date).days
                if item.start_date and item.end_date
                else 0,
            }
        )
    vouchers = []
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        for voucher in vouchers_of_order(order):
            vouchers.append(
                {
                    "voucher": voucher,
                    "display_code": format_code(voucher.code),
                    "is_valid": voucher.status == VoucherStatus.ISSUED,
                    "qr": _qr_markup(voucher) if voucher.status == VoucherStatus.ISSUED else "",
                }
            )
    payments = sorted(order.payments.all(), key=lambda p: p.pk)
    refunds = list(Refund.objects.filter(payment__order=order).order_by("pk"))
    cancellable = order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED)
    seconds = remaining_seconds(order)
    return {
        "order": order,
        "items": items,
        "item_total_label": _("Total"),
        "vouchers": vouchers,
        "payments": payments,
        "refunds": refunds,
        "is_cancellable": cancellable,
        "payment_state": _payment_state(order),
        "state_key": _state_key(order),
        "remaining": seconds,
        "remaining_text": f"{seconds // 60}:{seconds % 60:02d}",
        "amount_due": Money(order_payments.amount_due(order), order.currency)
        if order.status == OrderStatus.PENDING_PAYMENT
        else None,
    }


@require_GET
def order_page(request: HttpRequest, code: str) -> HttpResponse:
    """The order: status, items and price, payments, vouchers with QR, terms, cancel."""
    order = access_order(request, code)
    return render(request, "storefront/trips/order.html", _order_context(request, order))


@require_GET
def order_status(request: HttpRequest, code: str) -> HttpResponse:
    """The small status block the order page polls (htmx) while a payment is processed;
    once the order's state moved on, it asks the browser to reload the page."""
    order = access_order(request, code)
    context = _order_context(request, order)
    response = render(request, "storefront/trips/_order_status.html", context)
    if request.GET.get("state") and request.GET["state"] != context["state_key"]:
        response["HX-Refresh"] = "true"
    return response


@require_GET
def vouchers_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """All vouchers of the order as one PDF, in the page's language."""
    order = access_order(request, code)
    vouchers = vouchers_of_order(order)
    if not vouchers:
        raise Http404("No vouchers yet")
    response = HttpResponse(
        order_vouchers_pdf(order, _language(request), vouchers=vouchers),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="omnitrip-{order.code}.pdf"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the refund the policy gives if cancelled now, per item and in total.
    POST (confirmed by a tick box): cancel, refund, back to the order page."""
    order = access_order(request, code)
    order_url = reverse("storefront:order", args=[order.code])
    form = CancelForm(request.POST if request.method == "POST" else None)
    problem = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        actor = f"user:{request.user.pk}" if request.user.is_authenticated else "storefront:guest"
        try:
            lifecycle.cancel_order(order, actor=actor, reason="customer request")
        except DomainError as error:
            problem = (
                _("This order can no longer be cancelled.")
                if error.code in ("not_cancellable", "illegal_transition")
                else error_message(error)
            )
            status = error.status
            order = access_order(request, code)
        else:
            return HttpResponseRedirect(order_url + "?cancelled=1")
    elif request.method == "POST":
        status = 422
    preview = lifecycle.preview_cancellation(order)
    items = []
    for refund in preview.items:
        item = refund.item
        items.append(
            {
                "item": item,
                "refund": refund,
                "total": Money(item.total_minor, order.currency),
                "penalty": Money(refund.penalty_minor, order.currency),
                "refund_amount": Money(refund.refund_minor, order.currency),
                "cancellation": cancellation_terms(
                    item.cancellation_policy, _language(request), product_kind=item.product.kind
                ),
            }
        )
    is_cancellable = preview.is_cancellable and order.status in (
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.CONFIRMED,
    )
    context = {
        "order": order,
        "form": form,
        "problem": problem,
        "preview": preview,
        "items": items,
        "refund": Money(preview.refund_minor, order.currency),
        "penalty": Money(preview.penalty_minor, order.currency),
        "is_cancellable": is_cancellable,
        "is_paid": order.status == OrderStatus.CONFIRMED,
        "payments": [p for p in order.payments.all() if p.status == PaymentStatus.CAPTURED],
    }
    if not is_cancellable and status == 200:
        status = 409
    return render(request, "storefront/trips/cancel.html", context, status=status)


# --- My trips and the guest lookup ----------------------------------------------------------


def _lookup_allowed(request: HttpRequest) -> bool:
    """Count this try against the client's budget; False once it is spent."""
    key = f"storefront:order-lookup:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, LOOKUP_WINDOW)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOOKUP_WINDOW)
        tries = 1
    return tries <= LOOKUP_LIMIT


def _find_for_guest(code: str, email: str) -> Order | None:
    order = Order.objects.filter(code=code).first()
    # Compare even when there is no such order, so both answers take as long.
    expected = order.contact_email.lower() if order is not None else "-"
    matches = hmac.compare_digest(expected.encode(), email.strip().lower().encode())
    return order if order is not None and matches else None


@require_http_methods(["GET", "HEAD", "POST"])
def trips(request: HttpRequest) -> HttpResponse:
    """Signed in: upcoming and past trips. Anyone: find an order by code and e-mail."""
    form = OrderLookupForm(request.POST if request.method == "POST" else None)
    problem = ""
    status = 200
    if request.method == "POST":
        if not _lookup_allowed(request):
            problem = _("Too many attempts. Please wait ten minutes and try again.")
            status = 429
        elif form.is_valid():
            order = _find_for_guest(form.cleaned_data["code"], form.cleaned_data["email"])
            if order is not None:
                unlock(request, order.code)
                return HttpResponseRedirect(reverse("storefront:order", args=[order.code]))
            problem = _(
                "We could not find an order with this code and e-mail address. "
                "Please check both and try again."
            )
            status = 404
        else:
            status = 422
    context: dict[str, Any] = {"form": form, "problem": problem}
    if request.user.is_authenticated:
        found = trips_of_customer(request.user, now=timezone.now())
        context["upcoming"] = found.upcoming
        context["past"] = found.past
    return render(request, "storefront/trips/trips.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("trips/", trips, name="trips"),
    path("orders/<str:code>/", order_page, name="order"),
    path("orders/<str:code>/status/", order_status, name="order_status"),
    path("orders/<str:code>/vouchers.pdf", vouchers_pdf, name="vouchers_pdf"),
    path("orders/<str:code>/cancel/", cancel, name="cancel"),
]
