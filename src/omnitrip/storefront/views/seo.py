"""Storefront: what search engines read outside the language prefixes — robots.txt and
sitemap.xml (mounted at the site root by omnitrip.urls)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
