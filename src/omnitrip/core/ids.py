"""Opaque public identifiers: never sequential, never guessable where it matters."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford-style alphabet without I, L, O, U: easy to read aloud on the phone or by SMS.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def public_code(prefix: str, length: int = 10) -> str:
    """A random readable code like ``OT-7K3M9Q2X1B`` (50 bits at length 10)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"{prefix}-{body}" if prefix else body


def secret_token(nbytes: int = 24) -> str:
    """A URL-safe secret (access links, API keys)."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What we store instead of a secret token: its SHA-256 hex digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), digest)
