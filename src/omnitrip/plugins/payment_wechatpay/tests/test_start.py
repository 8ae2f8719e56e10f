"""Starting a payment: the signed order request, and trusting only a verified answer."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import requests

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.errors import ProviderError, ProviderUnavailable
from omnitrip.payments.providers import get_provider
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_wechatpay.errors import UnverifiedResponse, WechatPayRefused
from omnitrip.plugins.payment_wechatpay.provider import H5Provider, NativeProvider

from .wechat_side import API_BASE, APPID, MCHID, MERCHANT_SERIAL

pytestmark = pytest.mark.django_db

NATIVE_URL = f"{API_BASE}/v3/pay/transactions/native"
H5_URL = f"{API_BASE}/v3/pay/transactions/h5"
CODE_URL = "weixin://wxpay/bizpayurl?pr=aIQrOYOzz"
H5_PAGE = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016&package=1037687096"
HOLD_EXPIRY = dt.datetime(2026, 5, 20, 5, 29, 35, tzinfo=dt.UTC)


def wechat_payment(provider: str = "wechatpay_native", total_minor: int = 128_000):
    order = order_to_pay(total_minor=total_minor)
    order.hold_expires_at = HOLD_EXPIRY
    order.save(update_fields=["hold_expires_at"])
    return payment_for(order, provider=provider)


def answering(wechat, document, *, captured, **options):
    def reply(request):
        wechat.check_authorization(request)
        captured.append(request)
        return wechat.answer(200, document, **options)

    return reply


def test_native_start_signs_the_order_and_returns_the_code_url_as_qr_content(wechat, wechat_api):
    payment = wechat_payment()
    sent = []
    wechat_api.add_callback(
        "POST", NATIVE_URL, callback=answering(wechat, {"code_url": CODE_URL}, captured=sent)
    )

    result = get_provider("wechatpay_native").start(payment, return_url="/done")

    assert (result.qr_content, result.redirect_url, result.external_id) == (CODE_URL, "", "")
    request = sent[0]
    authorization = wechat.seen_authorizations[0]
    assert (authorization["mchid"], authorization["serial_no"]) == (MCHID, MERCHANT_SERIAL)
    assert len(authorization["nonce_str"]) == 32
    assert abs(int(authorization["timestamp"]) - time.time()) < 60
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"]
    assert json.loads(request.body) == {
        "appid": APPID,
        "mchid": MCHID,
        "description": f"订单 {payment.order.code}",
        "out_trade_no": payment.code,
        "time_expire": "2026-05-20T13:29:35+08:00",
        "notify_url": "https://trip.example/api/v1/payments/wechatpay_native/notify",
        "amount": {"total": 128_000, "currency": "CNY"},
    }


def test_the_amount_sent_is_the_payment_rows_in_fen_as_an_integer(wechat, wechat_api):
    payment = wechat_payment(total_minor=1)
    sent = []
    wechat_api.add_callback(
        "POST", NATIVE_URL, callback=answering(wechat, {"code_url": CODE_URL}, captured=sent)
    )

    NativeProvider().start(payment, return_url="/done")

    assert b'"amount":{"total":1,"currency":"CNY"}' in sent[0].body


def test_the_description_names_the_first_product_within_127_bytes(wechat, wechat_api):
    from omnitrip.catalog.tests import factories as cf
    from omnitrip.orders.models import OrderItem

    payment = wechat_payment()
    offer = cf.dated_offer(product_fields={"title_zh": "滇池" * 60})
    OrderItem.objects.create(
        order=payment.order,
        position=1,
        offer=offer,
        product=offer.product,
        quantity=1,
        subtotal_minor=128_000,
        total_minor=128_000,
        timezone="Asia/Shanghai",
        hold_reference="H-desc-1",
    )
    sent = []
    wechat_api.add_callback(
        "POST", NATIVE_URL, callback=answering(wechat, {"code_url": CODE_URL}, captured=sent)
    )

    NativeProvider().start(payment, return_url="/done")

    description = json.loads(sent[0].body)["description"]
    assert description.endswith(f" - 订单 {payment.order.code}")
    assert description.startswith("滇池滇池")
    assert len(description.encode()) <= 127


@pytest.mark.parametrize(
    "forge",
    ["stranger_key", "tampered_body", "no_signature", "stale", "unknown_serial"],
)
def test_an_answer_that_fails_verification_is_refused_and_no_qr_is_returned(
    wechat, wechat_api, stranger_key, forge
):
    payment = wechat_payment()

    def reply(request):
        if forge == "stranger_key":
            return wechat.answer(200, {"code_url": CODE_URL}, key=stranger_key)
        if forge == "stale":
            return wechat.answer(200, {"code_url": CODE_URL}, timestamp=int(time.time()) - 301)
        if forge == "unknown_serial":
            return wechat.answer(200, {"code_url": CODE_URL}, serial="PUB_KEY_ID_SOMEONE_ELSE")
        status, headers, body = wechat.answer(200, {"code_url": CODE_URL})
        if forge == "no_signature":
            del headers["Wechatpay-Signature"]
            return status, headers, body
        return status, headers, body.replace(b"aIQrOYOzz", b"attackers")

    wechat_api.add_callback("POST", NATIVE_URL, callback=reply)

    with pytest.raises(UnverifiedResponse) as caught:
        NativeProvider().start(payment, return_url="/done")

    assert isinstance(caught.value, ProviderError)
    assert (caught.value.code, caught.value.status) == ("wechatpay_unverified_response", 502)


def test_an_unreachable_wechat_pay_is_a_provider_error(wechat, wechat_api):
    wechat_api.add("POST", NATIVE_URL, body=requests.ConnectionError("connection refused"))

    with pytest.raises(ProviderError, match="could not be reached"):
        NativeProvider().start(wechat_payment(), return_url="/done")


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_5xx_or_rate_limited_answer_is_a_provider_error(wechat, wechat_api, status):
    wechat_api.add(
        "POST", NATIVE_URL, status=status, json={"code": "SYSTEM_ERROR", "message": "系统错误"}
    )

    with pytest.raises(ProviderError) as caught:
        NativeProvider().start(wechat_payment(), return_url="/done")

    assert caught.value.code == "provider_error"
    assert caught.value.extra["vendor_status"] == status


def test_a_4xx_refusal_raises_with_wechats_code(wechat, wechat_api):
    wechat_api.add(
        "POST", NATIVE_URL, status=403, json={"code": "ORDERPAID", "message": "该订单已支付"}
    )

    with pytest.raises(WechatPayRefused) as caught:
        NativeProvider().start(wechat_payment(), return_url="/done")

    assert (caught.value.code, caught.value.status) == ("wechatpay_refused", 502)
    assert caught.value.extra == {"vendor_status": 403, "vendor_code": "ORDERPAID"}


def test_a_verified_answer_without_a_code_url_is_a_provider_error(wechat, wechat_api):
    wechat_api.add_callback(
        "POST", NATIVE_URL, callback=lambda request: wechat.answer(200, {"prepay_id": "wx1"})
    )

    with pytest.raises(ProviderError, match="no code_url"):
        NativeProvider().start(wechat_payment(), return_url="/done")


def test_a_currency_other_than_cny_is_not_sent(wechat, wechat_api):
    payment = payment_for(order_to_pay(currency="USD"), provider="wechatpay_native")

    with pytest.raises(ProviderUnavailable):
        NativeProvider().start(payment, return_url="/done")

    assert len(wechat_api.calls) == 0


def test_h5_start_sends_the_payers_ip_and_appends_the_return_url(wechat, wechat_api):
    payment = wechat_payment(provider="wechatpay_h5")
    sent = []
    wechat_api.add_callback(
        "POST", H5_URL, callback=answering(wechat, {"h5_url": H5_PAGE}, captured=sent)
    )

    result = H5Provider().start(
        payment, return_url="https://trip.example/o/OT-1?lang=zh&x=1", client_ip="203.0.113.7"
    )

    assert result.redirect_url == (
        H5_PAGE + "&redirect_url=https%3A%2F%2Ftrip.example%2Fo%2FOT-1%3Flang%3Dzh%26x%3D1"
    )
    assert result.qr_content == ""
    body = json.loads(sent[0].body)
    assert body["scene_info"] == {
        "payer_client_ip": "203.0.113.7",
        "h5_info": {"type": "Wap", "app_url": "https://trip.example"},
    }
    assert body["notify_url"] == "https://trip.example/api/v1/payments/wechatpay_h5/notify"
    assert body["amount"] == {"total": 128_000, "currency": "CNY"}


def test_h5_makes_a_site_relative_return_url_absolute(wechat, wechat_api):
    wechat_api.add_callback(
        "POST", H5_URL, callback=answering(wechat, {"h5_url": H5_PAGE}, captured=[])
    )

    result = H5Provider().start(
        wechat_payment(provider="wechatpay_h5"), return_url="/o/OT-1", client_ip="203.0.113.7"
    )

    assert result.redirect_url.endswith("&redirect_url=https%3A%2F%2Ftrip.example%2Fo%2FOT-1")


def test_h5_without_the_payers_ip_is_refused_before_calling_wechat(wechat, wechat_api):
    with pytest.raises(InvalidInput, match="IP address"):
        H5Provider().start(wechat_payment(provider="wechatpay_h5"), return_url="/o/1")

    assert len(wechat_api.calls) == 0


def test_a_wallet_top_up_has_no_order_expiry_and_says_what_it_is(wechat, wechat_api):
    from omnitrip.payments.models import Payment

    if not Payment._meta.get_field("order").null:
        pytest.skip("payments without an order (wallet top-ups) are not in this tree")
    top_up = Payment.objects.create(
        code="PAY-TOPUP0000001",
        order=None,
        provider="wechatpay_native",
        amount_minor=5_000,
        currency="CNY",
        idempotency_key="top-up-1",
    )
    sent = []
    wechat_api.add_callback(
        "POST", NATIVE_URL, callback=answering(wechat, {"code_url": CODE_URL}, captured=sent)
    )

    NativeProvider().start(top_up, return_url="/wallet")

    body = json.loads(sent[0].body)
    assert "time_expire" not in body
    assert body["description"] == "钱包充值 PAY-TOPUP0000001"
    assert body["amount"] == {"total": 5_000, "currency": "CNY"}
