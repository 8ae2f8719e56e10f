"""Wallet, on-account payment, staff refunds and an order's money trail."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status
from ninja.security import django_auth

from omnitrip.accounts.models import User
from omnitrip.accounts.queries import is_trusted_staff
from omnitrip.core.errors import PermissionDenied
from omnitrip.core.money import Money
from omnitrip.ledger.models import Account
from omnitrip.ledger.queries import account_statement, order_trail
from omnitrip.ledger.services import balance
from omnitrip.ledger.subjects import Subject
from omnitrip.orders.services import payments as order_payments
from omnitrip.payments.models import Refund
from omnitrip.payments.wallet import start_top_up

from .. import presenters as p
from ..schemas import MoneyOut, PaymentOut, Problem
from .orders import _load, _safe_return_url

router = Router(tags=["money"])
ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    415: Problem,
    422: Problem,
}


class MovementOut(Schema):
    entry: str
    kind: str
    amount: MoneyOut = Field(description="Positive: money in; negative: money out")
    order: str | None
    created_at: dt.datetime


class WalletOut(Schema):
    balances: list[MoneyOut]
    movements: list[MovementOut]


@router.get(
    "/wallet", auth=django_auth, response={200: WalletOut, **ERRORS}, operation_id="get_wallet"
)
def get_wallet(request: HttpRequest, lang: str = "en"):
    """The signed-in customer's stored value (电子账户) and its latest movements."""
    accounts = list(Account.objects.filter(subject=Subject.CUSTOMER_WALLET, user=_user(request)))
    movements = []
    for account in accounts:
        for line in account_statement(account):
            movements.append(
                MovementOut(
                    entry=line.entry.code,
                    kind=line.entry.kind,
                    amount=MoneyOut.of(Money(-line.amount_minor, line.currency), lang),
                    order=line.entry.order.code if line.entry.order else None,
                    created_at=line.entry.created_at,
                )
            )
    movements.sort(key=lambda m: m.created_at, reverse=True)
    return WalletOut(
        balances=[MoneyOut.of(Money(-balance(a), a.currency), lang) for a in accounts],
        movements=movements[:100],
    )


class TopUpIn(Schema):
    amount_minor: int = Field(gt=0, strict=True)
    currency: str = Field(pattern="^[A-Za-z]{3}$", description="ISO 4217 code, e.g. CNY")
    provider: str = Field("sandbox", max_length=32)
    return_url: str = Field("", max_length=500)


class TopUpOut(Schema):
    payment: PaymentOut
    redirect_url: str
    qr_content: str


@router.post(
    "/wallet/top-ups",
    auth=django_auth,
    response={201: TopUpOut, **ERRORS},
    operation_id="top_up_wallet",
)
def top_up_wallet(
    request: HttpRequest,
    body: TopUpIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=80),
):
    """Add stored value through a payment provider; credited when the provider confirms."""
    return_url = (
        body.return_url
        if body.return_url.startswith("/") and not body.return_url.startswith("//")
        else "/api/v1/wallet"
    )
    payment, result = start_top_up(
        _user(request),
        body.amount_minor,
        body.currency.upper(),
        body.provider,
        idempotency_key=f"topup:{request.user.pk}:{idempotency_key}",
        return_url=return_url,
        client_ip=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(
        201,
        TopUpOut(
            payment=PaymentOut(
                code=payment.code,
                provider=payment.provider,
                status=payment.status,
                amount=p.money(payment.amount_minor, payment.currency),
                refunded=p.money(payment.refunded_minor, payment.currency),
            ),
            redirect_url=result.redirect_url,
            qr_content=result.qr_content,
        ),
    )


class StaffRefundIn(Schema):
    amount_minor: int = Field(gt=0, strict=True)
    reason: str = Field(min_length=1, max_length=60)
    to_wallet: bool = False


class StaffRefundOut(Schema):
    refunded: MoneyOut
    order_refunded: MoneyOut


def _user(request: HttpRequest) -> User:
    """The signed-in user (``django_auth`` has already refused anonymous callers)."""
    assert isinstance(request.user, User)
    return request.user


def _staff(request: HttpRequest) -> None:
    if not is_trusted_staff(request.user):
        raise PermissionDenied("Operator staff with two-factor authentication only")


@router.post(
    "/orders/{code}/refunds",
    auth=django_auth,
    response={201: StaffRefundOut, **ERRORS},
    operation_id="refund_order",
)
def refund_order(
    request: HttpRequest,
    code: str,
    body: StaffRefundIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=60),
):
    """Staff: refund part of a confirmed order (never more than is left unrefunded)."""
    _staff(request)
    order = _load(code)
    destination = Refund.Destination.WALLET if body.to_wallet else Refund.Destination.ORIGINAL
    amount = order_payments.refund_partially(
        order,
        body.amount_minor,
        reason=body.reason,
        actor=f"user:{request.user.pk}",
        destination=destination,
        idempotency_key=idempotency_key,
    )
    order.refresh_from_db()
    return Status(
        201,
        StaffRefundOut(
            refunded=p.money(amount, order.currency),
            order_refunded=p.money(order.refunded_minor, order.currency),
        ),
    )


class TrailLineOut(Schema):
    account: str
    subject: str
    amount: MoneyOut = Field(description="Debit positive, credit negative")


class TrailEntryOut(Schema):
    entry: str
    kind: str
    created_at: dt.datetime
    payment: str | None
    refund: str | None
    lines: list[TrailLineOut]


@router.get(
    "/orders/{code}/money-trail",
    auth=django_auth,
    response={200: list[TrailEntryOut], **ERRORS},
    operation_id="get_money_trail",
)
def money_trail(request: HttpRequest, code: str):
    """Staff: every ledger entry that names the order, with its lines."""
    _staff(request)
    order = _load(code)
    return [
        TrailEntryOut(
            entry=e.code,
            kind=e.kind,
            created_at=e.created_at,
            payment=e.payment.code if e.payment_id and e.payment else None,
            refund=e.refund.code if e.refund_id and e.refund else None,
            lines=[
                TrailLineOut(
                    account=line.account.code,
                    subject=line.account.subject,
                    amount=p.money(line.amount_minor, line.currency),
                )
                for line in e.lines.all()
            ],
        )
        for e in order_trail(order.pk)
    ]


__all__ = ["_safe_return_url", "router"]
