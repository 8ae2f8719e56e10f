"""Quotes, orders, payments, cancellation and vouchers."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from omnitrip.core.errors import InvalidInput, PermissionDenied
from omnitrip.fulfilment.codes import format_code
from omnitrip.fulfilment.errors import VoucherNotFound
from omnitrip.fulfilment.models import Voucher
from omnitrip.fulfilment.queries import vouchers_of_order
from omnitrip.orders.access import token_is_valid
from omnitrip.orders.errors import OrderNotFound
from omnitrip.orders.models import Channel, Order, OrderItem
from omnitrip.orders.services import lifecycle
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.services.checkout import Contact, place_order
from omnitrip.pricing.requests import ItemRequest
from omnitrip.pricing.services import convert_for_display
from omnitrip.pricing.services import create_quote as price_basket

from .. import presenters as p
from ..auth import caller_scope, partner_key
from ..schemas import (
    CancelOut,
    ItemIn,
    OrderCreatedOut,
    OrderIn,
    OrderOut,
    PaymentIn,
    PaymentStartedOut,
    Problem,
    QuoteIn,
    QuoteOut,
    VoucherOut,
)

router = Router(tags=["orders"])
ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    415: Problem,
    422: Problem,
}


def _requests(items: list[ItemIn]) -> list[ItemRequest]:
    return [
        ItemRequest(i.offer, i.start_date, i.end_date, i.quantity, i.adults, i.children)
        for i in items
    ]


@router.post("/quotes", response={200: QuoteOut, **ERRORS}, operation_id="create_quote")
def create_quote(
    request: HttpRequest, body: QuoteIn, lang: str = "en", currency: str | None = None
):
    """Price a basket, itemised with taxes and fees, without holding anything.

    `currency` adds the total converted for display from the exchange-rate table.
    """
    basket = price_basket(_requests(body.items))
    out = p.quote(basket, lang)
    if currency:
        out.display_total = p.MoneyOut.of(
            convert_for_display(basket.total, currency.upper()[:3]), lang
        )
    return out


def _load(code: str) -> Order:
    order = (
        Order.objects.filter(code=code.upper())
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.select_related("offer", "product")),
            "payments",
        )
        .first()
    )
    if order is None:
        raise OrderNotFound("Order not found")
    return order


def access_order(request: HttpRequest, code: str, token: str | None) -> Order:
    """The order if the caller may see it: its access token, its customer, or its partner key.

    Anyone else gets the same 404 as for a code that does not exist.
    """
    order = _load(code)
    key = partner_key(request)
    allowed = (
        token_is_valid(order, token)
        or (request.user.is_authenticated and order.customer_id == request.user.pk)
        or (key is not None and order.partner_id == key.organisation_id)
    )
    if not allowed:
        raise OrderNotFound("Order not found")
    return lifecycle.expire_if_due(order)


@router.post(
    "/orders",
    response={201: OrderCreatedOut, 200: OrderCreatedOut, **ERRORS},
    operation_id="create_order",
)
def create_order(
    request: HttpRequest,
    body: OrderIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=120),
):
    """Quote and hold every item in one transaction; the order then awaits payment.

    Send an `Idempotency-Key` header to make retries safe: the same key and body return
    the same order (200) instead of a new one (201).
    """
    key = partner_key(request)
    placed = place_order(
        _requests(body.items),
        Contact(body.contact.name, body.contact.email, body.contact.phone),
        channel=Channel.API,
        actor=f"api-key:{key.prefix}" if key else "api:guest",
        customer=request.user if request.user.is_authenticated else None,
        partner=key.organisation if key else None,
        language=body.language,
        idempotency_scope=caller_scope(request, key),
        idempotency_key=idempotency_key or None,
    )
    order = _load(placed.order.code)
    return Status(
        201 if placed.created else 200,
        OrderCreatedOut(order=p.order(order), access_token=placed.access_token),
    )


@router.get("/orders/{code}", response={200: OrderOut, **ERRORS}, operation_id="get_order")
def get_order(
    request: HttpRequest, code: str, token: str | None = Header(None, alias="X-Order-Token")
):
    """One order with its items, payments and status (needs its access token)."""
    return p.order(access_order(request, code, token))


def _safe_return_url(url: str, order: Order) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(settings.PUBLIC_BASE_URL + "/"):
        return url
    if url:
        raise InvalidInput("return_url must be on this site", field="return_url")
    return f"/api/v1/orders/{order.code}"


@router.post(
    "/orders/{code}/payments",
    response={201: PaymentStartedOut, **ERRORS},
    operation_id="start_payment",
)
def start_payment(
    request: HttpRequest,
    code: str,
    body: PaymentIn,
    token: str | None = Header(None, alias="X-Order-Token"),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
):
    """Pay what is due on the order (always the server's amount): with a provider (go to
    `redirect_url` or show `qr_content`), or at once from the wallet or on account."""
    order = access_order(request, code, token)
    if body.provider in ("wallet", "account"):
        return Status(201, _pay_internally(request, order, body))
    payment, result = order_payments.start_payment(
        order,
        body.provider,
        idempotency_key=idempotency_key or f"{order.code}:{body.provider}",
        return_url=_safe_return_url(body.return_url, order),
        actor="api",
        client_ip=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(
        201,
        PaymentStartedOut(
            payment=p.PaymentOut(
                code=payment.code,
                provider=payment.provider,
                status=payment.status,
                amount=p.money(payment.amount_minor, payment.currency, order.language),
                refunded=p.money(payment.refunded_minor, payment.currency, order.language),
            ),
            redirect_url=result.redirect_url,
            qr_content=result.qr_content,
        ),
    )


def _payment_out(payment, language: str) -> p.PaymentOut:
    return p.PaymentOut(
        code=payment.code,
        provider=payment.provider,
        status=payment.status,
        amount=p.money(payment.amount_minor, payment.currency, language),
        refunded=p.money(payment.refunded_minor, payment.currency, language),
    )


def _pay_internally(request: HttpRequest, order: Order, body: PaymentIn) -> PaymentStartedOut:
    if body.provider == "wallet":
        if not request.user.is_authenticated:
            raise PermissionDenied("Sign in to pay from your wallet")
        payment = order_payments.pay_with_wallet(
            order, request.user, amount_minor=body.amount_minor, actor=f"user:{request.user.pk}"
        )
    else:
        key = partner_key(request)
        if key is None:
            raise PermissionDenied("Paying on account needs the distributor's API key")
        payment = order_payments.pay_on_account(
            order, key.organisation, actor=f"api-key:{key.prefix}"
        )
    return PaymentStartedOut(
        payment=_payment_out(payment, order.language), redirect_url="", qr_content=""
    )


@router.get(
    "/orders/{code}/cancellation",
    response={200: CancelOut, **ERRORS},
    operation_id="preview_cancellation",
)
def preview_cancellation(
    request: HttpRequest, code: str, token: str | None = Header(None, alias="X-Order-Token")
):
    """What cancelling now would refund, by the policy in force when the order was booked."""
    order = access_order(request, code, token)
    preview = lifecycle.preview_cancellation(order)
    return CancelOut(
        order=p.order(order),
        refund=p.money(preview.refund_minor, order.currency, order.language),
        penalty=p.money(preview.penalty_minor, order.currency, order.language),
    )


@router.post(
    "/orders/{code}/cancel", response={200: CancelOut, **ERRORS}, operation_id="cancel_order"
)
def cancel_order(
    request: HttpRequest,
    code: str,
    token: str | None = Header(None, alias="X-Order-Token"),
    refund_to: Literal["original", "wallet"] = "original",
):
    """Cancel: units go back on sale; a paid order is refunded what its policy allows, to
    the original payment method or (`?refund_to=wallet`, signed-in customers) the wallet."""
    order = access_order(request, code, token)
    result = lifecycle.cancel_order(
        order, actor="api", reason="customer request", refund_destination=refund_to
    )
    return CancelOut(
        order=p.order(_load(order.code)),
        refund=p.money(result.refund_minor, order.currency, order.language),
        penalty=p.money(result.penalty_minor, order.currency, order.language),
    )


def _voucher_links(order: Order, voucher: Voucher, token: str | None) -> dict[str, str]:
    base = f"/api/v1/orders/{order.code}/vouchers"
    suffix = f"?token={token}" if token else ""
    return {
        "qr_svg_url": f"{base}/{voucher.code}/qr.svg{suffix}",
        "qr_png_url": f"{base}/{voucher.code}/qr.png{suffix}",
        "pdf_url": f"{base}.pdf{suffix}",
    }


@router.get(
    "/orders/{code}/vouchers",
    response={200: list[VoucherOut], **ERRORS},
    operation_id="list_vouchers",
)
def list_vouchers(
    request: HttpRequest, code: str, token: str | None = Header(None, alias="X-Order-Token")
):
    """The order's e-vouchers (one per item once paid), with QR and PDF links."""
    order = access_order(request, code, token)
    vouchers = Voucher.objects.filter(order_item__order=order).select_related(
        "order_item__product", "order_item__offer"
    )
    return [
        VoucherOut(
            code=v.code,
            display_code=format_code(v.code),
            status=v.status,
            item=v.order_item.position,
            title=p.text(
                f"{v.order_item.product.title_en} · {v.order_item.offer.name_en}",
                f"{v.order_item.product.title_zh} · {v.order_item.offer.name_zh}",
            ),
            start_date=v.order_item.start_date,
            end_date=v.order_item.end_date,
            valid_until=v.order_item.valid_until,
            **_voucher_links(order, v, token),
        )
        for v in vouchers.order_by("order_item__position")
    ]


