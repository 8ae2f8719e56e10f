"""Reading verified Stripe events: which say what about our payments, and which are ignored."""

from __future__ import annotations

import pytest

from omnitrip.payments.providers import Notification
from omnitrip.plugins.payment_stripe.errors import IgnoredNotification, MalformedNotification
from omnitrip.plugins.payment_stripe.provider import StripeProvider

from .factories import checkout_session, encoded, signed_headers, stripe_event


def verify(document):
    body = encoded(document)
    return StripeProvider().verify_notification(body, signed_headers(body))


@pytest.mark.parametrize(
    ("event_type", "payment_status", "outcome"),
    [
        ("checkout.session.completed", "paid", "captured"),
        ("checkout.session.async_payment_succeeded", "paid", "captured"),
        ("checkout.session.async_payment_failed", "unpaid", "failed"),
        ("checkout.session.expired", "unpaid", "cancelled"),
    ],
)
def test_a_checkout_event_becomes_a_notification(event_type, payment_status, outcome):
    session = checkout_session(payment_status=payment_status)
    document = stripe_event(event_type, session, event_id="evt_1Abc")

    notification = verify(document)

    assert notification == Notification(
        event_id="evt_1Abc",
        payment_code="PAY-TEST00000001",
        outcome=outcome,
        amount_minor=128_000,
        currency="CNY",
        external_payment_id="pi_test_PAY-TEST00000001",
        raw=document,
    )


def test_an_expired_session_without_a_payment_intent_has_no_external_id():
    session = checkout_session(status="expired", payment_status="unpaid", payment_intent=None)

    notification = verify(stripe_event("checkout.session.expired", session))

    assert (notification.outcome, notification.external_payment_id) == ("cancelled", "")


def test_an_expanded_payment_intent_gives_its_id():
    session = checkout_session(payment_intent={"id": "pi_123", "object": "payment_intent"})

    notification = verify(stripe_event("checkout.session.completed", session))

    assert notification.external_payment_id == "pi_123"


def test_our_metadata_wins_over_a_client_reference_another_system_set():
    session = checkout_session(client_reference_id="cart-77", metadata={"payment": "PAY-OURS"})

    assert verify(stripe_event("checkout.session.completed", session)).payment_code == "PAY-OURS"


def test_the_client_reference_is_used_when_the_metadata_is_missing():
    session = checkout_session(client_reference_id="PAY-REF", metadata={})

    assert verify(stripe_event("checkout.session.completed", session)).payment_code == "PAY-REF"


@pytest.mark.parametrize(
    "document",
    [
        stripe_event("customer.created", {"id": "cus_1", "object": "customer"}),
        stripe_event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}),
        stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"}),
        # A delayed method (bank debit): completed but not yet paid.
        stripe_event("checkout.session.completed", checkout_session(payment_status="unpaid")),
        stripe_event("checkout.session.completed", checkout_session(mode="subscription")),
        stripe_event(
            "checkout.session.completed",
            checkout_session(client_reference_id=None, metadata={}),
        ),
        stripe_event(
            "checkout.session.completed",
            checkout_session(client_reference_id="x" * 40, metadata={}),
        ),
    ],
    ids=[
        "customer",
        "payment-intent",
        "charge",
        "completed-unpaid",
        "subscription",
        "no-reference",
        "foreign-reference",
    ],
)
def test_an_event_that_says_nothing_about_our_payments_is_ignored_with_a_2xx(document):
    with pytest.raises(IgnoredNotification) as caught:
        verify(document)

    assert (caught.value.code, caught.value.status) == ("notification_ignored", 200)


@pytest.mark.parametrize(
    "document",
    [
        [1, 2],
        {"id": "evt_1", "type": "checkout.session.completed"},  # not "object": "event"
        stripe_event("checkout.session.completed", checkout_session(), event_id="nope"),
        stripe_event("checkout.session.completed", checkout_session(), event_id="evt_" + "x" * 160),
        {**stripe_event("checkout.session.completed", checkout_session()), "type": None},
        stripe_event("checkout.session.completed", {"id": "pi_1", "object": "payment_intent"}),
        {**stripe_event("checkout.session.completed", checkout_session()), "data": None},
        stripe_event("checkout.session.completed", checkout_session(amount_total="128000")),
        stripe_event("checkout.session.completed", checkout_session(amount_total=1280.0)),
        stripe_event("checkout.session.completed", checkout_session(amount_total=True)),
        stripe_event("checkout.session.completed", checkout_session(amount_total=-1)),
        stripe_event("checkout.session.completed", checkout_session(amount_total=None)),
        stripe_event("checkout.session.completed", checkout_session(currency="yuan")),
        stripe_event("checkout.session.completed", checkout_session(currency=None)),
    ],
)
def test_a_signed_event_we_cannot_read_is_malformed(document):
    with pytest.raises(MalformedNotification) as caught:
        verify(document)

    assert (caught.value.code, caught.value.status) == ("malformed_notification", 400)


def test_a_signed_body_that_is_not_json_is_malformed():
    body = b"not json"

    with pytest.raises(MalformedNotification):
        StripeProvider().verify_notification(body, signed_headers(body))
