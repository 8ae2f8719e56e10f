"""Builders for Stripe tests: configuration, API objects, and events signed the way Stripe does.

The signature is computed here with ``cryptography``'s HMAC, independently of the code
under test, so a mistake in our verifier cannot be mirrored by the tests.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from omnitrip.payments.models import Payment
from omnitrip.payments.states import PaymentStatus
from omnitrip.payments.tests.factories import order_to_pay, payment_for

API_BASE = "https://stripe.test"
WEBHOOK_SECRET = "whsec_test_0mn1tr1p"
STRIPE = {
    "SECRET_KEY": "sk_test_omnitrip",
    "WEBHOOK_SECRET": WEBHOOK_SECRET,
    "API_BASE": API_BASE,
    # One request per call, so the tests see exactly what was sent.
    "MAX_NETWORK_RETRIES": 0,
}
SESSIONS_URL = f"{API_BASE}/v1/checkout/sessions"
REFUNDS_URL = f"{API_BASE}/v1/refunds"


def stripe_payment(
    *,
    total_minor: int = 128_000,
    currency: str = "CNY",
    status: str = PaymentStatus.PENDING,
    external_id: str = "",
) -> Payment:
    """A payment row of the ``stripe`` provider, written directly."""
    return payment_for(
        order_to_pay(total_minor=total_minor, currency=currency),
        provider="stripe",
        status=status,
        external_id=external_id,
    )


def signature_of(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``b"<timestamp>." + body``, as Stripe computes ``v1``."""
    mac = crypto_hmac.HMAC(secret.encode("utf-8"), hashes.SHA256())
    mac.update(f"{timestamp}.".encode("ascii") + body)
    return mac.finalize().hex()


def signed_headers(
    body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "Stripe-Signature": f"t={moment},v1={signature_of(body, secret=secret, timestamp=moment)}",
    }


def checkout_session(payment: Payment | None = None, **changes: Any) -> dict[str, Any]:
    """A Checkout Session as Stripe's API and events show it: complete and paid."""
    code = payment.code if payment is not None else "PAY-TEST00000001"
    amount = payment.amount_minor if payment is not None else 128_000
    currency = payment.currency if payment is not None else "CNY"
    session: dict[str, Any] = {
        "id": f"cs_test_{code}",
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": amount,
        "currency": currency.lower(),
        "client_reference_id": code,
        "metadata": {"payment": code},
        "payment_intent": f"pi_test_{code}",
        "url": None,
        "livemode": False,
    }
    session.update(changes)
    return session


def stripe_event(
    event_type: str, data_object: dict[str, Any], *, event_id: str = "evt_test_1"
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": data_object},
    }


def encoded(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def http_meta(headers: dict[str, str]) -> dict[str, str]:
    """Headers as Django's test client takes them (``HTTP_STRIPE_SIGNATURE=…``)."""
    return {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in headers.items()
        if name.lower() != "content-type"
    }


def form_fields(body: str | bytes | None) -> dict[str, str]:
    """A form-encoded request body as a flat dict (Stripe's ``a[b][c]=v`` keys)."""
    text = body.decode() if isinstance(body, bytes) else (body or "")
    pairs = parse_qsl(text, keep_blank_values=True)
    fields = dict(pairs)
    assert len(fields) == len(pairs), "a key was sent twice"
    return fields
