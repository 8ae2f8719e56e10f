"""Refunds (out_refund_no is WeChat's idempotency key) and order queries."""

from __future__ import annotations

import json

import pytest
import requests
from responses import matchers

from omnitrip.payments.errors import ProviderError
from omnitrip.payments.models import Refund
from omnitrip.payments.providers import Notification, RefundResult
from omnitrip.payments.states import PaymentStatus
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_wechatpay.errors import UnverifiedResponse, WechatPayRefused
from omnitrip.plugins.payment_wechatpay.provider import NativeProvider

from .wechat_side import API_BASE, MCHID

pytestmark = pytest.mark.django_db

REFUNDS_URL = f"{API_BASE}/v3/refund/domestic/refunds"


def captured(total_minor: int = 10_000):
    return payment_for(
        order_to_pay(total_minor=total_minor),
        provider="wechatpay_native",
        status=PaymentStatus.CAPTURED,
        external_id="4200000985202605200412345678",
    )


def refund_of(payment, amount_minor: int = 2_500, reason: str = "customer request") -> Refund:
    return Refund.objects.create(
        code="RF-7K3M9Q2X1B0A",
        payment=payment,
        amount_minor=amount_minor,
        currency="CNY",
        reason=reason,
        idempotency_key=f"key-{payment.code}",
    )


def refund_answer(refund: Refund, status: str, **changes):
    document = {
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": refund.code,
        "transaction_id": "4200000985202605200412345678",
        "out_trade_no": refund.payment.code,
        "channel": "ORIGINAL",
        "user_received_account": "招商银行信用卡0403",
        "create_time": "2026-05-20T13:29:35+08:00",
        "status": status,
        "amount": {
            "total": refund.payment.amount_minor,
            "refund": refund.amount_minor,
            "payer_total": refund.payment.amount_minor,
            "payer_refund": refund.amount_minor,
            "settlement_refund": refund.amount_minor,
            "settlement_total": refund.payment.amount_minor,
            "discount_refund": 0,
            "currency": "CNY",
        },
    }
    document.update(changes)
    return document


def answering(wechat, document, status=200, sent=None, **options):
    def reply(request):
        wechat.check_authorization(request)
        if sent is not None:
            sent.append(request)
        return wechat.answer(status, document, **options)

    return reply


@pytest.mark.parametrize(
    ("wechat_status", "result"),
    [
        ("SUCCESS", "succeeded"),
        ("PROCESSING", "pending"),
        ("ABNORMAL", "failed"),
        ("CLOSED", "failed"),
    ],
)
def test_a_refund_is_signed_keyed_by_the_refund_code_and_its_status_mapped(
    wechat, wechat_api, wechat_status, result
):
    payment = captured()
    refund = refund_of(payment)
    sent = []
    wechat_api.add_callback(
        "POST",
        REFUNDS_URL,
        callback=answering(wechat, refund_answer(refund, wechat_status), sent=sent),
    )

    answer = NativeProvider().refund(payment, refund)

    assert answer == RefundResult(
        status=result,
        external_id="50000000382019052709732678859",
        detail=f"WeChat: {wechat_status}",
    )
    assert json.loads(sent[0].body) == {
        "out_trade_no": payment.code,
        "out_refund_no": "RF-7K3M9Q2X1B0A",
        "amount": {"refund": 2_500, "total": 10_000, "currency": "CNY"},
        "reason": "customer request",
    }


def test_sending_the_same_refund_again_asks_wechat_with_the_same_key(wechat, wechat_api):
    payment = captured()
    refund = refund_of(payment)
    sent = []
    wechat_api.add_callback(
        "POST",
        REFUNDS_URL,
        callback=answering(wechat, refund_answer(refund, "SUCCESS"), sent=sent),
    )

    first = NativeProvider().refund(payment, refund)
    again = NativeProvider().refund(payment, refund)

    assert first == again
    assert [json.loads(request.body)["out_refund_no"] for request in sent] == [refund.code] * 2


def test_a_refused_refund_fails_with_wechats_code(wechat, wechat_api):
    payment = captured()
    refund = refund_of(payment)
    wechat_api.add(
        "POST", REFUNDS_URL, status=403, json={"code": "NOT_ENOUGH", "message": "基本账户余额不足"}
    )

    answer = NativeProvider().refund(payment, refund)

    assert answer == RefundResult(status="failed", detail="403 NOT_ENOUGH: 基本账户余额不足")


@pytest.mark.parametrize("status", [502, 500, 429])
def test_a_refund_answered_with_5xx_is_a_provider_error(wechat, wechat_api, status):
    payment = captured()
    wechat_api.add("POST", REFUNDS_URL, status=status, json={"code": "SYSTEM_ERROR"})

    with pytest.raises(ProviderError) as caught:
        NativeProvider().refund(payment, refund_of(payment))

    assert caught.value.extra == {"vendor_status": status, "vendor_code": "SYSTEM_ERROR"}


def test_an_unreachable_refund_endpoint_is_a_provider_error(wechat, wechat_api):
    payment = captured()
    wechat_api.add("POST", REFUNDS_URL, body=requests.ReadTimeout("read timed out"))

    with pytest.raises(ProviderError, match="could not be reached"):
        NativeProvider().refund(payment, refund_of(payment))


def test_a_refund_success_that_fails_verification_is_never_a_success(
    wechat, wechat_api, stranger_key
):
    payment = captured()
    refund = refund_of(payment)
    wechat_api.add_callback(
        "POST",
        REFUNDS_URL,
        callback=answering(wechat, refund_answer(refund, "SUCCESS"), key=stranger_key),
    )

    with pytest.raises(UnverifiedResponse):
        NativeProvider().refund(payment, refund)


