"""Store-first intake of sandbox callbacks: verified, stored once, refusals kept."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import override_settings

from omnitrip.payments.errors import InvalidSignature
from omnitrip.payments.models import RejectedCallback, WebhookEvent
from omnitrip.payments.services import store_notification
from omnitrip.payments.tests.factories import payment_for
from omnitrip.plugins.payment_sandbox import signing
from omnitrip.plugins.payment_sandbox.provider import MalformedNotification, build_notification

pytestmark = pytest.mark.django_db


def test_a_valid_callback_is_stored_before_anything_acts_on_it():
    payment = payment_for()
    body, headers = build_notification(payment, "captured", event_id="evt_1")

    event, notification, created = store_notification(
        "sandbox", body, headers, remote_addr="203.0.113.7"
    )

    assert created is True
    assert (event.provider, event.external_id, event.payment_code) == (
        "sandbox",
        "evt_1",
        payment.code,
    )
    assert (event.outcome, event.amount_minor, event.currency, event.external_payment_id) == (
        "captured",
        128_000,
        "CNY",
        f"sbx_{payment.code}",
    )
    assert (event.body, event.status) == (body.decode(), "received")
    assert (notification.outcome, notification.amount_minor) == ("captured", 128_000)
    assert RejectedCallback.objects.count() == 0


def test_a_replayed_callback_returns_the_stored_event_and_stores_nothing_new():
    payment = payment_for()
    body, headers = build_notification(payment, "captured", event_id="evt_1")
    first, _, _ = store_notification("sandbox", body, headers)

    again, notification, created = store_notification("sandbox", body, headers)

    assert created is False
    assert again.pk == first.pk
    assert notification.event_id == "evt_1"
    assert WebhookEvent.objects.count() == 1


def _tampered(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return body.replace(b"payment.failed", b"payment.succeeded"), headers


def _wrong_secret(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    forged = signing.sign(body, secret="not-our-secret", timestamp=int(time.time()))
    return body, {**headers, "Omnitrip-Signature": forged}


def _no_header(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return body, {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("spoil", "timestamp_offset", "detail"),
    [
        (_tampered, 0, "does not match"),
        (_wrong_secret, 0, "does not match"),
        (_no_header, 0, "Missing"),
        (None, -301, "outside the accepted window"),
        (None, +301, "outside the accepted window"),
    ],
    ids=["tampered-body", "wrong-secret", "missing-header", "stale", "future"],
)
@override_settings(WEBHOOK_TOLERANCE_SECONDS=300)
def test_a_refused_signature_is_kept_as_a_rejected_callback_and_nothing_is_stored(
    spoil, timestamp_offset, detail
):
    payment = payment_for()
    body, headers = build_notification(
        payment, "failed", event_id="evt_1", timestamp=int(time.time()) + timestamp_offset
    )
    if spoil is not None:
        body, headers = spoil(body, headers)

    with pytest.raises(InvalidSignature):
        store_notification("sandbox", body, headers, remote_addr="198.51.100.9")

    rejected = RejectedCallback.objects.get()
    assert (rejected.provider, rejected.code, rejected.remote_addr) == (
        "sandbox",
        "invalid_signature",
        "198.51.100.9",
    )
    assert detail in rejected.detail
    assert rejected.body == body.decode()
    assert WebhookEvent.objects.count() == 0


def test_a_validly_signed_but_malformed_callback_is_rejected_with_its_own_code():
    body = b'{"id": "evt_1"}'
    header = signing.sign(body, secret=_secret(), timestamp=int(time.time()))

    with pytest.raises(MalformedNotification):
        store_notification("sandbox", body, {"Omnitrip-Signature": header})

    assert RejectedCallback.objects.get().code == "malformed_notification"
    assert WebhookEvent.objects.count() == 0


def test_store_notification_refuses_to_run_inside_a_callers_transaction():
    # The stored event must commit on its own, before and whatever the processing does.
    body, headers = build_notification(payment_for(), "captured")

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        store_notification("sandbox", body, headers)

    assert WebhookEvent.objects.count() == 0


def _secret() -> str:
    from django.conf import settings

    return settings.SANDBOX_PAYMENT_SECRET
