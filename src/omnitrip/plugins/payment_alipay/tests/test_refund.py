"""Refunds through alipay.trade.refund, with the gateway played by ``responses``."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from omnitrip.payments.errors import ProviderError
from omnitrip.payments.models import PaymentEvent, Refund
from omnitrip.payments.services import execute_refund
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_alipay.errors import UnverifiedResponse
from omnitrip.plugins.payment_alipay.numbers import alipay_number
from omnitrip.plugins.payment_alipay.provider import AlipayProvider

from . import fake_alipay

pytestmark = pytest.mark.django_db

REFUND = "alipay.trade.refund"
REFUND_QUERY = "alipay.trade.fastpay.refund.query"
TRADE_NO = "2024050122001400000000000001"


def captured_with_refund(amount_minor: int = 1_234, reason: str = "customer cancelled"):
    payment = payment_for(order_to_pay(total_minor=123_450), provider="alipay", status="captured")
    refund = Refund.objects.create(
        code="RF-7K3M9Q2X1B12",
        payment=payment,
        amount_minor=amount_minor,
        currency="CNY",
        reason=reason,
        idempotency_key="refund-key-1",
    )
    return payment, refund


def refund_answer(payment, **changes) -> dict[str, object]:
    answer: dict[str, object] = {
        "code": "10000",
        "msg": "Success",
        "buyer_logon_id": "li***@example.com",
        "fund_change": "Y",
        "gmt_refund_pay": "2024-05-02 09:30:00",
        "out_trade_no": alipay_number(payment.code),
        "refund_fee": "12.34",
        "trade_no": TRADE_NO,
        "buyer_user_id": "2088002000000001",
    }
    answer.update(changes)
    return answer


def answer_with(method: str, result: dict[str, object], key) -> None:
    responses.post(
        fake_alipay.GATEWAY,
        body=fake_alipay.gateway_answer(method, result, key=key),
        content_type="text/html;charset=utf-8",
    )


def sent(call_index: int = 0) -> dict[str, str]:
    request = responses.calls[call_index].request
    return fake_alipay.sent_params(request.url, request.body)


@responses.activate
def test_a_signed_success_answer_is_a_succeeded_refund_keyed_by_the_refund_code(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment), alipay.alipay)

    result = AlipayProvider().refund(payment, refund)

    assert (result.status, result.external_id, result.detail) == ("succeeded", TRADE_NO, "")
    params = sent()
    assert params["method"] == REFUND
    assert json.loads(params["biz_content"]) == {
        "out_trade_no": alipay_number(payment.code),
        "refund_amount": "12.34",
        "out_request_no": "RF_7K3M9Q2X1B12",
        "refund_reason": "customer cancelled",
    }
    assert fake_alipay.rsa2_valid(
        alipay.merchant, fake_alipay.request_string(params), params["sign"]
    )


@responses.activate
def test_the_request_is_a_form_post_with_the_common_parameters_in_the_query(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment), alipay.alipay)

    AlipayProvider().refund(payment, refund)

    request = responses.calls[0].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded;charset=utf-8"
    assert "biz_content" not in request.url
    assert fake_alipay.sent_params(request.url, None)["app_id"] == fake_alipay.APP_ID
    assert list(fake_alipay.sent_params("", request.body)) == ["biz_content"]


@responses.activate
def test_chinese_in_the_signed_answer_is_verified_on_its_exact_text(alipay):
    payment, refund = captured_with_refund()
    answer_with(
        REFUND,
        refund_answer(
            payment,
            code="40004",
            msg="Business Failed",
            sub_code="ACQ.TRADE_HAS_FINISHED",
            sub_msg="交易已完结",
            fund_change="N",
        ),
        alipay.alipay,
    )

    result = AlipayProvider().refund(payment, refund)

    assert (result.status, result.detail) == ("failed", "40004 ACQ.TRADE_HAS_FINISHED: 交易已完结")


@responses.activate
def test_an_answer_signed_by_anyone_but_alipay_is_never_a_success(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment), alipay.stranger)

    with pytest.raises(UnverifiedResponse, match="does not verify"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_a_success_answer_altered_after_signing_is_never_a_success(alipay):
    payment, refund = captured_with_refund()
    genuine = fake_alipay.gateway_answer(REFUND, refund_answer(payment), key=alipay.alipay)
    responses.post(fake_alipay.GATEWAY, body=genuine.replace('"12.34"', '"99.99"'))

    with pytest.raises(UnverifiedResponse):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_an_unsigned_answer_is_reported_but_not_believed(alipay):
    payment, refund = captured_with_refund()
    answer = {
        "code": "40002",
        "msg": "Invalid Arguments",
        "sub_code": "isv.invalid-app-id",
        "sub_msg": "无效的AppID参数",
    }
    answer_with(REFUND, answer, key=None)

    with pytest.raises(UnverifiedResponse, match=r"unsigned: 40002 isv\.invalid-app-id"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_an_unverified_answer_leaves_the_refund_pending_for_a_retry(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment), alipay.stranger)

    with pytest.raises(ProviderError):
        execute_refund(refund.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == ("pending", 1)
    assert PaymentEvent.objects.filter(payment=payment, kind="refund_succeeded").count() == 0
    error = PaymentEvent.objects.get(payment=payment, kind="refund_error")
    assert "does not verify" in error.data["detail"]


@responses.activate
def test_execute_refund_records_a_verified_success(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment), alipay.alipay)

    execute_refund(refund.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.external_id, refund.attempts) == ("succeeded", TRADE_NO, 1)
    assert PaymentEvent.objects.filter(payment=payment, kind="refund_succeeded").count() == 1


@responses.activate
def test_a_gateway_502_is_a_provider_error_for_the_task_to_retry(alipay):
    payment, refund = captured_with_refund()
    responses.post(fake_alipay.GATEWAY, status=502, body="Bad Gateway")

    with pytest.raises(ProviderError, match="HTTP 502"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_an_unreachable_gateway_is_a_provider_error(alipay):
    payment, refund = captured_with_refund()
    responses.post(fake_alipay.GATEWAY, body=requests.ConnectTimeout("timed out"))

    with pytest.raises(ProviderError, match="ConnectTimeout"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_an_answer_that_is_not_alipay_json_is_a_provider_error(alipay):
    payment, refund = captured_with_refund()
    responses.post(fake_alipay.GATEWAY, body="<html>maintenance</html>")

    with pytest.raises(ProviderError, match="not a JSON object"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_a_system_error_is_retried_not_failed(alipay):
    payment, refund = captured_with_refund()
    answer = {
        "code": "20000",
        "msg": "Service Currently Unavailable",
        "sub_code": "isp.unknow-error",
    }
    answer_with(REFUND, answer, alipay.alipay)

    with pytest.raises(ProviderError, match="20000"):
        AlipayProvider().refund(payment, refund)


@responses.activate
def test_a_repeated_refund_request_is_confirmed_by_the_refund_query(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment, fund_change="N"), alipay.alipay)
    answer_with(
        REFUND_QUERY,
        {
            "code": "10000",
            "msg": "Success",
            "out_request_no": alipay_number(refund.code),
            "out_trade_no": alipay_number(payment.code),
            "refund_amount": "12.34",
            "refund_status": "REFUND_SUCCESS",
            "total_amount": "1234.50",
            "trade_no": TRADE_NO,
        },
        alipay.alipay,
    )

    result = AlipayProvider().refund(payment, refund)

    assert result.status == "succeeded"
    assert sent(1)["method"] == REFUND_QUERY
    assert json.loads(sent(1)["biz_content"]) == {
        "out_trade_no": alipay_number(payment.code),
        "out_request_no": alipay_number(refund.code),
    }


@responses.activate
def test_an_unconfirmed_refund_is_retried_later(alipay):
    payment, refund = captured_with_refund()
    answer_with(REFUND, refund_answer(payment, fund_change="N"), alipay.alipay)
    answer_with(
        REFUND_QUERY,
        {
            "code": "10000",
            "msg": "Success",
            "out_request_no": alipay_number(refund.code),
            "out_trade_no": alipay_number(payment.code),
        },
        alipay.alipay,
    )

    with pytest.raises(ProviderError, match="not confirmed"):
        AlipayProvider().refund(payment, refund)
