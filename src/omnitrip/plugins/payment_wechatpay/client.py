"""Signed calls to the WeChat Pay API v3, with every successful answer verified.

Each request is signed with the merchant key (see :mod:`.signatures`). A 2xx answer is
trusted only once its ``Wechatpay-Signature`` verifies with the WeChat Pay public key and
its timestamp is fresh; otherwise :class:`UnverifiedResponse`. An error answer (4xx) is
returned unverified: callers use it only to report a failure, never to record success.
Network failures, 429 and 5xx raise :class:`ProviderError`, which callers treat as
"try again later".
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings

from omnitrip.payments.errors import InvalidSignature, ProviderError

from . import signatures
from .config import WechatPayConfig
from .errors import UnverifiedResponse

# WeChat Pay refuses requests without a User-Agent.
USER_AGENT = "omnitrip-wechatpay/1"
# (connect, read) seconds: a payer is waiting on start; a refund is retried anyway.
TIMEOUT = (5, 20)
# 429 means "too many requests": not a refusal of this request, so retry like a 5xx.
_RETRYABLE = 429


@dataclass(frozen=True)
class ApiResponse:
    status: int
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str:
        code = self.data.get("code")
        return code if isinstance(code, str) else ""

    @property
    def error_message(self) -> str:
        message = self.data.get("message")
        return message if isinstance(message, str) else ""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes) -> Any:
    """JSON with exact numbers: a decimal in the text becomes ``Decimal``, never a float."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)


def dump_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class WechatPayClient:
    def __init__(self, config: WechatPayConfig) -> None:
        self.config = config

    def request(
        self, method: str, url_path: str, document: Mapping[str, Any] | None = None
    ) -> ApiResponse:
        """Send one signed request; ``url_path`` is the path plus any query, as signed."""
        body = dump_json(document) if document is not None else b""
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": signatures.authorization(
                mchid=self.config.mchid,
                serial_no=self.config.cert_serial_no,
                private_key=self.config.private_key,
                method=method,
                url_path=url_path,
                body=body,
                timestamp=int(time.time()),
                nonce=signatures.new_nonce(),
            ),
        }
        if document is not None:
            headers["Content-Type"] = "application/json"
        if self.config.platform_public_key_id:
            # Tells WeChat Pay which of its keys we verify with (public-key mode).
            headers["Wechatpay-Serial"] = self.config.platform_public_key_id
        try:
            response = requests.request(
                method,
                self.config.api_base + url_path,
                data=body or None,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise ProviderError(f"WeChat Pay could not be reached: {type(exc).__name__}") from exc
        return self._read(response)

    def _read(self, response: requests.Response) -> ApiResponse:
        raw = response.content
        if response.status_code >= 500 or response.status_code == _RETRYABLE:
            data = self._error_document(raw)
            raise ProviderError(
                f"WeChat Pay answered {response.status_code} {data.get('code', '')}".strip(),
                vendor_status=response.status_code,
                vendor_code=str(data.get("code", ""))[:64],
            )
        if not 200 <= response.status_code < 300:
            return ApiResponse(response.status_code, self._error_document(raw))
        try:
            signatures.verify(
                raw,
                response.headers,
                public_key=self.config.platform_public_key,
                expected_serial=self.config.platform_public_key_id,
                tolerance=settings.WEBHOOK_TOLERANCE_SECONDS,
                now=time.time(),
            )
        except InvalidSignature as exc:
            raise UnverifiedResponse(
                f"WeChat Pay's {response.status_code} answer failed verification: {exc.detail}"
            ) from exc
        if not raw:
            return ApiResponse(response.status_code, {})
        try:
            data = load_json(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProviderError("WeChat Pay's answer is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError("WeChat Pay's answer is not a JSON object")
        return ApiResponse(response.status_code, data)

    @staticmethod
    def _error_document(raw: bytes) -> Mapping[str, Any]:
        try:
            data = load_json(raw) if raw else {}
        except (UnicodeDecodeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
