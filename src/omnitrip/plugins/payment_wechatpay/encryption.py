"""The encrypted ``resource`` of a WeChat Pay callback (AEAD_AES_256_GCM, RFC 5116).

The key is the merchant's 32-byte APIv3 key; ``nonce`` and ``associated_data`` are used as
their UTF-8 bytes; ``ciphertext`` is base64 of the encrypted text followed by the 16-byte
GCM tag. GCM authenticates as it decrypts, so a changed ciphertext, nonce or associated
data, or the wrong key, is refused rather than decrypted to garbage.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from omnitrip.payments.errors import InvalidSignature

ALGORITHM = "AEAD_AES_256_GCM"
_TAG_BYTES = 16


def decrypt_resource(resource: Mapping[str, Any], api_v3_key: bytes) -> bytes:
    """The plaintext of ``resource``; :class:`InvalidSignature` if it cannot be authenticated."""
    algorithm = resource.get("algorithm")
    nonce = resource.get("nonce")
    ciphertext = resource.get("ciphertext")
    associated_data = resource.get("associated_data") or ""
    if algorithm != ALGORITHM:
        raise InvalidSignature(f"Unsupported resource algorithm {str(algorithm)[:40]!r}")
    if not isinstance(nonce, str) or not nonce or not isinstance(ciphertext, str):
        raise InvalidSignature("The resource has no nonce or ciphertext")
    if not isinstance(associated_data, str):
        raise InvalidSignature("The resource's associated data is not text")
    try:
        sealed = base64.b64decode(ciphertext, validate=True)
        if len(sealed) <= _TAG_BYTES:
            raise InvalidSignature("The resource's ciphertext is too short")
        return AESGCM(api_v3_key).decrypt(nonce.encode(), sealed, associated_data.encode())
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise InvalidSignature("The notification's resource cannot be decrypted") from exc
