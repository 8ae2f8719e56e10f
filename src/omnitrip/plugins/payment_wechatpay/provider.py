"""WeChat Pay API v3 providers: Native (a QR code to scan) and H5 (a mobile browser page).

Both order through WeChat Pay's transactions API, share callbacks, refunds, queries and
the trade bill, and differ only in how the payer continues. Nothing here writes to our
database; the only reads are the order's hold expiry and first product's title, which go
into the request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.errors import ProviderError, ProviderUnavailable
from omnitrip.payments.providers import (
    Notification,
    PaymentProvider,
    RefundResult,
    SettlementLine,
    StartResult,
)

from . import bills, notifications
from .client import ApiResponse, WechatPayClient
from .config import WechatPayConfig, current_config, is_configured
from .errors import NotificationNotFinal, WechatPayRefused

if TYPE_CHECKING:
    import datetime as dt

    from omnitrip.payments.models import Payment, Refund

CURRENCY = "CNY"
# time_expire is sent in China Standard Time, as WeChat's own examples are.
CHINA = ZoneInfo("Asia/Shanghai")
# WeChat limits the description to 127 and a refund reason to 80; we count UTF-8 bytes
# for the description, which is never more than the characters either way.
_MAX_DESCRIPTION_BYTES = 127
_MAX_REFUND_REASON = 80
#: refund ``status`` → :attr:`RefundResult.status`
REFUND_STATUS = {
    "SUCCESS": "succeeded",
    "PROCESSING": "pending",
    "ABNORMAL": "failed",
    "CLOSED": "failed",
}
#: 404 codes of the query API meaning "no such order at WeChat Pay"
ORDER_NOT_FOUND = frozenset({"ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"})


class WechatPayProvider(PaymentProvider):
    """What both WeChat Pay providers share; subclasses say how the payer continues."""

    #: the transactions API path this provider orders through
    order_path = ""

    def supports_currency(self, currency: str) -> bool:
        return currency == CURRENCY

    def is_enabled(self) -> bool:
        return is_configured()

    def notify_url(self) -> str:
        """Where WeChat Pay posts this provider's payment results (no query string allowed)."""
        return f"{settings.PUBLIC_BASE_URL}/api/v1/payments/{self.name}/notify"

    def order_document(
        self, payment: Payment, config: WechatPayConfig, *, client_ip: str
    ) -> dict[str, Any]:
        """The order request body; the amount is always the payment row's, in fen."""
        if payment.currency != CURRENCY:
            raise ProviderUnavailable(f"WeChat Pay collects {CURRENCY}, not {payment.currency}")
        document: dict[str, Any] = {
            "appid": config.appid,
            "mchid": config.mchid,
            "description": payment_description(payment),
            "out_trade_no": payment.code,
            "notify_url": self.notify_url(),
            "amount": {"total": payment.amount_minor, "currency": CURRENCY},
        }
        if payment.order is not None:
            # The payer cannot pay after the order's units are released. A payment with
            # no order (a wallet top-up) keeps WeChat's default window.
            document["time_expire"] = rfc3339(payment.order.hold_expires_at)
        return document

    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        """Place the order at WeChat Pay and say how the payer continues.

        Calling it again for the same payment re-sends the same order, which WeChat Pay
        answers with the same link while it is open. No ``external_id`` is returned:
        WeChat's transaction id exists only once the payer has paid (it arrives with the
        callback).
        """
        config = current_config()
        document = self.order_document(payment, config, client_ip=client_ip)
        response = WechatPayClient(config).request("POST", self.order_path, document)
        if not response.is_success:
            raise _refused("Placing the order", response)
        return self.start_result(response.data, return_url=return_url)

    def start_result(self, data: Mapping[str, Any], *, return_url: str) -> StartResult:
        raise NotImplementedError

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Signature, freshness and pinned key first; then decrypt and read the transaction."""
        return notifications.read_callback(
            body,
            headers,
            config=current_config(),
            tolerance=settings.WEBHOOK_TOLERANCE_SECONDS,
            now=time.time(),
        )

    def acknowledgement(self, accepted: bool) -> tuple[int, str, str]:
        """WeChat's documented answers: 204 with no body, or 4xx with ``code``/``message``.

        Anything but 200/204 makes WeChat Pay deliver the callback again later.
        """
        if accepted:
            return 204, "text/plain", ""
        return (
            400,
            "application/json",
            json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False),
        )

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Ask for a refund under ``out_refund_no = refund.code``, WeChat's idempotency key.

        Sending the same refund again returns its current state instead of paying twice,
        so retrying a ``pending`` refund is how a ``PROCESSING`` one is followed up. No
        ``notify_url`` is sent: refund results would arrive at the payment webhook, which
        cannot store them yet (see the README). A 4xx refusal is a ``failed`` result with
        WeChat's code; unreachable, 429, 5xx or an unverifiable answer raise
        ``ProviderError`` and change nothing.
        """
        config = current_config()
        document: dict[str, Any] = {
            "out_trade_no": payment.code,
            "out_refund_no": refund.code,
            "amount": {
                "refund": refund.amount_minor,
                "total": payment.amount_minor,
                "currency": refund.currency,
            },
        }
        if refund.reason:
            document["reason"] = refund.reason[:_MAX_REFUND_REASON]
        response = WechatPayClient(config).request("POST", "/v3/refund/domestic/refunds", document)
        if not response.is_success:
            return RefundResult(
                status="failed",
                detail=f"{response.status} {response.error_code}: {response.error_message}"[:300],
            )
        return _refund_result(response.data, refund)

    def query(self, payment: Payment) -> Notification | None:
        """The payment's state at WeChat Pay: a Notification once final, else None.

        None when WeChat Pay has no such order or the payer may still pay (``NOTPAY``,
        ``USERPAYING``). The event id is derived from the state, so repeated queries that
        see the same state are one event when stored.
        """
        config = current_config()
        path = (
            f"/v3/pay/transactions/out-trade-no/{quote(payment.code, safe='')}"
            f"?mchid={quote(config.mchid, safe='')}"
        )
        response = WechatPayClient(config).request("GET", path)
        if response.status == 404 and response.error_code in ORDER_NOT_FOUND:
            return None
        if not response.is_success:
            raise _refused("Querying the order", response)
        state = response.data.get("trade_state")
        try:
            return notifications.transaction_notification(
                response.data,
                event_id=f"query:{payment.code}:{state}"[:64],
                config=config,
                refunded_means_captured=True,
                raw={"source": "query"},
            )
        except NotificationNotFinal:
            return None

    def parse_settlement(self, content: bytes) -> list[SettlementLine]:
        """The trade bill (``ALL``) as downloaded from WeChat Pay; see :mod:`.bills`."""
        return bills.parse_trade_bill(content)


