"""Alipay (支付宝) as two payment providers on one protocol.

``alipay``      电脑网站支付: ``alipay.trade.page.pay``, product FAST_INSTANT_TRADE_PAY
``alipay_wap``  手机网站支付: ``alipay.trade.wap.pay``, product QUICK_WAP_WAY

Both send the payer to Alipay's cashier with a signed GET URL, hear back through the
same asynchronous notification, and refund, query and reconcile through the same
openapi gateway. Nothing here writes to our database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from omnitrip.payments.errors import ProviderError, ProviderUnavailable
from omnitrip.payments.providers import (
    Notification,
    PaymentProvider,
    RefundResult,
    SettlementLine,
    StartResult,
)

from . import config, gateway
from .amounts import CURRENCY, minor_from_yuan, yuan_from_minor
from .bills import parse_bill
from .notifications import OUTCOME_BY_TRADE_STATUS, parse_notification
from .numbers import alipay_number

if TYPE_CHECKING:
    from omnitrip.orders.models import Order
    from omnitrip.payments.models import Payment, Refund

REFUND_METHOD = "alipay.trade.refund"
REFUND_QUERY_METHOD = "alipay.trade.fastpay.refund.query"
QUERY_METHOD = "alipay.trade.query"
TRADE_NOT_FOUND = "ACQ.TRADE_NOT_EXIST"
_MAX_SUBJECT = 256
_MAX_REFUND_REASON = 256
# Alipay's subject may not contain these (they break its own parameter parsing).
_SUBJECT_FORBIDDEN = str.maketrans({"/": " ", "=": " ", "&": " "})


class AlipayProvider(PaymentProvider):
    """电脑网站支付: the payer pays on Alipay's desktop cashier page."""

    name = "alipay"
    display_name_en = "Alipay"
    display_name_zh = "支付宝"
    #: the openapi method that opens the cashier, and the product signed for it
    method = "alipay.trade.page.pay"
    product_code = "FAST_INSTANT_TRADE_PAY"

    def supports_currency(self, currency: str) -> bool:
        """Renminbi only: a domestic Alipay account collects and settles CNY."""
        return currency == CURRENCY

    def is_enabled(self) -> bool:
        """Enabled when settings.ALIPAY has APP_ID, PRIVATE_KEY and ALIPAY_PUBLIC_KEY."""
        return config.is_configured()

    def notify_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/api/v1/payments/{self.name}/notify"

    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        """The signed cashier URL for the payment's own amount; no I/O, nothing written.

        Alipay assigns its trade number only when the buyer pays, so there is no
        external id yet: the notification brings it.
        """
        if payment.currency != CURRENCY:
            raise ProviderUnavailable(f"Alipay cannot collect {payment.currency}")
        credentials = config.credentials()
        back = absolute_url(return_url)
        params = gateway.signed_params(
            credentials,
            self.method,
            self.biz_content(payment, return_url=back),
            notify_url=self.notify_url(),
            return_url=back,
        )
        return StartResult(redirect_url=gateway.page_url(credentials, params))

    def biz_content(self, payment: Payment, *, return_url: str) -> dict[str, Any]:
        content: dict[str, Any] = {
            "out_trade_no": alipay_number(payment.code),
            "total_amount": yuan_from_minor(payment.amount_minor),
            "subject": subject(payment),
            "product_code": self.product_code,
        }
        expires_at = order_of(payment).hold_expires_at
        if expires_at is not None and expires_at > timezone.now():
            # Alipay closes the trade when our reservation lapses, so nobody pays for
            # units we may no longer hold.
            content["time_expire"] = gateway.alipay_time(expires_at)
        return content

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Verify Alipay's RSA2 signature and our app_id, then read the form body.

        Raises InvalidSignature (missing, forged or foreign), NotificationNotFinal
        (WAIT_BUYER_PAY) or MalformedNotification. No ``notify_time`` window: Alipay
        redelivers for about 25 hours and replays are absorbed by the stored notify_id.
        """
        return parse_notification(body, config.credentials())

    def acknowledgement(self, accepted: bool) -> tuple[int, str, str]:
        """Alipay stops redelivering only when it reads the literal text ``success``."""
        if accepted:
            return 200, "text/plain", "success"
        return 400, "text/plain", "fail"

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """``alipay.trade.refund`` with ``out_request_no`` = the refund's code.

        Alipay refunds one ``out_request_no`` at most once, so calling this again after
        a timeout is safe. ``code`` 10000 with ``fund_change`` Y is a success; with
        ``fund_change`` N the request was a repeat (or is still being processed), so the
        refund query decides. A business refusal is ``failed`` with Alipay's sub_msg; an
        unreachable gateway, a system error or an unverifiable answer raises
        ProviderError so the task retries.
        """
        credentials = config.credentials()
        biz: dict[str, Any] = {
            "out_trade_no": alipay_number(payment.code),
            "refund_amount": yuan_from_minor(refund.amount_minor),
            "out_request_no": alipay_number(refund.code),
        }
        if refund.reason:
            biz["refund_reason"] = refund.reason[:_MAX_REFUND_REASON]
        result = gateway.call(credentials, REFUND_METHOD, biz)
        code = result.get("code")
        if code == gateway.SUCCESS:
            if result.get("out_trade_no") not in (None, alipay_number(payment.code)):
                raise ProviderError("Alipay answered a refund for another trade")
            trade_no = str(result.get("trade_no", ""))
            if result.get("fund_change") == "Y" or self._refund_confirmed(payment, refund):
                return RefundResult(status="succeeded", external_id=trade_no)
            raise ProviderError(f"Alipay has not confirmed refund {refund.code} yet")
        if gateway.is_retryable(result):
            raise ProviderError(f"Alipay refund: {gateway.describe(result)}")
        return RefundResult(status="failed", detail=gateway.describe(result))

    def _refund_confirmed(self, payment: Payment, refund: Refund) -> bool:
        """Whether Alipay's refund query says this very refund was paid out."""
        result = gateway.call(
            config.credentials(),
            REFUND_QUERY_METHOD,
            {
                "out_trade_no": alipay_number(payment.code),
                "out_request_no": alipay_number(refund.code),
            },
        )
        return (
            result.get("code") == gateway.SUCCESS
            and result.get("refund_status") == "REFUND_SUCCESS"
            and result.get("out_request_no") == alipay_number(refund.code)
            and result.get("refund_amount") == yuan_from_minor(refund.amount_minor)
        )

    def query(self, payment: Payment) -> Notification | None:
        """``alipay.trade.query``: the trade's final state, or None.

        None when Alipay has no such trade (the payer never reached the cashier) or it
        is still WAIT_BUYER_PAY. The event id ``query:<trade_no>:<trade_status>`` is
        stable, so storing the answer of repeated queries changes nothing twice.
        """
        result = gateway.call(
            config.credentials(), QUERY_METHOD, {"out_trade_no": alipay_number(payment.code)}
        )
        if result.get("code") != gateway.SUCCESS:
            if result.get("sub_code") == TRADE_NOT_FOUND:
                return None
            raise ProviderError(f"Alipay trade query: {gateway.describe(result)}")
        status = str(result.get("trade_status", ""))
        outcome = OUTCOME_BY_TRADE_STATUS.get(status)
        if outcome is None:
            return None
        if result.get("out_trade_no") != alipay_number(payment.code):
            raise ProviderError("Alipay answered the query about another trade")
        trade_no = str(result.get("trade_no", ""))
        try:
            amount_minor = minor_from_yuan(str(result.get("total_amount", "")))
        except ValueError as exc:
            raise ProviderError(f"Alipay trade query: {exc}") from exc
        return Notification(
            event_id=f"query:{trade_no}:{status}",
            payment_code=payment.code,
            outcome=outcome,
            amount_minor=amount_minor,
            currency=CURRENCY,
            external_payment_id=trade_no,
            raw=result,
        )

    def parse_settlement(self, content: bytes) -> list[SettlementLine]:
        """The 业务明细 bill (zip or CSV, GBK or UTF-8) as lines; see :mod:`.bills`."""
        return parse_bill(content)


