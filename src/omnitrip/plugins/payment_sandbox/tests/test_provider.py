"""The sandbox provider: start, notification parsing, refunds and the callback builder."""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings

from omnitrip.payments.errors import InvalidSignature
from omnitrip.payments.models import Refund
from omnitrip.payments.providers import Notification, get_provider
from omnitrip.payments.tests.factories import captured_payment, payment_for
from omnitrip.plugins.payment_sandbox import signing
from omnitrip.plugins.payment_sandbox.provider import (
    MalformedNotification,
    SandboxProvider,
    build_notification,
)

pytestmark = pytest.mark.django_db


def signed(document: object, *, raw: bytes | None = None) -> tuple[bytes, dict[str, str]]:
    from django.conf import settings

    body = raw if raw is not None else json.dumps(document).encode()
    header = signing.sign(body, secret=settings.SANDBOX_PAYMENT_SECRET, timestamp=int(time.time()))
    return body, {"Omnitrip-Signature": header}


def valid_document(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "id": "evt_1",
        "type": "payment.succeeded",
        "payment": "PAY-ABC",
        "amount_minor": 128_000,
        "currency": "CNY",
        "created": 1_900_000_000,
    }
    document.update(changes)
    return document


def test_the_sandbox_is_registered_under_its_name():
    provider = get_provider("sandbox")

    assert isinstance(provider, SandboxProvider)
    assert (provider.display_name_en, provider.display_name_zh) == (
        "Sandbox (test payments)",
        "沙盒支付（测试）",
    )


@override_settings(PUBLIC_BASE_URL="https://shop.example")
def test_start_sends_the_payer_to_the_hosted_page_with_the_return_url_encoded():
    payment = payment_for()

    result = SandboxProvider().start(payment, return_url="https://shop.example/o/1?x=1&y=2")

    assert result.redirect_url == (
        f"https://shop.example/pay/sandbox/{payment.code}/"
        "?return=https%3A%2F%2Fshop.example%2Fo%2F1%3Fx%3D1%26y%3D2"
    )
    assert result.external_id == f"sbx_{payment.code}"
    assert result.qr_content == ""


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("payment.succeeded", "captured"),
        ("payment.failed", "failed"),
        ("payment.cancelled", "cancelled"),
    ],
)
def test_a_signed_notification_is_parsed(kind, outcome):
    document = valid_document(type=kind)
    body, headers = signed(document)

    notification = SandboxProvider().verify_notification(body, headers)

    assert notification == Notification(
        event_id="evt_1",
        payment_code="PAY-ABC",
        outcome=outcome,
        amount_minor=128_000,
        currency="CNY",
        external_payment_id="sbx_PAY-ABC",
        raw=document,
    )


def test_the_signature_is_checked_before_the_body_is_read():
    with pytest.raises(InvalidSignature):
        SandboxProvider().verify_notification(b"not json", {})


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"\xff\xfe", b"[1, 2]", b"null"],
)
def test_a_signed_body_that_is_not_a_json_object_is_malformed(raw):
    body, headers = signed(None, raw=raw)

    with pytest.raises(MalformedNotification) as caught:
        SandboxProvider().verify_notification(body, headers)

    assert (caught.value.code, caught.value.status) == ("malformed_notification", 400)


@pytest.mark.parametrize(
    "changes",
    [
        {"id": None},
        {"id": "not-an-event"},
        {"id": "evt_" + "x" * 160},
        {"type": "payment.refunded"},
        {"payment": ""},
        {"payment": "P" * 21},
        {"amount_minor": "128000"},
        {"amount_minor": 1280.0},
        {"amount_minor": True},
        {"amount_minor": -1},
        {"currency": "cny"},
        {"currency": "YUAN"},
        {"created": "yesterday"},
    ],
)
def test_a_signed_notification_with_a_bad_field_is_malformed(changes):
    body, headers = signed(valid_document(**changes))

    with pytest.raises(MalformedNotification):
        SandboxProvider().verify_notification(body, headers)


@pytest.mark.parametrize(
    "missing", ["id", "type", "payment", "amount_minor", "currency", "created"]
)
def test_a_signed_notification_missing_a_field_is_malformed(missing):
    document = valid_document()
    del document[missing]
    body, headers = signed(document)

    with pytest.raises(MalformedNotification):
        SandboxProvider().verify_notification(body, headers)


def test_a_sandbox_refund_succeeds_at_once_with_a_stable_vendor_id():
    payment = captured_payment()
    refund = Refund(code="RF-1", payment=payment, amount_minor=1, currency="CNY", reason="")

    first = SandboxProvider().refund(payment, refund)
    again = SandboxProvider().refund(payment, refund)

    assert first == again
    assert (first.status, first.external_id) == ("succeeded", "sbx_rf_RF-1")


def test_a_refund_reason_with_the_failure_marker_fails():
    payment = captured_payment()
    refund = Refund(
        code="RF-1", payment=payment, amount_minor=1, currency="CNY", reason="x sandbox-fail-refund"
    )

    result = SandboxProvider().refund(payment, refund)

    assert (result.status, result.external_id) == ("failed", "")


def test_a_payment_with_the_failure_marker_fails_its_refunds():
    payment = captured_payment(external_id="sbx_sandbox-fail-refund")
    refund = Refund(code="RF-1", payment=payment, amount_minor=1, currency="CNY", reason="")

    assert SandboxProvider().refund(payment, refund).status == "failed"


def test_build_notification_makes_a_callback_the_provider_accepts():
    payment = payment_for()

    body, headers = build_notification(payment, "captured", event_id="evt_fixed")

    notification = SandboxProvider().verify_notification(body, headers)
    assert (notification.event_id, notification.payment_code, notification.outcome) == (
        "evt_fixed",
        payment.code,
        "captured",
    )
    assert (notification.amount_minor, notification.currency) == (128_000, "CNY")
    assert headers["Content-Type"] == "application/json"


def test_build_notification_invents_a_new_event_id_each_time():
    payment = payment_for()

    first, _ = build_notification(payment, "failed")
    second, _ = build_notification(payment, "failed")

    assert json.loads(first)["id"] != json.loads(second)["id"]
    assert json.loads(first)["id"].startswith("evt_")


def test_build_notification_can_claim_another_amount_for_mismatch_tests():
    payment = payment_for()

    body, headers = build_notification(payment, "captured", amount_minor=1, currency="USD")

    notification = SandboxProvider().verify_notification(body, headers)
    assert (notification.amount_minor, notification.currency) == (1, "USD")


def test_build_notification_with_an_old_timestamp_is_refused_as_stale():
    payment = payment_for()

    body, headers = build_notification(payment, "captured", timestamp=int(time.time()) - 3_600)

    with pytest.raises(InvalidSignature, match="outside the accepted window"):
        SandboxProvider().verify_notification(body, headers)


def test_build_notification_refuses_an_unknown_outcome():
    with pytest.raises(ValueError, match="outcome"):
        build_notification(payment_for(), "approved")
