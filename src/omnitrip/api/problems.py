"""RFC 9457 problem details for every API error, each with a stable ``code``."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from omnitrip.core.errors import DomainError

log = logging.getLogger("omnitrip.api")

PROBLEM_TYPE = "urn:omnitrip:problem:"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    title = "Send the body as application/json"


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400
    title = "The request body is not valid JSON"


def problem(status: int, code: str, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "code": code,
        "detail": detail or title,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, default=str), status=status, content_type="application/problem+json"
    )
    if status == 409 and code == "conflict":
        response["Retry-After"] = "1"
    return response


def from_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool | None)}
    return problem(exc.status, exc.code, exc.title, exc.detail, **extra)


def from_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return problem(
        422,
        "validation_error",
        "The request is not valid",
        "See errors for each field",
        errors=errors,
    )


def from_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, DomainError):
        return from_domain_error(request, cause)
    if exc.status_code == 400 and "parse request body" in str(exc):
        return from_domain_error(request, MalformedJson())
    return problem(exc.status_code, f"http_{exc.status_code}", str(exc))


def from_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "unauthenticated", "A valid API key is required")


def from_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "not_found", "Not found")


def from_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Something went wrong on our side; nothing was changed")
