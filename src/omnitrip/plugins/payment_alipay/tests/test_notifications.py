"""Verifying and reading Alipay's asynchronous notifications (no HTTP, no order flow)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import override_settings

from omnitrip.payments.errors import InvalidSignature
from omnitrip.payments.providers import Notification
from omnitrip.plugins.payment_alipay.errors import MalformedNotification, NotificationNotFinal
from omnitrip.plugins.payment_alipay.provider import AlipayProvider, AlipayWapProvider

from . import fake_alipay

CODE = "PAY-7K3M9Q2X1B12"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def verify(body: bytes) -> Notification:
    return AlipayProvider().verify_notification(body, HEADERS)


def test_a_signed_trade_success_is_a_capture_of_the_exact_amount(alipay):
    params = fake_alipay.notification(alipay, out_trade_no=CODE, total_amount="1234.50")

    notification = verify(fake_alipay.form(params))

    assert notification == Notification(
        event_id="2024050100222120000000000000000001",
        payment_code=CODE,
        outcome="captured",
        amount_minor=123_450,
        currency="CNY",
        external_payment_id="2024050122001400000000000001",
        raw=params,
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("TRADE_SUCCESS", "captured"), ("TRADE_FINISHED", "captured"), ("TRADE_CLOSED", "cancelled")],
)
def test_trade_statuses_map_to_outcomes(alipay, status, outcome):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="0.01", trade_status=status
    )

    assert verify(fake_alipay.form(params)).outcome == outcome


def test_the_wap_provider_reads_notifications_the_same_way(alipay):
    params = fake_alipay.notification(alipay, out_trade_no=CODE, total_amount="88.80")

    notification = AlipayWapProvider().verify_notification(fake_alipay.form(params), HEADERS)

    assert (notification.outcome, notification.amount_minor) == ("captured", 8_880)


def test_wait_buyer_pay_is_not_final_and_acknowledged_without_acting(alipay):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="1.00", trade_status="WAIT_BUYER_PAY"
    )

    with pytest.raises(NotificationNotFinal) as caught:
        verify(fake_alipay.form(params))

    assert (caught.value.code, caught.value.status) == ("notification_not_final", 200)


def test_the_signature_covers_every_parameter_but_sign_and_sign_type(alipay):
    params = fake_alipay.notification(alipay, out_trade_no=CODE, total_amount="1.00")

    # sign_type is outside the signed text (Alipay's rule), so only its value is checked.
    assert verify(fake_alipay.form(params)).amount_minor == 100
    for name in ("notify_id", "subject", "gmt_payment", "buyer_id", "fund_bill_list"):
        tampered = {**params, name: params[name] + "x"}
        with pytest.raises(InvalidSignature, match="does not match"):
            verify(fake_alipay.form(tampered))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda p, k: {**p, "total_amount": "0.01"}, "does not match"),
        (lambda p, k: {**p, "sign": p["sign"][:-8] + "AAAAAAA="}, "does not match"),
        (lambda p, k: {**p, "sign": "not base64 at all!"}, "does not match"),
        (lambda p, k: {n: v for n, v in p.items() if n != "sign"}, "no sign"),
        (lambda p, k: {**p, "sign": ""}, "no sign"),
        (lambda p, k: {**p, "sign_type": "RSA"}, "RSA2"),
        (lambda p, k: {n: v for n, v in p.items() if n != "sign_type"}, "RSA2"),
        (lambda p, k: {**p, "extra": "1"}, "does not match"),
    ],
    ids=[
        "amount-changed",
        "forged-sign",
        "garbage-sign",
        "no-sign",
        "empty-sign",
        "sha1-downgrade",
        "no-sign-type",
        "added-parameter",
    ],
)
def test_a_missing_or_wrong_signature_is_refused(alipay, spoil, message):
    params = fake_alipay.notification(alipay, out_trade_no=CODE, total_amount="1234.50")

    with pytest.raises(InvalidSignature, match=message):
        verify(fake_alipay.form(spoil(params, alipay)))


def test_a_notification_signed_by_anyone_but_alipay_is_refused(alipay):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="1.00", sign_with=alipay.stranger
    )

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(fake_alipay.form(params))


def test_a_notification_signed_with_our_own_key_is_refused(alipay):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="1.00", sign_with=alipay.merchant
    )

    with pytest.raises(InvalidSignature):
        verify(fake_alipay.form(params))


def test_a_genuine_notification_for_another_app_is_refused(alipay):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="1.00", app_id="2021009999999999"
    )

    with pytest.raises(InvalidSignature, match="another Alipay application"):
        verify(fake_alipay.form(params))


def test_a_configured_seller_id_must_match(keys):
    params = fake_alipay.notification(
        keys, out_trade_no=CODE, total_amount="1.00", seller_id="2088999999999999"
    )
    settings = fake_alipay.settings_for(keys, SELLER_ID=fake_alipay.SELLER_ID)

    with override_settings(ALIPAY=settings), pytest.raises(InvalidSignature, match="merchant"):
        verify(fake_alipay.form(params))


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe=1", b"sign=a&sign=b", b"a=%ZZ&sign=x", b"no-equals-sign"],
    ids=["empty", "not-utf8", "repeated", "bad-escape", "not-a-form"],
)
def test_a_body_that_is_not_an_unambiguous_form_is_refused_before_anything_is_read(alipay, body):
    with pytest.raises(InvalidSignature):
        verify(body)


def test_a_repeated_parameter_is_refused_even_when_one_copy_is_signed(alipay):
    params = fake_alipay.notification(alipay, out_trade_no=CODE, total_amount="1.00")
    body = fake_alipay.form(params) + b"&total_amount=0.01"

    with pytest.raises(InvalidSignature, match="repeats"):
        verify(body)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"total_amount": "1.005"}, "not an amount"),
        ({"total_amount": "-1.00"}, "not an amount"),
        ({"trade_status": "TRADE_PENDING"}, "Unknown trade_status"),
        ({"notify_id": ""}, "lacks notify_id"),
        ({"out_trade_no": ""}, "lacks out_trade_no"),
        ({"trade_no": ""}, "lacks trade_no"),
    ],
)
def test_a_signed_but_unusable_notification_is_malformed(alipay, changes, message):
    fields = {"out_trade_no": CODE, "total_amount": "1.00", **changes}
    params = fake_alipay.notification(alipay, **fields)

    with pytest.raises(MalformedNotification, match=message):
        verify(fake_alipay.form(params))


def test_chinese_text_and_plus_encoded_spaces_are_verified_as_alipay_signed_them(alipay):
    params = fake_alipay.notification(
        alipay, out_trade_no=CODE, total_amount="1.00", subject="滇池 一日游 & 晚餐"
    )
    # Alipay's form encoding writes spaces as "+", which must be read back as spaces.
    body = urlencode(params).encode()
    assert b"+" in body

    assert verify(body).raw["subject"] == "滇池 一日游 & 晚餐"


def test_alipay_is_answered_with_the_literal_success_or_fail():
    provider = AlipayProvider()

    assert provider.acknowledgement(True) == (200, "text/plain", "success")
    assert provider.acknowledgement(False) == (400, "text/plain", "fail")
