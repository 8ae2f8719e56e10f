"""Refunds through Stripe: the request, its idempotency key, and how answers are read."""

from __future__ import annotations

import pytest
import responses
from django.test import override_settings

from omnitrip.payments.errors import ProviderError
from omnitrip.payments.models import Refund
from omnitrip.payments.providers import RefundResult
from omnitrip.payments.services import execute_refund, request_refund
from omnitrip.payments.states import PaymentStatus
from omnitrip.plugins.payment_stripe.provider import StripeProvider

from .factories import REFUNDS_URL, SESSIONS_URL, STRIPE, form_fields, stripe_payment

pytestmark = pytest.mark.django_db


def captured(external_id="pi_3Abc"):
    return stripe_payment(
        total_minor=50_000, status=PaymentStatus.CAPTURED, external_id=external_id
    )


def refund_of(payment, amount_minor=20_000, code="RF-TEST0001"):
    return Refund(
        code=code, payment=payment, amount_minor=amount_minor, currency=payment.currency, reason=""
    )


def stripe_refund(status, **extra):
    return {"id": "re_1", "object": "refund", "status": status, "amount": 20_000, **extra}


def test_a_refund_is_sent_for_the_payment_intent_under_the_refunds_code(stripe_api):
    payment = captured()
    stripe_api.add(responses.POST, REFUNDS_URL, json=stripe_refund("succeeded"))

    result = StripeProvider().refund(payment, refund_of(payment))

    assert result == RefundResult(status="succeeded", external_id="re_1", detail="")
    (call,) = stripe_api.calls
    assert call.request.headers["Idempotency-Key"] == "RF-TEST0001"
    assert form_fields(call.request.body) == {
        "payment_intent": "pi_3Abc",
        "amount": "20000",
        "metadata[refund]": "RF-TEST0001",
        "metadata[payment]": payment.code,
    }


@pytest.mark.parametrize(
    ("stripe_status", "status"),
    [("pending", "pending"), ("requires_action", "pending"), ("canceled", "failed")],
)
def test_stripes_refund_status_is_read_as_ours(stripe_api, stripe_status, status):
    payment = captured()
    stripe_api.add(responses.POST, REFUNDS_URL, json=stripe_refund(stripe_status))

    result = StripeProvider().refund(payment, refund_of(payment))

    assert (result.status, result.external_id) == (status, "re_1")


def test_a_failed_refund_says_why(stripe_api):
    payment = captured()
    body = stripe_refund("failed", failure_reason="expired_or_canceled_card")
    stripe_api.add(responses.POST, REFUNDS_URL, json=body)

    result = StripeProvider().refund(payment, refund_of(payment))

    assert result == RefundResult(
        status="failed", external_id="re_1", detail="expired_or_canceled_card"
    )


def test_a_refund_stripe_refuses_outright_is_failed_not_retried(stripe_api):
    payment = captured()
    error = {
        "type": "invalid_request_error",
        "code": "charge_already_refunded",
        "message": "Charge ch_1 has already been refunded.",
    }
    stripe_api.add(responses.POST, REFUNDS_URL, json={"error": error}, status=400)

    result = StripeProvider().refund(payment, refund_of(payment))

    assert result.status == "failed"
    assert result.external_id == ""
    assert "charge_already_refunded" in result.detail
    assert "has already been refunded" in result.detail


@pytest.mark.parametrize("status", [502, 500, 503, 429])
def test_a_refund_stripe_could_not_handle_is_a_provider_error(stripe_api, status):
    payment = captured()
    stripe_api.add(responses.POST, REFUNDS_URL, body="Bad Gateway", status=status)

    with pytest.raises(ProviderError) as caught:
        StripeProvider().refund(payment, refund_of(payment))

    assert caught.value.extra["stripe_status"] == status
    assert stripe_api.calls[0].request.headers["Idempotency-Key"] == "RF-TEST0001"


