"""Callbacks: signed and encrypted by an independent WeChat side, read into Notifications."""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings

from omnitrip.payments.errors import InvalidSignature
from omnitrip.payments.providers import Notification
from omnitrip.payments.tests.factories import payment_for
from omnitrip.plugins.payment_wechatpay.errors import (
    MalformedNotification,
    NotificationNotFinal,
    NotificationNotPayment,
)
from omnitrip.plugins.payment_wechatpay.provider import H5Provider, NativeProvider

pytestmark = pytest.mark.django_db

OTHER_API_V3_KEY = "Zz9Wq2Lm4Xp7Rb0Yc3Vz6Nd8Hf1Kj5Ge"


@pytest.fixture
def payment():
    return payment_for(provider="wechatpay_native")


@pytest.mark.parametrize(
    ("trade_state", "outcome"),
    [
        ("SUCCESS", "captured"),
        ("PAYERROR", "failed"),
        ("CLOSED", "cancelled"),
        ("REVOKED", "cancelled"),
    ],
)
def test_a_signed_encrypted_callback_is_read_into_a_notification(
    wechat, payment, trade_state, outcome
):
    transaction = wechat.transaction(payment, trade_state)
    body, headers = wechat.callback(transaction, event_id="EV-2026052000000001")

    notification = NativeProvider().verify_notification(body, headers)

    assert notification == Notification(
        event_id="EV-2026052000000001",
        payment_code=payment.code,
        outcome=outcome,
        amount_minor=128_000,
        currency="CNY",
        external_payment_id="4200000985202605200412345678",
        raw={"event_type": "TRANSACTION.SUCCESS", "transaction": transaction},
    )


def test_both_providers_read_callbacks_alike(wechat, payment):
    body, headers = wechat.callback(wechat.transaction(payment))

    assert H5Provider().verify_notification(body, headers) == NativeProvider().verify_notification(
        body, headers
    )


def test_header_names_are_matched_whatever_their_case(wechat, payment):
    body, headers = wechat.callback(wechat.transaction(payment))
    lower = {name.lower(): value for name, value in headers.items()}
    upper = {name.upper().replace("-", "_"): value for name, value in headers.items()}

    assert NativeProvider().verify_notification(body, lower).outcome == "captured"
    assert NativeProvider().verify_notification(body, upper).outcome == "captured"


@pytest.mark.parametrize("trade_state", ["NOTPAY", "USERPAYING", "REFUND"])
def test_a_transaction_still_open_is_not_final(wechat, payment, trade_state):
    body, headers = wechat.callback(wechat.transaction(payment, trade_state))

    with pytest.raises(NotificationNotFinal) as caught:
        NativeProvider().verify_notification(body, headers)

    assert (caught.value.code, caught.value.status) == ("notification_not_final", 400)


def test_a_refund_result_at_the_payment_url_is_not_a_payment(wechat, payment):
    refund = {
        "mchid": "1900000109",
        "out_trade_no": payment.code,
        "out_refund_no": "RF-1",
        "refund_status": "SUCCESS",
        "amount": {"total": 128_000, "refund": 128_000, "payer_total": 128_000},
    }
    body, headers = wechat.callback(refund, event_type="REFUND.SUCCESS", original_type="refund")

    with pytest.raises(NotificationNotPayment) as caught:
        NativeProvider().verify_notification(body, headers)

    assert (caught.value.code, caught.value.status) == ("notification_not_payment", 400)


def _spoil_body(body, headers, wechat, stranger_key):
    return body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS "), headers


def _spoil_signature(body, headers, wechat, stranger_key):
    return body, {**headers, **wechat.signature_headers(body, key=stranger_key)}


def _spoil_serial(body, headers, wechat, stranger_key):
    return body, {**headers, "Wechatpay-Serial": "PUB_KEY_ID_SOMEONE_ELSE"}


def _spoil_probe(body, headers, wechat, stranger_key):
    # WeChat Pay probes merchants with deliberately wrong signatures like this one.
    return body, {**headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + "A" * 300}


