"""WeChat Pay's side of the protocol, written for the tests without the plug-in's code.

It holds the keys WeChat would (its platform key; the merchant's public key to check our
requests; the APIv3 key), signs answers and callbacks, encrypts resources with
``AESGCM`` and checks our ``Authorization`` headers. Nothing here imports the plug-in, so
a mistake in the plug-in's signing or decryption cannot cancel itself out in a test.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

API_BASE = "https://api.mch.weixin.qq.com"
MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_KEY_ID = "PUB_KEY_ID_0114232134912410000000000001"
API_V3_KEY = "Tu9Wq2Lm4Xp7Rb0Yc3Vz6Nd8Hf1Kj5Ge"  # 32 ASCII characters
_AUTHORIZATION = re.compile(r'^WECHATPAY2-SHA256-RSA2048 ((?:\w+="[^"]*",?)+)$')


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def pkcs1_sha256(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


@dataclass
class WechatSide:
    merchant_key: rsa.RSAPrivateKey
    platform_key: rsa.RSAPrivateKey
    api_v3_key: str = API_V3_KEY
    platform_key_id: str = PLATFORM_KEY_ID
    seen_authorizations: list[dict[str, str]] = field(default_factory=list)

    def settings(self, **changes: str) -> dict[str, str]:
        """A complete ``WECHATPAY`` settings dict for this merchant."""
        values = {
            "MCHID": MCHID,
            "APPID": APPID,
            "API_V3_KEY": self.api_v3_key,
            "PRIVATE_KEY": private_pem(self.merchant_key),
            "CERT_SERIAL_NO": MERCHANT_SERIAL,
            "PLATFORM_PUBLIC_KEY": public_pem(self.platform_key),
            "PLATFORM_PUBLIC_KEY_ID": self.platform_key_id,
            "API_BASE": API_BASE,
        }
        values.update(changes)
        return values

    # --- what WeChat sends ------------------------------------------------------------

    def signature_headers(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        serial: str | None = None,
    ) -> dict[str, str]:
        """``Wechatpay-*`` headers signing ``timestamp\\nnonce\\nbody\\n``."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or base64.b32encode(os.urandom(20)).decode()
        message = stamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": pkcs1_sha256(key or self.platform_key, message),
            "Wechatpay-Serial": self.platform_key_id if serial is None else serial,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def transaction(self, payment: Any, trade_state: str = "SUCCESS", **changes: Any) -> dict:
        """The decrypted ``resource`` of a payment callback, for ``payment``."""
        document: dict[str, Any] = {
            "appid": APPID,
            "mchid": MCHID,
            "out_trade_no": payment.code,
            "transaction_id": "4200000985202605200412345678",
            "trade_type": "NATIVE",
            "trade_state": trade_state,
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "attach": "",
            "success_time": "2026-05-20T13:29:35+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {
                "total": payment.amount_minor,
                "payer_total": payment.amount_minor,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        document.update(changes)
        return document

    def encrypt(
        self, plaintext: bytes, *, associated_data: str = "transaction", key: str | None = None
    ) -> dict[str, str]:
        nonce = base64.b32encode(os.urandom(10)).decode()[:12]
        sealed = AESGCM((key or self.api_v3_key).encode()).encrypt(
            nonce.encode(), plaintext, associated_data.encode()
        )
        return {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(sealed).decode(),
            "associated_data": associated_data,
            "nonce": nonce,
        }

    def callback(
        self,
        resource_document: dict,
        *,
        event_id: str = "EV-2018022511223320873",
        event_type: str = "TRANSACTION.SUCCESS",
        original_type: str = "transaction",
        encrypt_with: str | None = None,
        plaintext: bytes | None = None,
        **header_options: Any,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed callback body and its headers, the resource encrypted with AESGCM.

        ``plaintext`` replaces the JSON of ``resource_document`` byte for byte.
        """
        if plaintext is None:
            plaintext = json.dumps(resource_document, ensure_ascii=False).encode()
        resource = self.encrypt(plaintext, key=encrypt_with)
        resource["original_type"] = original_type
        envelope = {
            "id": event_id,
            "create_time": "2026-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": resource,
        }
        body = json.dumps(envelope, ensure_ascii=False).encode()
        return body, {
            "Content-Type": "application/json",
            **self.signature_headers(body, **header_options),
        }

    def answer(
        self, status: int, document: dict | None, **header_options: Any
    ) -> tuple[int, dict[str, str], bytes]:
        """A signed API answer, as a ``responses`` callback returns it."""
        body = b"" if document is None else json.dumps(document, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Request-ID": "08F78BB5AF0610D302"}
        headers.update(self.signature_headers(body, **header_options))
        return status, headers, body

    # --- what WeChat checks -----------------------------------------------------------

    def check_authorization(self, request: Any) -> dict[str, str]:
        """Verify the merchant's ``Authorization`` header the way WeChat Pay does.

        Rebuilds ``METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n`` from the request as sent
        and verifies the signature with the merchant's public key (raises if it fails).
        """
        header = request.headers["Authorization"]
        match = _AUTHORIZATION.match(header)
        assert match, header
        params = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        message = (
            f"{request.method}\n{path}\n{params['timestamp']}\n{params['nonce_str']}\n".encode()
            + body
            + b"\n"
        )
        self.merchant_key.public_key().verify(
            base64.b64decode(params["signature"]), message, padding.PKCS1v15(), hashes.SHA256()
        )
        self.seen_authorizations.append(params)
        return params
