"""Login throttling with django-axes behind allauth's sign-in.

allauth authenticates with ``authenticate(request, email=…, password=…)``; axes keys its
counters on (login name, client IP) as read here, and its lockout answer is our page.
"""

from __future__ import annotations

import math
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The login axes counts failures for: the e-mail allauth authenticates with (or a
    username, for Django's own forms), else the posted ``login`` field; case-insensitive,
    so ``Li@Example.com`` and ``li@example.com`` share one counter."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        name = request.POST.get("login", "")
    return str(name or "").strip().lower()


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP as allauth's rate limits see it (``ALLAUTH_TRUSTED_PROXY_COUNT``
    proxies in front read from X-Forwarded-For), so both throttles agree. None when the
    request has none (a sign-in made in code, e.g. ``Client.force_login``), as axes
    itself would answer."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cool_off.total_seconds() / 60))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Our page for a locked-out sign-in (429), in the page's language."""
    return render(
        request,
        "account/lockout.html",
        {"minutes": lockout_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
