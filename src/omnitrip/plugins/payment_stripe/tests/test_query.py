"""Asking Stripe how a payment stands, by its Checkout Session or its PaymentIntent."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from omnitrip.payments.errors import ProviderError
from omnitrip.payments.providers import Notification
from omnitrip.plugins.payment_stripe.provider import StripeProvider

from .factories import SESSIONS_URL, checkout_session, stripe_payment

pytestmark = pytest.mark.django_db


def query_of(call):
    return sorted(parse_qsl(urlsplit(call.request.url).query))


def test_a_paid_session_is_reported_as_captured(stripe_api):
    payment = stripe_payment(external_id="cs_test_q1")
    session = checkout_session(payment, id="cs_test_q1")
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_q1", json=session)

    notification = StripeProvider().query(payment)

    assert notification == Notification(
        event_id="query:cs_test_q1:captured",
        payment_code=payment.code,
        outcome="captured",
        amount_minor=128_000,
        currency="CNY",
        external_payment_id=f"pi_test_{payment.code}",
        raw=session,
    )
    assert query_of(stripe_api.calls[0]) == [("expand[0]", "payment_intent")]


def test_a_captured_payment_is_found_by_its_payment_intent(stripe_api):
    payment = stripe_payment(external_id="pi_test_q2")
    session = checkout_session(payment, id="cs_test_q2", payment_intent="pi_test_q2")
    page = {"object": "list", "data": [session], "has_more": False, "url": "/v1/checkout/sessions"}
    stripe_api.add(responses.GET, SESSIONS_URL, json=page)

    notification = StripeProvider().query(payment)

    assert (notification.outcome, notification.event_id, notification.external_payment_id) == (
        "captured",
        "query:cs_test_q2:captured",
        "pi_test_q2",
    )
    assert query_of(stripe_api.calls[0]) == [
        ("expand[0]", "data.payment_intent"),
        ("limit", "1"),
        ("payment_intent", "pi_test_q2"),
    ]


def test_an_expired_session_is_reported_as_cancelled(stripe_api):
    payment = stripe_payment(external_id="cs_test_q3")
    session = checkout_session(payment, id="cs_test_q3", status="expired", payment_status="unpaid")
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_q3", json=session)

    assert StripeProvider().query(payment).outcome == "cancelled"


def test_a_delayed_payment_that_failed_is_reported_as_failed(stripe_api):
    payment = stripe_payment(external_id="cs_test_q4")
    intent = {"id": "pi_q4", "object": "payment_intent", "status": "requires_payment_method"}
    session = checkout_session(
        payment, id="cs_test_q4", payment_status="unpaid", payment_intent=intent
    )
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_q4", json=session)

    notification = StripeProvider().query(payment)

    assert (notification.outcome, notification.external_payment_id) == ("failed", "pi_q4")


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "open", "payment_status": "unpaid", "payment_intent": None},
        {
            "payment_status": "unpaid",
            "payment_intent": {"id": "pi_1", "object": "payment_intent", "status": "processing"},
        },
    ],
    ids=["open", "processing"],
)
def test_an_undecided_session_reports_nothing(stripe_api, changes):
    payment = stripe_payment(external_id="cs_test_q5")
    session = checkout_session(payment, id="cs_test_q5", **changes)
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_q5", json=session)

    assert StripeProvider().query(payment) is None


def test_a_session_stripe_does_not_know_reports_nothing(stripe_api):
    payment = stripe_payment(external_id="cs_test_gone")
    error = {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_gone", json={"error": error}, status=404)

    assert StripeProvider().query(payment) is None


def test_a_query_stripe_could_not_answer_is_a_provider_error(stripe_api):
    payment = stripe_payment(external_id="cs_test_q6")
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_q6", body="oops", status=500)

    with pytest.raises(ProviderError):
        StripeProvider().query(payment)


def test_a_payment_never_sent_to_stripe_is_not_queried(stripe_api):
    assert StripeProvider().query(stripe_payment(external_id="")) is None
    assert len(stripe_api.calls) == 0