class NativeProvider(WechatPayProvider):
    """Native pay: WeChat returns ``code_url``; the kiosk or page shows it as a QR code."""

    name = "wechatpay_native"
    display_name_en = "WeChat Pay (scan QR code)"
    display_name_zh = "微信支付（扫码）"
    order_path = "/v3/pay/transactions/native"

    def start_result(self, data: Mapping[str, Any], *, return_url: str) -> StartResult:
        code_url = data.get("code_url")
        if not isinstance(code_url, str) or not code_url.startswith("weixin://"):
            raise ProviderError("WeChat Pay's answer has no code_url")
        return StartResult(qr_content=code_url)


class H5Provider(WechatPayProvider):
    """H5 pay: a mobile browser outside WeChat opens ``h5_url``, which hands over to WeChat."""

    name = "wechatpay_h5"
    display_name_en = "WeChat Pay (mobile browser)"
    display_name_zh = "微信支付（手机浏览器）"
    order_path = "/v3/pay/transactions/h5"

    def order_document(
        self, payment: Payment, config: WechatPayConfig, *, client_ip: str
    ) -> dict[str, Any]:
        # WeChat compares this with the address the payer opens h5_url from, so it must
        # be the payer's own (behind a proxy, REMOTE_ADDR must already be the client's).
        if not client_ip:
            raise InvalidInput("WeChat Pay H5 needs the payer's IP address", field="client_ip")
        document = super().order_document(payment, config, client_ip=client_ip)
        document["scene_info"] = {
            "payer_client_ip": client_ip,
            "h5_info": {"type": "Wap", "app_url": settings.PUBLIC_BASE_URL},
        }
        return document

    def start_result(self, data: Mapping[str, Any], *, return_url: str) -> StartResult:
        h5_url = data.get("h5_url")
        if not isinstance(h5_url, str) or not h5_url.startswith("https://"):
            raise ProviderError("WeChat Pay's answer has no h5_url")
        # WeChat's documented way to bring the payer back: append redirect_url, encoded.
        back = absolute_url(return_url)
        separator = "&" if "?" in h5_url else "?"
        return StartResult(redirect_url=f"{h5_url}{separator}redirect_url={quote(back, safe='')}")


