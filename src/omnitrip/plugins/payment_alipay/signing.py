"""Alipay's RSA2 signatures: SHA256withRSA (PKCS#1 v1.5), base64.

What is signed differs by direction:

* a request we send: every parameter with a non-empty value except ``sign``, sorted by
  name, written ``name=value`` and joined with ``&`` (values raw, not URL-encoded);
* an asynchronous notification Alipay sends: the same, over every parameter it sent
  except ``sign`` and ``sign_type``;
* a gateway response: the exact JSON text of the ``<method>_response`` object as it
  appears in the body, byte for byte (re-serialising would change spacing or escapes).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

SIGN_TYPE = "RSA2"


def request_content(params: Mapping[str, str]) -> str:
    """The string signed for a request: non-empty parameters except ``sign``, sorted."""
    return "&".join(
        f"{name}={value}" for name, value in sorted(params.items()) if name != "sign" and value
    )


def notification_content(params: Mapping[str, str]) -> str:
    """The string Alipay signs in a notification: all but ``sign``/``sign_type``, sorted."""
    return "&".join(
        f"{name}={value}"
        for name, value in sorted(params.items())
        if name not in ("sign", "sign_type")
    )


def sign(content: str, private_key: RSAPrivateKey) -> str:
    """Base64 SHA256withRSA signature of ``content`` (UTF-8)."""
    signature = private_key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def verify(content: str, signature: str, public_key: RSAPublicKey) -> bool:
    """Whether ``signature`` (base64) is Alipay's RSA2 signature of ``content``."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        public_key.verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except CryptoInvalidSignature:
        return False
    return True


class ResponseLayoutError(ValueError):
    """The gateway's answer is not a JSON object we can read."""


def top_level_members(raw: str) -> dict[str, str]:
    """Each top-level member of the JSON object ``raw``, mapped to its exact source text.

    Every value is decoded by the standard library to find where it ends, and the text
    between is kept as sent: that text, not a re-encoding, is what Alipay signed.
    """
    decoder = json.JSONDecoder()
    members: dict[str, str] = {}
    position = _skip_space(raw, 0)
    if raw[position : position + 1] != "{":
        raise ResponseLayoutError("The answer is not a JSON object")
    position = _skip_space(raw, position + 1)
    if raw[position : position + 1] == "}":
        return members
    while True:
        try:
            name, position = decoder.raw_decode(raw, position)
        except json.JSONDecodeError as exc:
            raise ResponseLayoutError("A member name is not valid JSON") from exc
        if not isinstance(name, str):
            raise ResponseLayoutError("A member name is not a string")
        position = _skip_space(raw, position)
        if raw[position : position + 1] != ":":
            raise ResponseLayoutError("Expected ':' after a member name")
        start = _skip_space(raw, position + 1)
        try:
            _value, end = decoder.raw_decode(raw, start)
        except json.JSONDecodeError as exc:
            raise ResponseLayoutError(f"The value of {name!r} is not valid JSON") from exc
        members[name] = raw[start:end]
        position = _skip_space(raw, end)
        separator = raw[position : position + 1]
        if separator == "}":
            break
        if separator != ",":
            raise ResponseLayoutError("Expected ',' or '}' between members")
        position = _skip_space(raw, position + 1)
    if raw[_skip_space(raw, position + 1) :]:
        raise ResponseLayoutError("Text follows the JSON object")
    return members


def _skip_space(raw: str, position: int) -> int:
    while position < len(raw) and raw[position] in " \t\r\n":
        position += 1
    return position
