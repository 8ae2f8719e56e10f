"""Stripe's webhook signature: ``Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]``.

Each ``v1`` value is the hex HMAC-SHA256, keyed with the endpoint's signing secret
(``whsec_…``, used whole as the key), of the timestamp, a full stop and the raw body
exactly as received. While a secret is being rolled Stripe signs with every live secret,
so one matching ``v1`` is enough. Other schemes (Stripe's test-only ``v0``) are ignored.

We check the bytes ourselves rather than through ``stripe.Webhook``: the SDK decodes the
body as UTF-8 before hashing (a non-UTF-8 body would raise instead of being refused) and
only rejects timestamps in the past; here both directions are bounded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from omnitrip.payments.errors import InvalidSignature

SIGNATURE_HEADER = "Stripe-Signature"
SCHEME = "v1"
# A v1 signature is a SHA-256 digest in hex; anything longer is not worth hashing against.
_DIGEST_HEX_LENGTH = 64


def header_value(headers: Mapping[str, str]) -> str | None:
    """The signature header, found case-insensitively (plain dicts and ``request.headers``)."""
    wanted = SIGNATURE_HEADER.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def expected_signature(body: bytes, *, secret: str, timestamp: int) -> str:
    """The hex ``v1`` value Stripe would send for ``body`` at ``timestamp``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _timestamp_and_signatures(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidSignature(f"Malformed {SIGNATURE_HEADER} header")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header needs exactly one timestamp")
    if not signatures:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header has no {SCHEME} signature")
    return int(timestamps[0]), signatures


def verify(
    body: bytes,
    header: str | None,
    *,
    secret: str,
    tolerance: int,
    now: float,
) -> int:
    """Accept ``body`` only with a fresh signature by ``secret``; return the signed timestamp.

    Raises :class:`InvalidSignature` when the header is missing or malformed, when no
    ``v1`` entry matches, or when the timestamp is more than ``tolerance`` seconds from
    ``now`` in either direction. The timestamp is inside the MAC, so an old signed body
    cannot be replayed under a fresh time.
    """
    if not secret:
        # Never compare against an HMAC keyed with nothing: refuse everything instead.
        raise InvalidSignature("No Stripe webhook secret is configured")
    if not header:
        raise InvalidSignature(f"Missing {SIGNATURE_HEADER} header")
    timestamp, signatures = _timestamp_and_signatures(header)
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("The signature timestamp is outside the accepted window")
    expected = expected_signature(body, secret=secret, timestamp=timestamp).encode("ascii")
    matched = False
    for candidate in signatures:
        if not candidate.isascii() or len(candidate) != _DIGEST_HEX_LENGTH:
            continue
        # Every entry is compared, each in constant time, so timing says nothing.
        if hmac.compare_digest(expected, candidate.lower().encode("ascii")):
            matched = True
    if not matched:
        raise InvalidSignature("The signature does not match the body")
    return timestamp
