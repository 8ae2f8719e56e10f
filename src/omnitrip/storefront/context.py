"""Template context every storefront page gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .display import DISPLAY_CURRENCIES, display_currency


def storefront(request: HttpRequest) -> dict[str, Any]:
    return {
        "display_currency": display_currency(request),
        "display_currencies": DISPLAY_CURRENCIES,
        "public_base_url": settings.PUBLIC_BASE_URL,
        "terms_version": settings.OMNITRIP_TERMS_VERSION,
    }
