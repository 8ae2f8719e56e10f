"""API credentials: organisation API keys (stored as SHA-256 digests) and guest order tokens."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from omnitrip.accounts.models import ApiKey
from omnitrip.core.ids import token_digest


def find_key(secret: str | None, scope: str | None = None) -> ApiKey | None:
    if not secret or not secret.startswith("otk_"):
        return None
    key = (
        ApiKey.objects.select_related("organisation")
        .filter(digest=token_digest(secret), is_active=True, organisation__is_active=True)
        .first()
    )
    if key is None or (scope and key.scope != scope):
        return None
    if key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


class SupplierBearer(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return find_key(token, ApiKey.Scope.SUPPLIER)


class SupplierHeader(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return find_key(key, ApiKey.Scope.SUPPLIER)


supplier_auth = [SupplierBearer(), SupplierHeader()]


def partner_key(request: HttpRequest) -> ApiKey | None:
    """An optional partner key: attributes orders to the partner and the ``api`` channel."""
    header = request.headers.get("Authorization", "")
    secret = (
        header[7:].strip()
        if header.lower().startswith("bearer ")
        else request.headers.get("X-Api-Key")
    )
    return find_key(secret, ApiKey.Scope.PARTNER)


def caller_scope(request: HttpRequest, key: ApiKey | None) -> str:
    """Who is calling, for scoping Idempotency-Keys."""
    if key is not None:
        return f"api-key:{key.pk}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return "anonymous"
