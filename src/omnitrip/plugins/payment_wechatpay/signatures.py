"""WeChat Pay API v3 signatures, both ways (SHA256 with RSA, PKCS#1 v1.5, base64).

Our requests: the ``Authorization`` header carries the scheme ``WECHATPAY2-SHA256-RSA2048``
and ``mchid``, ``nonce_str``, ``signature``, ``timestamp``, ``serial_no``; the signature
covers five lines, each ending in ``\\n``: method, URL path with its query, timestamp,
nonce, body (empty for a GET).

WeChat's answers and callbacks: ``Wechatpay-Timestamp``, ``Wechatpay-Nonce``,
``Wechatpay-Signature`` and ``Wechatpay-Serial`` headers; the signature covers three
lines, timestamp, nonce and the raw body, and is checked with the WeChat Pay public key
named by the serial.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature as BadRsaSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from omnitrip.payments.errors import InvalidSignature

SCHEME = "WECHATPAY2-SHA256-RSA2048"
TIMESTAMP_HEADER = "Wechatpay-Timestamp"
NONCE_HEADER = "Wechatpay-Nonce"
SIGNATURE_HEADER = "Wechatpay-Signature"
SERIAL_HEADER = "Wechatpay-Serial"
SIGNATURE_TYPE_HEADER = "Wechatpay-Signature-Type"
_NONCE_ALPHABET = string.ascii_uppercase + string.digits
# An RSA-2048 signature is 256 bytes, about 344 base64 characters; anything much longer
# is not a signature and is refused before any decoding work.
_MAX_SIGNATURE_CHARS = 1_024


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup (``request.headers``, a plain dict, ``requests`` headers).

    ``_`` and ``-`` are treated alike, so ``WECHATPAY_NONCE`` finds ``Wechatpay-Nonce``.
    """
    wanted = name.lower().replace("_", "-")
    for key, value in headers.items():
        if key.lower().replace("_", "-") == wanted:
            return value
    return None


def new_nonce() -> str:
    """32 random upper-case letters and digits, as WeChat's examples use."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(32))


def request_message(method: str, url_path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The five signed lines of a request. ``url_path`` is the path plus any ``?query``."""
    head = f"{method.upper()}\n{url_path}\n{timestamp}\n{nonce}\n".encode()
    return head + body + b"\n"


def response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The three signed lines of an answer or a callback, over the body's exact bytes."""
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def rsa_sign(private_key: RSAPrivateKey, message: bytes) -> str:
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def authorization(
    *,
    mchid: str,
    serial_no: str,
    private_key: RSAPrivateKey,
    method: str,
    url_path: str,
    body: bytes,
    timestamp: int,
    nonce: str,
) -> str:
    """The ``Authorization`` header value for one request."""
    signature = rsa_sign(private_key, request_message(method, url_path, timestamp, nonce, body))
    return (
        f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def verify(
    body: bytes,
    headers: Mapping[str, str],
    *,
    public_key: RSAPublicKey,
    expected_serial: str,
    tolerance: int,
    now: float,
) -> None:
    """Accept ``body`` only if WeChat Pay signed it, recently, with the key we pinned.

    Raises :class:`InvalidSignature` when a header is missing, the timestamp is not a
    number or is more than ``tolerance`` seconds from ``now`` either way (a replay, or a
    clock far off), ``Wechatpay-Serial`` is not ``expected_serial`` (when one is
    configured), or the signature does not verify. WeChat's signature probes (values
    starting ``WECHATPAY/SIGNTEST/``) fail here like any other forgery, as they must.
    """
    timestamp = header_value(headers, TIMESTAMP_HEADER)
    nonce = header_value(headers, NONCE_HEADER)
    signature = header_value(headers, SIGNATURE_HEADER)
    serial = header_value(headers, SERIAL_HEADER)
    missing = [
        name
        for name, value in (
            (TIMESTAMP_HEADER, timestamp),
            (NONCE_HEADER, nonce),
            (SIGNATURE_HEADER, signature),
            (SERIAL_HEADER, serial),
        )
        if not value
    ]
    if missing or timestamp is None or nonce is None or signature is None or serial is None:
        raise InvalidSignature(f"Missing {', '.join(missing)} header")
    signature_type = header_value(headers, SIGNATURE_TYPE_HEADER)
    if signature_type and signature_type != SCHEME:
        raise InvalidSignature(f"Unsupported signature type {signature_type[:40]!r}")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise InvalidSignature("The signature timestamp is not a number")
    if abs(now - int(timestamp)) > tolerance:
        raise InvalidSignature("The signature timestamp is outside the accepted window")
    if expected_serial and serial.strip().upper() != expected_serial.upper():
        raise InvalidSignature("The notification is signed with a key we do not know")
    if len(signature) > _MAX_SIGNATURE_CHARS:
        raise InvalidSignature("The signature does not match the body")
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        public_key.verify(
            raw_signature,
            response_message(timestamp, nonce, body),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (binascii.Error, ValueError, BadRsaSignature) as exc:
        raise InvalidSignature("The signature does not match the body") from exc