class AlipayWapProvider(AlipayProvider):
    """手机网站支付: the payer pays in a mobile browser (or hands over to the Alipay app)."""

    name = "alipay_wap"
    display_name_en = "Alipay (mobile)"
    display_name_zh = "支付宝（手机网站）"
    method = "alipay.trade.wap.pay"
    product_code = "QUICK_WAP_WAY"

    def biz_content(self, payment: Payment, *, return_url: str) -> dict[str, Any]:
        content = super().biz_content(payment, return_url=return_url)
        if return_url:
            # Where Alipay's mobile cashier sends a payer who gives up half-way.
            content["quit_url"] = return_url
        return content


def order_of(payment: Payment) -> Order:
    order = payment.order
    if order is None:  # the column is NOT NULL; the stubs cannot know
        raise ValueError(f"Payment {payment.code} has no order")
    return order


def absolute_url(url: str) -> str:
    """Alipay needs absolute URLs; our return URLs may be paths on this site."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.PUBLIC_BASE_URL}{url}"
    return url


def subject(payment: Payment) -> str:
    """The order code and what was bought, as Alipay shows it on the cashier page."""
    order = order_of(payment)
    item = order.items.select_related("product").first()
    text = order.code
    if item is not None:
        title = item.product.title_zh if order.language.startswith("zh") else ""
        text = f"{order.code} {title or item.product.title_en or item.product.title_zh}"
    return " ".join(text.translate(_SUBJECT_FORBIDDEN).split())[:_MAX_SUBJECT]
