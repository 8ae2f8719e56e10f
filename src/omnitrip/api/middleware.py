"""Answers Django or ninja produce outside our exception handlers, made into problems."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import problem


class ApiProblemMiddleware:
    """A 405 from ninja's method dispatch under /api/ becomes a problem, keeping ``Allow``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/problem+json")
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
