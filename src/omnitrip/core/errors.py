"""The base of every domain error: a stable machine ``code`` and an HTTP status.

The API turns these into RFC 9457 problem details; pages turn them into messages.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "Request cannot be processed"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    title = "Not allowed"


class Conflict(DomainError):
    """Someone else is changing the same thing right now; try again."""

    code = "conflict"
    status = 409
    title = "Concurrent change, try again"


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    title = "Invalid input"


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409
    title = "That change of status is not allowed"
