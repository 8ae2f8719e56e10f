"""The Stripe API client we use, and how its failures become our errors.

A fresh :class:`stripe.StripeClient` is built from ``settings.STRIPE`` for each call:
nothing is kept in the SDK's module-level globals, so two configurations (tests, or a
future per-tenant account) never leak into each other. HTTP goes through ``requests``
(``stripe.RequestsClient``), which is what the tests intercept.

Settings (``settings.STRIPE``):

``SECRET_KEY``           the account's secret key (``sk_live_…`` / ``sk_test_…``)
``WEBHOOK_SECRET``       the endpoint's signing secret (``whsec_…``)
``API_BASE``             ``https://api.stripe.com`` unless pointed at a stand-in
``MAX_NETWORK_RETRIES``  optional, default 2: the SDK retries connection errors, 409 and
                         5xx answers, always with the same idempotency key
``TIMEOUT_SECONDS``      optional, default 30
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings

from omnitrip.payments.errors import ProviderError

DEFAULT_MAX_NETWORK_RETRIES = 2
DEFAULT_TIMEOUT_SECONDS = 30


def stripe_settings() -> dict[str, Any]:
    return dict(getattr(settings, "STRIPE", None) or {})


def is_configured() -> bool:
    config = stripe_settings()
    return bool(config.get("SECRET_KEY")) and bool(config.get("WEBHOOK_SECRET"))


def webhook_secret() -> str:
    return str(stripe_settings().get("WEBHOOK_SECRET") or "")


def client() -> stripe.StripeClient:
    """A client bound to the configured key and API base, with no global state."""
    config = stripe_settings()
    retries = config.get("MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES)
    timeout = config.get("TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    return stripe.StripeClient(
        str(config.get("SECRET_KEY") or ""),
        base_addresses={"api": str(config.get("API_BASE") or "https://api.stripe.com")},
        http_client=stripe.RequestsClient(timeout=timeout),
        max_network_retries=int(retries),
    )


def describe(error: stripe.StripeError) -> str:
    """A short, secret-free account of a Stripe failure for logs, events and problems."""
    facts = [type(error).__name__]
    if error.http_status:
        facts.append(f"HTTP {error.http_status}")
    if error.code:
        facts.append(f"code {error.code}")
    if error.request_id:
        facts.append(f"request {error.request_id}")
    text = ", ".join(facts)
    if error.user_message:
        text = f"{text}: {error.user_message}"
    return text[:300]


def is_transient(error: stripe.StripeError) -> bool:
    """Whether trying again later could succeed (so the caller must not record a refusal).

    Network failures, rate limits, Stripe's own errors, a rejected key (fixed by an
    operator, not by the request) and a 409 (the same idempotency key still in flight) are
    transient; a request Stripe understood and refused (invalid request, idempotency
    mismatch, card error) is not.
    """
    if isinstance(
        error,
        stripe.APIConnectionError
        | stripe.APIError
        | stripe.RateLimitError
        | stripe.AuthenticationError
        | stripe.PermissionError,
    ):
        return True
    status = error.http_status
    return status is None or status >= 500 or status in (409, 429)


def provider_error(error: stripe.StripeError, action: str) -> ProviderError:
    """Our 502 for a Stripe failure, with Stripe's code and status kept as extras."""
    return ProviderError(
        f"Stripe could not {action}: {describe(error)}",
        stripe_code=error.code or "",
        stripe_status=error.http_status or 0,
    )
