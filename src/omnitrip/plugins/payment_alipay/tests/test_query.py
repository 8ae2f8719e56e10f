"""Asking Alipay for a trade's state with alipay.trade.query."""

from __future__ import annotations

import json

import pytest
import responses

from omnitrip.payments.errors import ProviderError
from omnitrip.payments.providers import Notification
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_alipay.errors import UnverifiedResponse
from omnitrip.plugins.payment_alipay.numbers import alipay_number
from omnitrip.plugins.payment_alipay.provider import AlipayProvider

from . import fake_alipay

pytestmark = pytest.mark.django_db

QUERY = "alipay.trade.query"
TRADE_NO = "2024050122001400000000000001"


def pending_payment():
    return payment_for(order_to_pay(total_minor=123_450), provider="alipay", status="pending")


def trade(payment, status: str, **changes) -> dict[str, object]:
    answer: dict[str, object] = {
        "code": "10000",
        "msg": "Success",
        "buyer_logon_id": "li***@example.com",
        "buyer_pay_amount": "1234.50",
        "out_trade_no": alipay_number(payment.code),
        "receipt_amount": "1234.50",
        "send_pay_date": "2024-05-01 12:00:04",
        "total_amount": "1234.50",
        "trade_no": TRADE_NO,
        "trade_status": status,
    }
    answer.update(changes)
    return answer


def answer_with(result: dict[str, object], key) -> None:
    responses.post(fake_alipay.GATEWAY, body=fake_alipay.gateway_answer(QUERY, result, key=key))


@responses.activate
def test_a_paid_trade_is_reported_as_a_capture_with_a_stable_event_id(alipay):
    payment = pending_payment()
    result = trade(payment, "TRADE_SUCCESS")
    answer_with(result, alipay.alipay)

    notification = AlipayProvider().query(payment)

    assert notification == Notification(
        event_id=f"query:{TRADE_NO}:TRADE_SUCCESS",
        payment_code=payment.code,
        outcome="captured",
        amount_minor=123_450,
        currency="CNY",
        external_payment_id=TRADE_NO,
        raw=result,
    )
    request = responses.calls[0].request
    params = fake_alipay.sent_params(request.url, request.body)
    assert params["method"] == QUERY
    assert json.loads(params["biz_content"]) == {"out_trade_no": alipay_number(payment.code)}
    assert fake_alipay.rsa2_valid(
        alipay.merchant, fake_alipay.request_string(params), params["sign"]
    )


@responses.activate
def test_a_closed_trade_is_reported_as_cancelled(alipay):
    payment = pending_payment()
    answer_with(trade(payment, "TRADE_CLOSED"), alipay.alipay)

    notification = AlipayProvider().query(payment)

    assert notification is not None
    assert (notification.outcome, notification.event_id) == (
        "cancelled",
        f"query:{TRADE_NO}:TRADE_CLOSED",
    )


@responses.activate
def test_a_trade_still_waiting_for_the_buyer_reports_nothing(alipay):
    payment = pending_payment()
    answer_with(trade(payment, "WAIT_BUYER_PAY"), alipay.alipay)

    assert AlipayProvider().query(payment) is None


@responses.activate
def test_a_trade_alipay_does_not_know_reports_nothing(alipay):
    payment = pending_payment()
    answer_with(
        {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_EXIST",
            "sub_msg": "交易不存在",
            "out_trade_no": alipay_number(payment.code),
        },
        alipay.alipay,
    )

    assert AlipayProvider().query(payment) is None


@responses.activate
def test_a_query_answer_signed_by_anyone_but_alipay_is_refused(alipay):
    payment = pending_payment()
    answer_with(trade(payment, "TRADE_SUCCESS"), alipay.stranger)

    with pytest.raises(UnverifiedResponse):
        AlipayProvider().query(payment)


@responses.activate
def test_an_answer_about_another_trade_is_refused(alipay):
    payment = pending_payment()
    answer_with(trade(payment, "TRADE_SUCCESS", out_trade_no="PAY_SOMEONEELSE"), alipay.alipay)

    with pytest.raises(ProviderError, match="another trade"):
        AlipayProvider().query(payment)


@responses.activate
def test_any_other_business_error_is_a_provider_error(alipay):
    payment = pending_payment()
    answer_with(
        {
            "code": "40006",
            "msg": "Insufficient Permissions",
            "sub_code": "isv.insufficient-isv-permissions",
        },
        alipay.alipay,
    )

    with pytest.raises(ProviderError, match="40006"):
        AlipayProvider().query(payment)
