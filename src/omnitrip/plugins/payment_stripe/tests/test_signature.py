"""The ``Stripe-Signature`` check, against signatures made with an independent HMAC."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from omnitrip.payments.errors import InvalidSignature
from omnitrip.plugins.payment_stripe import signature
from omnitrip.plugins.payment_stripe.errors import MalformedNotification
from omnitrip.plugins.payment_stripe.provider import StripeProvider

from .factories import (
    STRIPE,
    WEBHOOK_SECRET,
    checkout_session,
    encoded,
    signature_of,
    signed_headers,
    stripe_event,
)

BODY = encoded(stripe_event("checkout.session.completed", checkout_session()))
NOW = 1_900_000_000


def check(header, *, body=BODY, now=NOW, tolerance=300):
    return signature.verify(body, header, secret=WEBHOOK_SECRET, tolerance=tolerance, now=now)


def test_a_signature_over_the_timestamp_and_body_is_accepted():
    header = f"t={NOW},v1={signature_of(BODY, timestamp=NOW)}"

    assert check(header) == NOW


def test_one_matching_v1_among_several_is_enough_during_a_secret_roll():
    old = signature_of(BODY, secret="whsec_old", timestamp=NOW)
    header = f"t={NOW},v1={old},v1={signature_of(BODY, timestamp=NOW)},v0=abc"

    assert check(header) == NOW


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Missing"),
        ("", "Missing"),
        ("garbage", "Malformed"),
        (f"v1={'0' * 64}", "exactly one timestamp"),
        (f"t=abc,v1={'0' * 64}", "exactly one timestamp"),
        (f"t={NOW},t={NOW},v1={'0' * 64}", "exactly one timestamp"),
        (f"t={NOW}", "no v1 signature"),
        (f"t={NOW},v0={'0' * 64}", "no v1 signature"),
        (f"t={NOW},v1={'0' * 64}", "does not match"),
        (f"t={NOW},v1=not-hex", "does not match"),
    ],
)
def test_a_missing_or_malformed_header_is_refused(header, message):
    with pytest.raises(InvalidSignature, match=message):
        check(header)


def test_a_changed_body_breaks_the_signature():
    header = f"t={NOW},v1={signature_of(BODY, timestamp=NOW)}"

    with pytest.raises(InvalidSignature, match="does not match"):
        check(header, body=BODY.replace(b'"paid"', b'"unpaid"'))


def test_a_signature_by_another_secret_is_refused():
    header = f"t={NOW},v1={signature_of(BODY, secret='whsec_someone_else', timestamp=NOW)}"

    with pytest.raises(InvalidSignature, match="does not match"):
        check(header)


def test_a_signed_timestamp_cannot_be_swapped_for_a_fresh_one():
    old = NOW - 3_600
    header = f"t={NOW},v1={signature_of(BODY, timestamp=old)}"

    with pytest.raises(InvalidSignature, match="does not match"):
        check(header)


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_window_is_refused_in_either_direction(offset):
    moment = NOW + offset
    header = f"t={moment},v1={signature_of(BODY, timestamp=moment)}"

    with pytest.raises(InvalidSignature, match="outside the accepted window"):
        check(header)


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_at_the_edge_of_the_window_is_accepted(offset):
    moment = NOW + offset
    header = f"t={moment},v1={signature_of(BODY, timestamp=moment)}"

    assert check(header) == moment


def test_nothing_verifies_without_a_configured_secret():
    header = f"t={NOW},v1={signature_of(BODY, secret='', timestamp=NOW)}"

    with pytest.raises(InvalidSignature, match="No Stripe webhook secret"):
        signature.verify(BODY, header, secret="", tolerance=300, now=NOW)


def test_the_provider_reads_the_header_case_insensitively():
    headers = {"stripe-signature": signed_headers(BODY)["Stripe-Signature"]}

    notification = StripeProvider().verify_notification(BODY, headers)

    assert notification.event_id == "evt_test_1"


def test_the_provider_checks_the_signature_before_reading_the_body():
    with pytest.raises(InvalidSignature):
        StripeProvider().verify_notification(b"not json", {})


def test_the_provider_uses_the_configured_tolerance():
    headers = signed_headers(BODY, timestamp=int(time.time()) - 120)

    with override_settings(WEBHOOK_TOLERANCE_SECONDS=60), pytest.raises(InvalidSignature):
        StripeProvider().verify_notification(BODY, headers)


def test_the_provider_uses_the_configured_secret():
    headers = signed_headers(BODY)

    with (
        override_settings(STRIPE={**STRIPE, "WEBHOOK_SECRET": "whsec_rotated"}),
        pytest.raises(InvalidSignature),
    ):
        StripeProvider().verify_notification(BODY, headers)


def test_a_correctly_signed_body_that_is_not_utf8_is_malformed_not_a_crash():
    body = b"\xff\xfe{}"

    with pytest.raises(MalformedNotification):
        StripeProvider().verify_notification(body, signed_headers(body))