def rfc3339(moment: dt.datetime) -> str:
    """``2026-05-20T13:29:35+08:00``: whole seconds, China Standard Time."""
    return moment.astimezone(CHINA).isoformat(timespec="seconds")


def absolute_url(url: str) -> str:
    """A site-relative return URL made absolute on ``PUBLIC_BASE_URL``."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.PUBLIC_BASE_URL}{url}"
    return url or f"{settings.PUBLIC_BASE_URL}/"


def payment_description(payment: Payment) -> str:
    """What the payer sees in WeChat: the first product's title and the order code."""
    order = payment.order
    if order is None:
        return _cut(f"钱包充值 {payment.code}")
    suffix = f"订单 {order.code}"
    item = order.items.select_related("product").first()
    if item is None:
        return _cut(suffix)
    title = item.product.title_zh or item.product.title_en
    room = _MAX_DESCRIPTION_BYTES - len(f" - {suffix}".encode())
    return f"{_cut(title, room)} - {suffix}"


def _cut(text: str, limit: int = _MAX_DESCRIPTION_BYTES) -> str:
    """At most ``limit`` UTF-8 bytes, never splitting a character."""
    return text.encode()[:limit].decode("utf-8", errors="ignore")


def _refused(action: str, response: ApiResponse) -> WechatPayRefused:
    return WechatPayRefused(
        f"{action} was refused by WeChat Pay: {response.status} "
        f"{response.error_code} {response.error_message}".strip()[:300],
        vendor_status=response.status,
        vendor_code=response.error_code[:64],
    )


def _refund_result(data: Mapping[str, Any], refund: Refund) -> RefundResult:
    # Signed by WeChat Pay, but still checked against our row: a refund of another amount
    # or for another refund code must never be recorded as this one.
    if data.get("out_refund_no") != refund.code:
        raise ProviderError("WeChat Pay answered about another refund")
    amount = data.get("amount")
    refunded = amount.get("refund") if isinstance(amount, dict) else None
    if refunded is not None and (
        not isinstance(refunded, int)
        or isinstance(refunded, bool)
        or refunded != refund.amount_minor
    ):
        raise ProviderError(
            f"WeChat Pay reports a refund of {refunded!s:.20}, we asked for {refund.amount_minor}"
        )
    status = data.get("status")
    refund_id = data.get("refund_id")
    external_id = refund_id if isinstance(refund_id, str) else ""
    if status in REFUND_STATUS:
        return RefundResult(
            status=REFUND_STATUS[str(status)], external_id=external_id, detail=f"WeChat: {status}"
        )
    # An unknown status is neither success nor failure: keep it pending and ask again.
    return RefundResult(status="pending", external_id=external_id, detail=f"WeChat: {status!s:.40}")
