"""The sandbox's callback signature, checked exactly as a real vendor's would be.

Header: ``Omnitrip-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=<hex>…]``.
The MAC covers ``f"{t}.".encode() + body``: binding the timestamp into the MAC means an
attacker cannot take an old, validly signed body and attach a fresh time to replay it.
Several ``v1`` entries may be present so a sender can sign with the old and the new key
while a secret is rotated; one matching entry is enough.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from omnitrip.payments.errors import InvalidSignature

SIGNATURE_HEADER = "Omnitrip-Signature"
SCHEME = "v1"


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def compute_mac(body: bytes, *, secret: str | bytes, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(_key(secret), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: str | bytes, timestamp: int) -> str:
    """The header value that authenticates ``body`` as sent at ``timestamp``."""
    return f"t={timestamp},{SCHEME}={compute_mac(body, secret=secret, timestamp=timestamp)}"


def header_value(headers: Mapping[str, str], name: str = SIGNATURE_HEADER) -> str | None:
    """Case-insensitive header lookup that works for plain dicts and ``request.headers``."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _parse(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    macs: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidSignature("Malformed signature header")
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            macs.append(value)
        # Other schemes are ignored so a sender can add a newer one without breaking us.
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise InvalidSignature("The signature header needs exactly one numeric timestamp")
    if not macs:
        raise InvalidSignature(f"The signature header has no {SCHEME} signature")
    return int(timestamps[0]), macs


def verify(
    body: bytes,
    header: str | None,
    *,
    secret: str | bytes,
    tolerance: int,
    now: int | float,
) -> None:
    """Accept ``body`` only if ``header`` carries a fresh, matching signature.

    Raises :class:`InvalidSignature` when the header is missing or malformed, when no
    ``v1`` entry matches, or when the timestamp is more than ``tolerance`` seconds away
    from ``now`` in either direction (a stale replay, or a clock far in the future).
    """
    if not header:
        raise InvalidSignature(f"Missing {SIGNATURE_HEADER} header")
    timestamp, macs = _parse(header)
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("The signature timestamp is outside the accepted window")
    expected = compute_mac(body, secret=secret, timestamp=timestamp)
    # Check every entry without stopping early, each in constant time.
    matched = False
    for candidate in macs:
        if hmac.compare_digest(expected.encode(), candidate.encode()):
            matched = True
    if not matched:
        raise InvalidSignature("The signature does not match the body")
