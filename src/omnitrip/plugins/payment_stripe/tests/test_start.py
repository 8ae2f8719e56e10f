"""Starting a payment: the Checkout Session request Stripe receives, and what we return."""

from __future__ import annotations

import time

import pytest
import responses
from django.test import override_settings

from omnitrip.payments.errors import ProviderError, ProviderUnavailable, UnknownProvider
from omnitrip.payments.providers import get_provider
from omnitrip.plugins.payment_stripe.provider import StripeProvider

from .factories import SESSIONS_URL, STRIPE, form_fields, stripe_payment

pytestmark = pytest.mark.django_db

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1"


def created_session(stripe_api, **changes):
    body = {"id": "cs_test_a1", "object": "checkout.session", "url": CHECKOUT_URL, **changes}
    stripe_api.add(responses.POST, SESSIONS_URL, json=body, status=200)


def test_stripe_is_registered_under_its_name():
    provider = get_provider("stripe")

    assert isinstance(provider, StripeProvider)
    assert (provider.name, provider.display_name_en) == ("stripe", "Card and wallets (Stripe)")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "WEBHOOK_SECRET"])
def test_stripe_is_unavailable_without_both_secrets(missing):
    with override_settings(STRIPE={**STRIPE, missing: ""}), pytest.raises(UnknownProvider):
        get_provider("stripe")


@pytest.mark.parametrize("currency", ["CNY", "USD", "EUR", "JPY", "THB", "HKD", "GBP", "KRW"])
def test_stripe_collects_currencies_whose_minor_unit_matches_ours(currency):
    assert StripeProvider().supports_currency(currency) is True


@pytest.mark.parametrize(
    "currency",
    [
        "ISK",  # zero-decimal for us, two-decimal in Stripe's API
        "KWD",  # three decimals: Stripe wants multiples of ten
        "UGX",  # legacy two-decimal form in Stripe's API
        "XXX",
        "usd",
    ],
)
def test_stripe_refuses_currencies_it_would_count_differently(currency):
    assert StripeProvider().supports_currency(currency) is False


def test_start_creates_a_checkout_session_for_the_servers_amount(stripe_api):
    payment = stripe_payment(total_minor=128_000, currency="CNY")
    created_session(stripe_api)

    result = StripeProvider().start(payment, return_url="/api/v1/orders/OT-1?lang=en")

    assert (result.redirect_url, result.external_id, result.qr_content) == (
        CHECKOUT_URL,
        "cs_test_a1",
        "",
    )
    (call,) = stripe_api.calls
    assert (call.request.method, call.request.url) == ("POST", SESSIONS_URL)
    assert call.request.headers["Idempotency-Key"] == payment.code
    assert call.request.headers["Authorization"] == "Bearer sk_test_omnitrip"
    order_code = payment.order.code
    expires_at = int(payment.created_at.timestamp()) + 35 * 60
    assert form_fields(call.request.body) == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "cny",
        "line_items[0][price_data][unit_amount]": "128000",
        "line_items[0][price_data][product_data][name]": f"Order {order_code}",
        "success_url": "https://shop.example/api/v1/orders/OT-1?lang=en",
        "cancel_url": "https://shop.example/api/v1/orders/OT-1?lang=en",
        "client_reference_id": payment.code,
        "metadata[payment]": payment.code,
        "metadata[order]": order_code,
        "payment_intent_data[metadata][payment]": payment.code,
        "payment_intent_data[metadata][order]": order_code,
        "expires_at": str(expires_at),
        "adaptive_pricing[enabled]": "false",
        "locale": "en",
    }
    # Stripe refuses sessions that expire sooner than 30 minutes after creation.
    assert expires_at >= int(time.time()) + 30 * 60


def test_a_zero_decimal_currency_is_sent_in_whole_units(stripe_api):
    payment = stripe_payment(total_minor=12_800, currency="JPY")
    created_session(stripe_api)

    StripeProvider().start(payment, return_url="https://shop.example/done")

    fields = form_fields(stripe_api.calls[0].request.body)
    assert (
        fields["line_items[0][price_data][currency]"],
        fields["line_items[0][price_data][unit_amount]"],
        fields["success_url"],
    ) == ("jpy", "12800", "https://shop.example/done")


def test_a_retried_start_sends_identical_parameters_under_the_same_key(stripe_api):
    # Stripe replays an idempotent request only if its parameters are the same.
    payment = stripe_payment()
    created_session(stripe_api)
    created_session(stripe_api)

    first = StripeProvider().start(payment, return_url="/o/1")
    time.sleep(1.1)  # a second later the clock has moved; the request must not
    again = StripeProvider().start(payment, return_url="/o/1")

    assert first == again
    one, two = stripe_api.calls
    assert one.request.body == two.request.body
    assert one.request.headers["Idempotency-Key"] == two.request.headers["Idempotency-Key"]


def test_start_refuses_a_currency_stripe_counts_differently_without_calling_it(stripe_api):
    payment = stripe_payment(total_minor=1_000, currency="ISK")

    with pytest.raises(ProviderUnavailable):
        StripeProvider().start(payment, return_url="/o/1")

    assert len(stripe_api.calls) == 0


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"error": {"type": "api_error", "message": "Something went wrong"}}),
        (503, "Service Unavailable"),
        (429, {"error": {"type": "invalid_request_error", "code": "rate_limit"}}),
        (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}),
    ],
    ids=["server-error", "unavailable", "rate-limited", "bad-key"],
)
def test_a_session_stripe_could_not_create_is_a_provider_error(stripe_api, status, body):
    payment = stripe_payment()
    if isinstance(body, str):
        stripe_api.add(responses.POST, SESSIONS_URL, body=body, status=status)
    else:
        stripe_api.add(responses.POST, SESSIONS_URL, json=body, status=status)

    with pytest.raises(ProviderError) as caught:
        StripeProvider().start(payment, return_url="/o/1")

    assert (caught.value.code, caught.value.status) == ("provider_error", 502)
    assert caught.value.extra["stripe_status"] == status


def test_a_session_stripe_refuses_makes_the_method_unavailable(stripe_api):
    error = {
        "type": "invalid_request_error",
        "code": "amount_too_small",
        "message": "The Checkout Session's total amount due must add up to at least $0.50 usd",
    }
    stripe_api.add(responses.POST, SESSIONS_URL, json={"error": error}, status=400)

    with pytest.raises(ProviderUnavailable) as caught:
        StripeProvider().start(stripe_payment(total_minor=10, currency="USD"), return_url="/o/1")

    assert (caught.value.code, caught.value.status) == ("provider_unavailable", 422)
    assert caught.value.extra == {"stripe_code": "amount_too_small", "stripe_status": 400}
    assert "at least $0.50" in caught.value.detail


def test_an_unreachable_stripe_is_a_provider_error(stripe_api):
    # No response registered: the request fails as a connection error would.
    with pytest.raises(ProviderError, match="APIConnectionError"):
        StripeProvider().start(stripe_payment(), return_url="/o/1")


def test_a_session_without_a_checkout_url_is_a_provider_error(stripe_api):
    stripe_api.add(
        responses.POST, SESSIONS_URL, json={"id": "cs_test_a1", "object": "checkout.session"}
    )

    with pytest.raises(ProviderError, match="without an id or URL"):
        StripeProvider().start(stripe_payment(), return_url="/o/1")


def test_stripe_is_acknowledged_with_json_200_or_400():
    provider = StripeProvider()

    assert provider.acknowledgement(True) == (200, "application/json", '{"received": true}')
    assert provider.acknowledgement(False) == (400, "application/json", '{"received": false}')
