"""API v1: /api/v1, spec at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from omnitrip.core.errors import DomainError

from . import problems
from .endpoints import catalog, money, orders, supplier, webhooks


class JsonOnlyParser(Parser):
    """Refuse bodies that are not declared as JSON (a 415, not a guess), and JSON holding NUL
    characters (a 422: PostgreSQL cannot store or compare text with NUL in it)."""

    def parse_body(self, request: HttpRequest):
        content_type = request.content_type or ""
        if content_type not in ("application/json", "") and not content_type.endswith("+json"):
            raise problems.UnsupportedMediaType(f"Content-Type {content_type} is not supported")
        data = super().parse_body(request)
        errors = problems.nul_errors(("body",), data)
        if errors:
            raise ValidationError(errors)
        return data


E = TypeVar("E", bound=Exception)


def _handler(
    func: Callable[[HttpRequest, E], HttpResponse],
) -> Callable[[HttpRequest, E | type[E]], HttpResponse]:
    """django-ninja types a handler's argument as the exception or its class; it passes
    the raised instance, which is what the handlers in :mod:`.problems` take."""
    return cast("Callable[[HttpRequest, E | type[E]], HttpResponse]", func)


class OmnitripAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are documented with the media type we send: application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if (
                        str(status).isdigit()
                        and int(status) >= 400
                        and "application/json" in content
                    ):
                        content["application/problem+json"] = content.pop("application/json")
        return schema


api = OmnitripAPI(
    title="omnitrip API",
    version="1.0.0",
    description="Search, quote, book, pay, cancel and redeem. Errors are RFC 9457 problem details "
    "with a stable `code`.",
    urls_namespace="api-v1",
    parser=JsonOnlyParser(),
)
api.add_exception_handler(DomainError, _handler(problems.from_domain_error))
api.add_exception_handler(ValidationError, _handler(problems.from_validation_error))
api.add_exception_handler(AuthenticationError, _handler(problems.from_authentication_error))
api.add_exception_handler(HttpError, _handler(problems.from_http_error))
api.add_exception_handler(Exception, _handler(problems.from_unexpected))
for module in (catalog, orders, money, supplier, webhooks):
    api.add_router("", module.router)