def _spoil_signature_type(body, headers, wechat, stranger_key):
    return body, {**headers, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"}


def _spoil_timestamp(body, headers, wechat, stranger_key):
    return body, {**headers, "Wechatpay-Timestamp": "soon"}


@pytest.mark.parametrize(
    ("spoil", "detail"),
    [
        (_spoil_body, "does not match"),
        (_spoil_signature, "does not match"),
        (_spoil_serial, "key we do not know"),
        (_spoil_probe, "does not match"),
        (_spoil_signature_type, "Unsupported signature type"),
        (_spoil_timestamp, "not a number"),
    ],
    ids=["tampered-body", "stranger-key", "wrong-serial", "sign-probe", "sm2", "bad-timestamp"],
)
def test_a_forged_callback_is_refused(wechat, payment, stranger_key, spoil, detail):
    body, headers = wechat.callback(wechat.transaction(payment))
    body, headers = spoil(body, headers, wechat, stranger_key)

    with pytest.raises(InvalidSignature, match=detail):
        NativeProvider().verify_notification(body, headers)


@pytest.mark.parametrize(
    "missing", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"]
)
def test_a_callback_missing_a_signature_header_is_refused(wechat, payment, missing):
    body, headers = wechat.callback(wechat.transaction(payment))
    del headers[missing]

    with pytest.raises(InvalidSignature, match=f"Missing {missing}"):
        NativeProvider().verify_notification(body, headers)


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_callback_outside_the_replay_window_is_refused(wechat, payment, offset):
    body, headers = wechat.callback(
        wechat.transaction(payment), timestamp=int(time.time()) + offset
    )

    with pytest.raises(InvalidSignature, match="outside the accepted window"):
        NativeProvider().verify_notification(body, headers)


def test_the_replay_window_is_the_webhook_tolerance_setting(wechat, payment):
    body, headers = wechat.callback(wechat.transaction(payment), timestamp=int(time.time()) - 100)

    with override_settings(WEBHOOK_TOLERANCE_SECONDS=60), pytest.raises(InvalidSignature):
        NativeProvider().verify_notification(body, headers)
    assert NativeProvider().verify_notification(body, headers).outcome == "captured"


def test_without_a_pinned_key_id_any_serial_is_accepted_if_the_signature_holds(wechat, payment):
    body, headers = wechat.callback(wechat.transaction(payment), serial="PUB_KEY_ID_ROTATED")

    with override_settings(WECHATPAY=wechat.settings(PLATFORM_PUBLIC_KEY_ID="")):
        assert NativeProvider().verify_notification(body, headers).outcome == "captured"


def test_a_resource_encrypted_with_another_key_is_refused(wechat, payment):
    body, headers = wechat.callback(wechat.transaction(payment), encrypt_with=OTHER_API_V3_KEY)

    with pytest.raises(InvalidSignature, match="cannot be decrypted"):
        NativeProvider().verify_notification(body, headers)


@pytest.mark.parametrize("field", ["ciphertext", "nonce", "associated_data"])
def test_a_resource_changed_after_encryption_is_refused(wechat, payment, field):
    body, _ = wechat.callback(wechat.transaction(payment))
    envelope = json.loads(body)
    value = envelope["resource"][field]
    envelope["resource"][field] = ("B" if value[0] == "A" else "A") + value[1:]
    # Re-signed by WeChat's key: only the AEAD tag can catch the change.
    body = json.dumps(envelope).encode()
    headers = wechat.signature_headers(body)

    with pytest.raises(InvalidSignature, match="cannot be decrypted"):
        NativeProvider().verify_notification(body, headers)


@pytest.mark.parametrize(
    "changes",
    [
        {"mchid": "1900000999"},
        {"appid": "wx_another_app"},
        {"out_trade_no": ""},
        {"out_trade_no": "P" * 33},
        {"trade_state": "EXPLODED"},
        {"transaction_id": ""},
        {"amount": {"total": "128000", "currency": "CNY"}},
        {"amount": {"total": True, "currency": "CNY"}},
        {"amount": {"total": -1, "currency": "CNY"}},
        {"amount": {"total": 128_000, "currency": "cny"}},
        {"amount": None},
    ],
)
def test_a_valid_callback_with_a_bad_transaction_is_malformed(wechat, payment, changes):
    body, headers = wechat.callback(wechat.transaction(payment, **changes))

    with pytest.raises(MalformedNotification) as caught:
        NativeProvider().verify_notification(body, headers)

    assert (caught.value.code, caught.value.status) == ("malformed_notification", 400)


@pytest.mark.parametrize("total", [b"128000.0", b"1.28e5", b"NaN", b"Infinity"])
def test_an_amount_that_is_not_an_integer_is_refused_without_becoming_a_float(
    wechat, payment, total
):
    transaction = wechat.transaction(payment)
    plaintext = json.dumps(transaction).encode().replace(b'"total": 128000', b'"total": ' + total)
    body, headers = wechat.callback(transaction, plaintext=plaintext)

    with pytest.raises(MalformedNotification):
        NativeProvider().verify_notification(body, headers)


def test_the_acknowledgement_is_204_without_a_body_or_a_fail_document():
    assert NativeProvider().acknowledgement(True) == (204, "text/plain", "")
    status, content_type, body = NativeProvider().acknowledgement(False)
    assert (status, content_type) == (400, "application/json")
    assert json.loads(body) == {"code": "FAIL", "message": "失败"}