def _binary(*media_types: str) -> dict:
    """Document a 200 answered with a file rather than JSON."""
    content = {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}
    return {"responses": {200: {"description": "OK", "content": content}}}


@router.get(
    "/orders/{code}/vouchers.pdf",
    response={200: None, **ERRORS},
    operation_id="get_vouchers_pdf",
    openapi_extra=_binary("application/pdf"),
)
def vouchers_pdf(
    request: HttpRequest,
    code: str,
    lang: str | None = None,
    token: str | None = Query(None, description="The order's access token, for links"),
    header_token: str | None = Header(None, alias="X-Order-Token"),
):
    """All vouchers of the order as one PDF (token as `X-Order-Token` or `?token=`)."""
    from omnitrip.fulfilment.rendering import order_vouchers_pdf

    order = access_order(request, code, header_token or token)
    vouchers = vouchers_of_order(order)
    if not vouchers:
        # Nothing is issued before the order is paid (the renderer would refuse).
        raise VoucherNotFound("This order has no vouchers yet")
    language = lang if lang in ("en", "zh-hans") else order.language
    response = HttpResponse(
        order_vouchers_pdf(order, language, vouchers=vouchers), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="omnitrip-{order.code}.pdf"'
    return response


@router.get(
    "/orders/{code}/vouchers/{voucher}/qr.{fmt}",
    response={200: None, **ERRORS},
    operation_id="get_voucher_qr",
    openapi_extra=_binary("image/svg+xml", "image/png"),
)
def voucher_qr(
    request: HttpRequest,
    code: str,
    voucher: str,
    fmt: str,
    token: str | None = Query(None, description="The order's access token, for links"),
    header_token: str | None = Header(None, alias="X-Order-Token"),
):
    """A voucher's QR code as SVG or PNG (what the supplier scans)."""
    from omnitrip.fulfilment.rendering import voucher_qr_png, voucher_qr_svg

    order = access_order(request, code, header_token or token)
    found = Voucher.objects.filter(order_item__order=order, code=voucher).first()
    if found is None or fmt not in ("svg", "png"):
        raise OrderNotFound("Voucher not found")
    if fmt == "svg":
        return HttpResponse(voucher_qr_svg(found), content_type="image/svg+xml")
    return HttpResponse(voucher_qr_png(found), content_type="image/png")
