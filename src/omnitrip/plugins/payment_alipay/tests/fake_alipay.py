"""Alipay's side of the protocol, written again for the tests from Alipay's documentation.

Nothing here imports the plug-in's signing code: signatures are made and checked with
``cryptography`` directly, over canonical strings rebuilt here, so a mistake in the
plug-in cannot be mirrored by the tests that check it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

APP_ID = "2021004100000001"
SELLER_ID = "2088102100000001"
GATEWAY = "https://openapi.alipay.test/gateway.do"
BASE_URL = "https://shop.example"


@dataclass(frozen=True)
class Keys:
    merchant: rsa.RSAPrivateKey  # ours: signs our requests
    alipay: rsa.RSAPrivateKey  # Alipay's: signs notifications and gateway answers
    stranger: rsa.RSAPrivateKey  # someone forging Alipay's signature


def new_keys() -> Keys:
    def make() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    return Keys(merchant=make(), alipay=make(), stranger=make())


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


def public_base64(key: rsa.RSAPrivateKey) -> str:
    """The one-line form Alipay's console shows: base64 DER without PEM armour."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def settings_for(keys: Keys, **changes: str) -> dict[str, str]:
    values = {
        "APP_ID": APP_ID,
        "PRIVATE_KEY": private_pem(keys.merchant),
        "ALIPAY_PUBLIC_KEY": public_pem(keys.alipay),
        "GATEWAY": GATEWAY,
    }
    values.update(changes)
    return values


# --- RSA2, independently ------------------------------------------------------------


def rsa2_sign(key: rsa.RSAPrivateKey, text: str) -> str:
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa2_valid(key: rsa.RSAPrivateKey, text: str, signature: str) -> bool:
    try:
        key.public_key().verify(
            base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True


def request_string(params: dict[str, str]) -> str:
    """What a merchant signs: non-empty parameters except sign, sorted, k=v joined by &."""
    kept = sorted((k, v) for k, v in params.items() if k != "sign" and v != "")
    return "&".join(k + "=" + v for k, v in kept)


def notification_string(params: dict[str, str]) -> str:
    """What Alipay signs in a notification: everything but sign and sign_type."""
    kept = sorted((k, v) for k, v in params.items() if k not in {"sign", "sign_type"})
    return "&".join(k + "=" + v for k, v in kept)


# --- what Alipay sends ----------------------------------------------------------------


def notification(
    keys: Keys,
    *,
    out_trade_no: str,
    total_amount: str,
    trade_status: str = "TRADE_SUCCESS",
    notify_id: str = "2024050100222120000000000000000001",
    sign_with: rsa.RSAPrivateKey | None = None,
    **changes: str,
) -> dict[str, str]:
    """A trade status notification as Alipay posts it, signed with Alipay's key."""
    params = {
        "gmt_create": "2024-05-01 12:00:00",
        "charset": "utf-8",
        "seller_email": "shop@example.com",
        "subject": "OT-TEST 滇池一日游",
        "sign_type": "RSA2",
        "buyer_id": "2088002000000001",
        "invoice_amount": total_amount,
        "notify_id": notify_id,
        "fund_bill_list": json.dumps([{"amount": total_amount, "fundChannel": "ALIPAYACCOUNT"}]),
        "notify_type": "trade_status_sync",
        "trade_status": trade_status,
        "receipt_amount": total_amount,
        "buyer_pay_amount": total_amount,
        "app_id": APP_ID,
        "notify_time": "2024-05-01 12:00:05",
        "point_amount": "0.00",
        "version": "1.0",
        "out_trade_no": out_trade_no,
        "total_amount": total_amount,
        "trade_no": "2024050122001400000000000001",
        "auth_app_id": APP_ID,
        "buyer_logon_id": "li***@example.com",
        "seller_id": SELLER_ID,
        "gmt_payment": "2024-05-01 12:00:04",
    }
    params.update(changes)
    params["sign"] = rsa2_sign(sign_with or keys.alipay, notification_string(params))
    return params


def form(params: dict[str, str]) -> bytes:
    return urlencode(params).encode()


def gateway_answer(
    method: str,
    result: dict[str, object],
    *,
    key: rsa.RSAPrivateKey | None,
    signature: str | None = None,
) -> str:
    """A gateway body: the response object's exact text, signed; unsigned when no key."""
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    name = method.replace(".", "_") + "_response"
    if key is None and signature is None:
        return f'{{"{name}":{text}}}'
    sign = signature if signature is not None else rsa2_sign(key, text)  # type: ignore[arg-type]
    return f'{{"{name}":{text},"sign":"{sign}"}}'


def sent_params(url: str, body: bytes | str | None) -> dict[str, str]:
    """All parameters of a request we sent: query string and form body together."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    if body:
        text = body.decode() if isinstance(body, bytes) else body
        params.update(parse_qsl(text, keep_blank_values=True))
    return params
