"""Guest access tokens: derived, so an idempotent replay can show the same token again."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from omnitrip.core.ids import token_digest


def access_token(code: str, salt: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"order-access:{code}:{salt}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def token_is_valid(order, token: str | None) -> bool:
    if not token:
        return False
    return hmac.compare_digest(token_digest(token), order.access_digest)


def digest_for(code: str, salt: str) -> str:
    return token_digest(access_token(code, salt))
