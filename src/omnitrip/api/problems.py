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


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 403
    title = "Signed-in writes need the csrftoken cookie's value in an X-CSRFToken header"


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


NUL_MESSAGE = "NUL characters (\\u0000) are not allowed"


def nul_errors(loc: tuple[str | int, ...], value: Any) -> list[dict[str, Any]]:
    """Validation errors, in ninja's shape, for every NUL character in ``value``: a string,
    or JSON-like data whose keys and strings are checked at any depth."""
    if isinstance(value, str):
        return [{"loc": loc, "msg": NUL_MESSAGE, "type": "string_nul"}] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            error
            for key, item in value.items()
            for error in nul_errors((*loc, key), key) + nul_errors((*loc, key), item)
        ]
    if isinstance(value, list | tuple):
        return [error for i, item in enumerate(value) for error in nul_errors((*loc, i), item)]
    return []


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
    if isinstance(cause, ValidationError):  # raised by the body parser, which ninja wraps
        return from_validation_error(request, cause)
    if exc.status_code == 400 and "parse request body" in str(exc):
        return from_domain_error(request, MalformedJson())
    if exc.status_code == 403 and "CSRF" in str(exc):
        # ninja's session auth refuses a cookie-authenticated write without the CSRF token.
        return from_domain_error(request, CsrfFailed())
    return problem(exc.status_code, f"http_{exc.status_code}", str(exc))


def from_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "unauthenticated", "A valid API key is required")


def from_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "not_found", "Not found")


def from_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Something went wrong on our side; nothing was changed")
