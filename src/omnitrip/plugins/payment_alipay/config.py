"""Alipay credentials from ``settings.ALIPAY``.

Keys may be given as PEM text, as a path to a PEM file, or as the bare base64 text that
Alipay's key tool and open-platform console print (DER without PEM armour). Only the
"public key" mode of the open platform is supported, not the certificate mode.

``APP_ID``            our application id on the open platform
``PRIVATE_KEY``       our RSA private key: signs every request (RSA2)
``ALIPAY_PUBLIC_KEY`` Alipay's RSA public key: verifies notifications and responses
``GATEWAY``           the openapi gateway (the sandbox has its own)
``SELLER_ID``         optional: our merchant id (2088…); when set, notifications for
                      another seller are refused
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_GATEWAY = "https://openapi.alipay.com/gateway.do"
_REQUIRED = ("APP_ID", "PRIVATE_KEY", "ALIPAY_PUBLIC_KEY")


@dataclass(frozen=True)
class Credentials:
    app_id: str
    private_key: RSAPrivateKey
    alipay_public_key: RSAPublicKey
    gateway: str
    seller_id: str = ""


def _settings() -> dict[str, str]:
    configured = getattr(settings, "ALIPAY", None) or {}
    return {key: str(value or "").strip() for key, value in dict(configured).items()}


def is_configured() -> bool:
    """Whether the three required values are present (no I/O: keys are not read here)."""
    values = _settings()
    return all(values.get(key) for key in _REQUIRED)


def credentials() -> Credentials:
    """The loaded credentials; raises ImproperlyConfigured when a key cannot be read."""
    values = _settings()
    missing = [key for key in _REQUIRED if not values.get(key)]
    if missing:
        raise ImproperlyConfigured(f"settings.ALIPAY lacks {', '.join(missing)}")
    return Credentials(
        app_id=values["APP_ID"],
        private_key=_private_key(values["PRIVATE_KEY"]),
        alipay_public_key=_public_key(values["ALIPAY_PUBLIC_KEY"]),
        gateway=values.get("GATEWAY") or DEFAULT_GATEWAY,
        seller_id=values.get("SELLER_ID", ""),
    )


def _key_material(value: str) -> tuple[str, bytes]:
    """``("pem", text)`` or ``("der", bytes)`` for a setting holding a key or a path."""
    if "-----BEGIN" in value:
        return "pem", value.encode()
    # A base64 key can contain "/", so a path is recognised by the file existing.
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        return _key_material(path.read_text(encoding="ascii").strip())
    try:
        return "der", base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            "An Alipay key must be PEM text, a PEM file's path or base64 DER"
        ) from exc


# Cached by the setting's text, so overriding settings (tests, key rotation on restart)
# loads the new key while a steady configuration is parsed once.
@functools.lru_cache(maxsize=8)
def _private_key(value: str) -> RSAPrivateKey:
    kind, material = _key_material(value)
    try:
        if kind == "pem":
            key = serialization.load_pem_private_key(material, password=None)
        else:
            key = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("ALIPAY PRIVATE_KEY is not a readable private key") from exc
    if not isinstance(key, RSAPrivateKey):
        raise ImproperlyConfigured("ALIPAY PRIVATE_KEY must be an RSA key (RSA2)")
    return key


@functools.lru_cache(maxsize=8)
def _public_key(value: str) -> RSAPublicKey:
    kind, material = _key_material(value)
    try:
        if kind == "pem":
            key = serialization.load_pem_public_key(material)
        else:
            key = serialization.load_der_public_key(material)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("ALIPAY_PUBLIC_KEY is not a readable public key") from exc
    if not isinstance(key, RSAPublicKey):
        raise ImproperlyConfigured("ALIPAY_PUBLIC_KEY must be an RSA key (RSA2)")
    return key
