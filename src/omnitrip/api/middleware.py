"""Answers Django or ninja produce outside our exception handlers, made into problems, and
input no API route may see."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja.errors import ValidationError

from .problems import from_validation_error, nul_errors, problem


class ApiProblemMiddleware:
    """Under /api/: a NUL character anywhere in the path, query or headers is refused with a
    422 ``validation_error`` before any view runs (PostgreSQL cannot store or compare text
    holding NUL, so it would otherwise fail deep inside a query); a 405 from ninja's method
    dispatch becomes a problem, keeping ``Allow``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refused = self._nul_characters(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/problem+json"
        ):
            allowed = response.get("Allow", "")
            replacement = problem(
                405,
                "method_not_allowed",
                "Method not allowed",
                f"{request.method} is not allowed here; use {allowed or 'another method'}",
            )
            if allowed:
                replacement["Allow"] = allowed
            return replacement
        return response

    @staticmethod
    def _nul_characters(request: HttpRequest) -> HttpResponse | None:
        errors = nul_errors(("path",), request.path_info)
        for name, values in request.GET.lists():
            errors += nul_errors(("query", name), [name, *values])
        for name, value in request.headers.items():
            errors += nul_errors(("header", name), value)
        if not errors:
            return None
        return from_validation_error(request, ValidationError(errors))
