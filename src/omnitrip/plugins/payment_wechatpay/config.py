"""WeChat Pay configuration: ``settings.WECHATPAY`` turned into loaded keys.

Keys are PEM text inline (an environment variable may carry ``\\n`` escapes) or a path to
a PEM file. ``PLATFORM_PUBLIC_KEY`` is the "WeChat Pay public key" (``pub_key.pem``, id
``PUB_KEY_ID_…``) or, for merchants still on platform certificates, the certificate
itself; for a certificate with no ``PLATFORM_PUBLIC_KEY_ID`` the id is its serial number.
Parsed keys are cached per configuration value, so a request does not re-read PEM files.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Without every one of these the providers stay disabled.
REQUIRED = ("MCHID", "APPID", "API_V3_KEY", "PRIVATE_KEY", "CERT_SERIAL_NO", "PLATFORM_PUBLIC_KEY")
DEFAULT_API_BASE = "https://api.mch.weixin.qq.com"
# AEAD_AES_256_GCM takes a 256-bit key: WeChat's APIv3 key is 32 ASCII characters.
API_V3_KEY_BYTES = 32
MINIMUM_RSA_BITS = 2048


@dataclass(frozen=True)
class WechatPayConfig:
    mchid: str
    appid: str
    api_v3_key: bytes
    private_key: RSAPrivateKey
    cert_serial_no: str
    platform_public_key: RSAPublicKey
    # Empty means "not pinned": any Wechatpay-Serial is accepted if the signature holds.
    platform_public_key_id: str
    api_base: str


def _values() -> Mapping[str, Any]:
    values = getattr(settings, "WECHATPAY", None)
    return values if isinstance(values, Mapping) else {}


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def is_configured() -> bool:
    """Whether every required setting is present. No I/O: keys are not loaded here."""
    values = _values()
    return all(_text(values, name) for name in REQUIRED)


def current_config() -> WechatPayConfig:
    """The loaded configuration; ``ImproperlyConfigured`` names what is missing or wrong."""
    values = _values()
    missing = [name for name in REQUIRED if not _text(values, name)]
    if missing:
        raise ImproperlyConfigured(f"WECHATPAY is missing {', '.join(missing)}")
    return _load(
        _text(values, "MCHID"),
        _text(values, "APPID"),
        _text(values, "API_V3_KEY"),
        _text(values, "PRIVATE_KEY"),
        _text(values, "CERT_SERIAL_NO"),
        _text(values, "PLATFORM_PUBLIC_KEY"),
        _text(values, "PLATFORM_PUBLIC_KEY_ID"),
        (_text(values, "API_BASE") or DEFAULT_API_BASE).rstrip("/"),
    )


@functools.lru_cache(maxsize=8)
def _load(
    mchid: str,
    appid: str,
    api_v3_key: str,
    private_key: str,
    cert_serial_no: str,
    platform_key: str,
    platform_key_id: str,
    api_base: str,
) -> WechatPayConfig:
    key_bytes = api_v3_key.encode()
    if len(key_bytes) != API_V3_KEY_BYTES:
        raise ImproperlyConfigured(
            f"WECHATPAY API_V3_KEY must be {API_V3_KEY_BYTES} bytes, not {len(key_bytes)}"
        )
    public_key, certificate_serial = _platform_key(_pem(platform_key, "PLATFORM_PUBLIC_KEY"))
    return WechatPayConfig(
        mchid=mchid,
        appid=appid,
        api_v3_key=key_bytes,
        private_key=_private_key(_pem(private_key, "PRIVATE_KEY")),
        # WeChat prints serial numbers in upper-case hex; the header value must match it.
        cert_serial_no=cert_serial_no.upper(),
        platform_public_key=public_key,
        platform_public_key_id=platform_key_id or certificate_serial,
        api_base=api_base,
    )


def _pem(value: str, name: str) -> bytes:
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n").encode()
    path = Path(value)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"WECHATPAY {name} is neither PEM text nor a readable file: {exc}"
        ) from exc


def _private_key(pem: bytes) -> RSAPrivateKey:
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"WECHATPAY PRIVATE_KEY is not a PEM private key: {exc}"
        ) from exc
    if not isinstance(key, RSAPrivateKey) or key.key_size < MINIMUM_RSA_BITS:
        raise ImproperlyConfigured("WECHATPAY PRIVATE_KEY must be an RSA key of 2048 bits or more")
    return key


def _platform_key(pem: bytes) -> tuple[RSAPublicKey, str]:
    """The public key, and the certificate's serial when a certificate was given."""
    serial = ""
    try:
        if b"BEGIN CERTIFICATE" in pem:
            certificate = x509.load_pem_x509_certificate(pem)
            key: Any = certificate.public_key()
            serial = format(certificate.serial_number, "X")
        else:
            key = load_pem_public_key(pem)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"WECHATPAY PLATFORM_PUBLIC_KEY is not a PEM public key or certificate: {exc}"
        ) from exc
    if not isinstance(key, RSAPublicKey) or key.key_size < MINIMUM_RSA_BITS:
        raise ImproperlyConfigured("WECHATPAY PLATFORM_PUBLIC_KEY must be an RSA key (2048+ bits)")
    return key, serial
