"""Storefront: site-wide pages — display currency, terms of booking, privacy."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..display import DISPLAY_CURRENCIES, SESSION_KEY


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def set_currency(request: HttpRequest) -> HttpResponse:
    """Remember the display currency for this session ("" shows prices only as charged)."""
    currency = request.POST.get("currency", "").upper()
    if currency in DISPLAY_CURRENCIES:
        request.session[SESSION_KEY] = currency
    else:
        request.session.pop(SESSION_KEY, None)
    return HttpResponseRedirect(_safe_next(request))


def terms(request: HttpRequest) -> HttpResponse:
    return render(
        request, "storefront/site/terms.html", {"version": settings.OMNITRIP_TERMS_VERSION}
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/site/privacy.html")


urlpatterns: list[URLPattern] = [
    path("currency/", set_currency, name="set_currency"),
    path("terms/", terms, name="terms"),
    path("privacy/", privacy, name="privacy"),
]