@pytest.mark.parametrize(
    "changes",
    [
        {"out_refund_no": "RF-SOMEONE-ELSE"},
        {"amount": {"refund": 99_999, "total": 10_000, "currency": "CNY"}},
    ],
)
def test_a_verified_answer_about_another_refund_or_amount_is_a_provider_error(
    wechat, wechat_api, changes
):
    payment = captured()
    refund = refund_of(payment)
    wechat_api.add_callback(
        "POST",
        REFUNDS_URL,
        callback=answering(wechat, refund_answer(refund, "SUCCESS", **changes)),
    )

    with pytest.raises(ProviderError):
        NativeProvider().refund(payment, refund)


def test_execute_refund_records_wechats_success(wechat, wechat_api):
    from omnitrip.payments.services import execute_refund, request_refund

    payment = captured()
    refund = request_refund(payment, 2_500, reason="goodwill", idempotency_key="rf-goodwill")
    wechat_api.add_callback(
        "POST", REFUNDS_URL, callback=answering(wechat, refund_answer(refund, "SUCCESS"))
    )

    done = execute_refund(refund.pk)

    assert (done.status, done.external_id) == ("succeeded", "50000000382019052709732678859")
    sent = json.loads(wechat_api.calls[0].request.body)
    assert (sent["out_refund_no"], sent["amount"]) == (
        refund.code,
        {"refund": 2_500, "total": 10_000, "currency": "CNY"},
    )


def test_execute_refund_keeps_a_refund_pending_when_wechat_is_down(wechat, wechat_api):
    from omnitrip.payments.services import execute_refund, request_refund

    payment = captured()
    refund = request_refund(payment, 2_500, reason="goodwill", idempotency_key="rf-down")
    wechat_api.add("POST", REFUNDS_URL, status=502, body=b"Bad Gateway")

    with pytest.raises(ProviderError):
        execute_refund(refund.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == ("pending", 1)


# --- queries --------------------------------------------------------------------------


def query_url(payment) -> str:
    return f"{API_BASE}/v3/pay/transactions/out-trade-no/{payment.code}?mchid={MCHID}"


def test_a_query_is_a_signed_get_and_a_paid_order_reads_as_captured(wechat, wechat_api):
    payment = payment_for(provider="wechatpay_native")
    sent = []
    wechat_api.add_callback(
        "GET",
        query_url(payment),
        callback=answering(wechat, wechat.transaction(payment), sent=sent),
        match=[matchers.query_string_matcher(f"mchid={MCHID}")],
    )

    notification = NativeProvider().query(payment)

    assert notification == Notification(
        event_id=f"query:{payment.code}:SUCCESS",
        payment_code=payment.code,
        outcome="captured",
        amount_minor=128_000,
        currency="CNY",
        external_payment_id="4200000985202605200412345678",
        raw={"source": "query", "transaction": wechat.transaction(payment)},
    )
    assert sent[0].body is None
    assert wechat.seen_authorizations[0]["mchid"] == MCHID


def test_a_query_of_a_refunded_order_reads_as_captured(wechat, wechat_api):
    payment = payment_for(provider="wechatpay_native")
    wechat_api.add_callback(
        "GET", query_url(payment), callback=answering(wechat, wechat.transaction(payment, "REFUND"))
    )

    assert NativeProvider().query(payment).outcome == "captured"


@pytest.mark.parametrize(
    ("trade_state", "outcome"), [("CLOSED", "cancelled"), ("PAYERROR", "failed")]
)
def test_a_query_of_an_ended_order_reads_as_its_outcome(wechat, wechat_api, trade_state, outcome):
    payment = payment_for(provider="wechatpay_native")
    transaction = wechat.transaction(payment, trade_state, transaction_id="")
    wechat_api.add_callback("GET", query_url(payment), callback=answering(wechat, transaction))

    assert NativeProvider().query(payment).outcome == outcome


@pytest.mark.parametrize("trade_state", ["NOTPAY", "USERPAYING"])
def test_a_query_of_an_open_order_says_nothing_yet(wechat, wechat_api, trade_state):
    payment = payment_for(provider="wechatpay_native")
    transaction = wechat.transaction(payment, trade_state, transaction_id="")
    wechat_api.add_callback("GET", query_url(payment), callback=answering(wechat, transaction))

    assert NativeProvider().query(payment) is None


def test_a_query_of_an_order_wechat_never_saw_is_none(wechat, wechat_api):
    payment = payment_for(provider="wechatpay_native")
    wechat_api.add(
        "GET",
        query_url(payment),
        status=404,
        json={"code": "ORDER_NOT_EXIST", "message": "订单不存在"},
    )

    assert NativeProvider().query(payment) is None


def test_a_query_refused_for_another_reason_raises(wechat, wechat_api):
    payment = payment_for(provider="wechatpay_native")
    wechat_api.add(
        "GET", query_url(payment), status=400, json={"code": "PARAM_ERROR", "message": "参数错误"}
    )

    with pytest.raises(WechatPayRefused):
        NativeProvider().query(payment)


def test_a_query_answer_for_another_merchant_is_refused(wechat, wechat_api):
    from omnitrip.plugins.payment_wechatpay.errors import MalformedNotification

    payment = payment_for(provider="wechatpay_native")
    transaction = wechat.transaction(payment, appid="wx_not_ours", mchid="1900000999")
    wechat_api.add_callback("GET", query_url(payment), callback=answering(wechat, transaction))

    with pytest.raises(MalformedNotification):
        NativeProvider().query(payment)
