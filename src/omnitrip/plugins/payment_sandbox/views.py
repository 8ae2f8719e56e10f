"""The sandbox's hosted payment page: where the payer approves or declines.

It plays the vendor's part: the decision leaves this page as a signed callback, and goes
through the same verification and intake as a real vendor's notification would.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from omnitrip.core.errors import DomainError
from omnitrip.core.money import Money
from omnitrip.payments.models import Payment
from omnitrip.payments.states import PaymentStatus

from .provider import SandboxProvider, build_notification

#: Shown to the payer as the party being paid.
MERCHANT_NAME = "omnitrip"
OUTCOME_BY_DECISION = {"approve": "captured", "decline": "failed"}
_OPEN_STATUSES = (PaymentStatus.CREATED, PaymentStatus.PENDING)


def safe_return_url(url: str) -> str | None:
    """``url`` if it points back into omnitrip, else None (no open redirects).

    Accepted: an absolute path on this site (``/orders/…``, not ``//host`` or ``/\\host``),
    or a URL under ``settings.PUBLIC_BASE_URL`` — followed by ``/``, ``?``, ``#`` or
    nothing, so ``https://shop.example.evil`` does not pass for ``https://shop.example``.
    """
    if not url or any(ord(char) < 32 or char == "\\" for char in url):
        return None
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    base = settings.PUBLIC_BASE_URL
    if url.startswith(base) and url[len(base) : len(base) + 1] in ("", "/", "?", "#"):
        return url
    return None


def _reference(payment: Payment) -> str:
    """What the payer is paying for: the order's code, or a wallet top-up."""
    return payment.order.code if payment.order is not None else translation.gettext("Wallet top-up")


def _money_display(payment: Payment) -> str:
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return Money(payment.amount_minor, payment.currency).format(locale)


def _page(
    request: HttpRequest,
    payment: Payment,
    return_url: str,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    context = {
        "payment": payment,
        "order_code": _reference(payment),
        "merchant": MERCHANT_NAME,
        "amount": _money_display(payment),
        "is_open": payment.status in _OPEN_STATUSES,
        "return_url": return_url,
        "error": error,
    }
    return render(request, "payment_sandbox/pay.html", context, status=status)


def _find(code: str) -> Payment | None:
    return (
        Payment.objects.select_related("order")
        .filter(code=code, provider=SandboxProvider.name)
        .first()
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "payment_sandbox/not_found.html", status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def payment_page(request: HttpRequest, payment_code: str) -> HttpResponse:
    """GET: what is being paid, with Approve / Decline. POST: deliver the decision."""
    payment = _find(payment_code)
    if payment is None:
        return _not_found(request)
    return_url = request.POST.get("return") or request.GET.get("return", "")
    if request.method != "POST":
        return _page(request, payment, return_url)

    if payment.status not in _OPEN_STATUSES:
        # A double submit or a stale tab: say what happened instead of deciding again.
        return _page(request, payment, return_url, status=409)
    outcome = OUTCOME_BY_DECISION.get(request.POST.get("decision", ""))
    if outcome is None:
        message = translation.gettext("Please choose Approve or Decline.")
        return _page(request, payment, return_url, status=400, error=message)

    # Imported here: the order app owns the intake, and the plug-in must load without it.
    from omnitrip.orders.services.payments import receive_payment_notification

    body, headers = build_notification(payment, outcome)
    try:
        receive_payment_notification(
            SandboxProvider.name, body, headers, remote_addr=request.META.get("REMOTE_ADDR", "")
        )
    except DomainError:
        payment.refresh_from_db()
        message = translation.gettext(
            "The shop could not accept this payment. Please go back to the shop and try again."
        )
        return _page(request, payment, return_url, status=409, error=message)

    target = safe_return_url(return_url)
    if target is None:
        target = reverse("payment_sandbox:done", args=[payment.code])
    return HttpResponseRedirect(target)


@require_GET
def payment_done(request: HttpRequest, payment_code: str) -> HttpResponse:
    """The neutral landing page when there is no safe place to send the payer back to."""
    payment = _find(payment_code)
    if payment is None:
        return _not_found(request)
    context = {"payment": payment, "order_code": _reference(payment), "merchant": MERCHANT_NAME}
    return render(request, "payment_sandbox/done.html", context)
