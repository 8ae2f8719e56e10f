"""API v1: /api/v1, spec at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from omnitrip.core.errors import DomainError

from . import problems
from .endpoints import catalog, orders, supplier, webhooks


class JsonOnlyParser(Parser):
    """Refuse bodies that are not declared as JSON (a 415, not a guess)."""

    def parse_body(self, request: HttpRequest):
        content_type = request.content_type or ""
        if content_type not in ("application/json", "") and not content_type.endswith("+json"):
            raise problems.UnsupportedMediaType(f"Content-Type {content_type} is not supported")
        return super().parse_body(request)


api = NinjaAPI(
    title="omnitrip API",
    version="1.0.0",
    description="Search, quote, book, pay, cancel and redeem. Errors are RFC 9457 problem details "
    "with a stable `code`.",
    urls_namespace="api-v1",
    parser=JsonOnlyParser(),
)
api.add_exception_handler(DomainError, problems.from_domain_error)
api.add_exception_handler(ValidationError, problems.from_validation_error)
api.add_exception_handler(AuthenticationError, problems.from_authentication_error)
api.add_exception_handler(HttpError, problems.from_http_error)
api.add_exception_handler(Exception, problems.from_unexpected)
for module in (catalog, orders, supplier, webhooks):
    api.add_router("", module.router)
