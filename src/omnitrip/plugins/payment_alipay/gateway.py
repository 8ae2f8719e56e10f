"""Requests to Alipay's openapi gateway: signed parameters, page URLs and server calls.

Every request carries the common parameters (``app_id``, ``method``, ``format``,
``charset``, ``sign_type``, ``timestamp``, ``version``), optional ``notify_url`` /
``return_url``, and the method's own parameters as one JSON text in ``biz_content``;
``sign`` covers all of them. Server-to-server calls put the common parameters in the
query string and ``biz_content`` in a form-encoded POST body (as Alipay's own SDKs do),
and only answers whose signature verifies with Alipay's public key are believed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests
from django.utils import timezone

from omnitrip.payments.errors import ProviderError

from . import signing
from .config import Credentials
from .errors import UnverifiedResponse

#: Alipay reads ``timestamp`` and ``time_expire`` as Beijing time.
ALIPAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: (connect, read) seconds: a refund task retries, so failing fast costs nothing.
TIMEOUT = (5, 20)

SUCCESS = "10000"
SERVICE_UNAVAILABLE = "20000"
BUSINESS_FAILED = "40004"


def alipay_time(moment: dt.datetime) -> str:
    """An aware datetime as Alipay's ``yyyy-MM-dd HH:mm:ss`` Beijing wall-clock time."""
    return moment.astimezone(ALIPAY_TIME_ZONE).strftime(TIME_FORMAT)


def biz_content_text(biz_content: Mapping[str, Any]) -> str:
    # Compact and with Chinese kept as is: what we sign is what Alipay receives.
    return json.dumps(biz_content, ensure_ascii=False, separators=(",", ":"))


def signed_params(
    credentials: Credentials,
    method: str,
    biz_content: Mapping[str, Any],
    *,
    notify_url: str = "",
    return_url: str = "",
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """The complete parameter set of one request, ``sign`` included."""
    params = {
        "app_id": credentials.app_id,
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": signing.SIGN_TYPE,
        "timestamp": alipay_time(now or timezone.now()),
        "version": "1.0",
        "biz_content": biz_content_text(biz_content),
    }
    if notify_url:
        params["notify_url"] = notify_url
    if return_url:
        params["return_url"] = return_url
    params["sign"] = signing.sign(signing.request_content(params), credentials.private_key)
    return params


def page_url(credentials: Credentials, params: Mapping[str, str]) -> str:
    """The GET form of a signed page request: where the payer's browser is sent."""
    return f"{credentials.gateway}?{urlencode(params)}"


def call(
    credentials: Credentials,
    method: str,
    biz_content: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """POST one request and return the verified ``<method>_response`` object.

    Raises :class:`ProviderError` when the gateway cannot be reached, answers with an
    HTTP error or with something that is not its JSON, and :class:`UnverifiedResponse`
    when the answer is unsigned or its signature does not verify. Business outcomes
    (``code`` other than 10000) are returned for the caller to judge.
    """
    params = signed_params(credentials, method, biz_content, now=now)
    body = {"biz_content": params.pop("biz_content")}
    try:
        response = requests.post(
            credentials.gateway,
            params=params,
            data=urlencode(body).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ProviderError(f"Alipay {method}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise ProviderError(f"Alipay {method}: HTTP {response.status_code}")
    try:
        raw = response.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProviderError(f"Alipay {method}: the answer is not UTF-8") from exc
    return verified_response(credentials, method, raw)


def verified_response(credentials: Credentials, method: str, raw: str) -> dict[str, Any]:
    """The ``<method>_response`` object of ``raw`` once its signature has verified."""
    response_name = method.replace(".", "_") + "_response"
    try:
        members = signing.top_level_members(raw)
    except signing.ResponseLayoutError as exc:
        raise ProviderError(f"Alipay {method}: {exc}") from exc
    content = members.get(response_name) or members.get("error_response")
    if content is None:
        raise ProviderError(f"Alipay {method}: the answer has no {response_name}")
    result = json.loads(content)
    if not isinstance(result, dict):
        raise ProviderError(f"Alipay {method}: {response_name} is not an object")
    signature_text = members.get("sign")
    signature = json.loads(signature_text) if signature_text else ""
    if not isinstance(signature, str) or not signature:
        # Alipay leaves some gateway-level errors (bad app id, bad request signature)
        # unsigned: say what it said, but act on none of it.
        raise UnverifiedResponse(
            f"Alipay {method} answered unsigned: {describe(result)}",
            alipay_code=str(result.get("code", "")),
        )
    if not signing.verify(content, signature, credentials.alipay_public_key):
        raise UnverifiedResponse(f"Alipay {method}: the answer's signature does not verify")
    return result


def describe(result: Mapping[str, Any]) -> str:
    """``code sub_code: sub_msg`` of an Alipay answer, for events and logs."""
    parts = [str(result.get("code", "")), str(result.get("sub_code", ""))]
    message = str(result.get("sub_msg") or result.get("msg") or "")
    return f"{' '.join(part for part in parts if part)}: {message}".strip(": ")


def is_retryable(result: Mapping[str, Any]) -> bool:
    """Alipay's answers that mean "try again with the same request"."""
    return result.get("code") == SERVICE_UNAVAILABLE or result.get("sub_code") in (
        "ACQ.SYSTEM_ERROR",
        "aop.ACQ.SYSTEM_ERROR",
    )