def test_a_refund_still_in_flight_under_the_same_key_is_a_provider_error(stripe_api):
    # Stripe's 409: another request with this key has not finished; asking again is safe.
    payment = captured()
    error = {"type": "idempotency_error", "message": "another in-progress request"}
    stripe_api.add(responses.POST, REFUNDS_URL, json={"error": error}, status=409)

    with pytest.raises(ProviderError):
        StripeProvider().refund(payment, refund_of(payment))


def test_a_refund_reusing_a_key_with_other_parameters_is_failed(stripe_api):
    payment = captured()
    error = {"type": "idempotency_error", "message": "Keys for idempotent requests..."}
    stripe_api.add(responses.POST, REFUNDS_URL, json={"error": error}, status=400)

    result = StripeProvider().refund(payment, refund_of(payment))

    assert result.status == "failed"
    assert result.detail.startswith("IdempotencyError, HTTP 400")


def test_an_unreachable_stripe_is_a_provider_error_for_refunds(stripe_api):
    payment = captured()

    with pytest.raises(ProviderError, match="APIConnectionError"):
        StripeProvider().refund(payment, refund_of(payment))


def test_the_sdk_retries_a_5xx_with_the_same_idempotency_key(stripe_api):
    payment = captured()
    stripe_api.add(responses.POST, REFUNDS_URL, body="Bad Gateway", status=502)
    stripe_api.add(responses.POST, REFUNDS_URL, json=stripe_refund("succeeded"))

    with override_settings(STRIPE={**STRIPE, "MAX_NETWORK_RETRIES": 1}):
        result = StripeProvider().refund(payment, refund_of(payment))

    assert result.status == "succeeded"
    keys = [call.request.headers["Idempotency-Key"] for call in stripe_api.calls]
    assert keys == ["RF-TEST0001", "RF-TEST0001"]
    assert stripe_api.calls[0].request.body == stripe_api.calls[1].request.body


def test_a_payment_still_known_by_its_session_is_refunded_through_the_sessions_intent(
    stripe_api,
):
    payment = captured(external_id="cs_test_9")
    session = {"id": "cs_test_9", "object": "checkout.session", "payment_intent": "pi_9"}
    stripe_api.add(responses.GET, f"{SESSIONS_URL}/cs_test_9", json=session)
    stripe_api.add(responses.POST, REFUNDS_URL, json=stripe_refund("succeeded"))

    result = StripeProvider().refund(payment, refund_of(payment))

    assert result.status == "succeeded"
    assert form_fields(stripe_api.calls[1].request.body)["payment_intent"] == "pi_9"


def test_a_payment_with_no_stripe_id_cannot_be_refunded_and_nothing_is_sent(stripe_api):
    payment = captured(external_id="")

    result = StripeProvider().refund(payment, refund_of(payment))

    assert (result.status, result.external_id) == ("failed", "")
    assert len(stripe_api.calls) == 0


def test_a_requested_refund_executed_through_stripe_succeeds(stripe_api):
    payment = captured()
    refund = request_refund(payment, 20_000, reason="customer request", idempotency_key="rk-1")
    stripe_api.add(responses.POST, REFUNDS_URL, json=stripe_refund("succeeded", id="re_42"))

    done = execute_refund(refund.pk)

    assert (done.status, done.external_id, done.attempts) == ("succeeded", "re_42", 1)
    assert stripe_api.calls[0].request.headers["Idempotency-Key"] == refund.code


def test_a_refund_stripe_could_not_take_stays_pending_and_reserved(stripe_api):
    payment = captured()
    refund = request_refund(payment, 20_000, reason="customer request", idempotency_key="rk-1")
    stripe_api.add(responses.POST, REFUNDS_URL, body="Bad Gateway", status=502)

    with pytest.raises(ProviderError):
        execute_refund(refund.pk)

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.attempts, refund.external_id) == ("pending", 1, "")
    assert payment.refunded_minor == 20_000
