"""The traveller's pages, mounted under a language prefix (/en/, /zh-hans/) by omnitrip.urls."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from .views import account, browse, checkout, product, site, trips

app_name = "storefront"

urlpatterns: list[URLPattern | URLResolver] = [
    *browse.urlpatterns,
    *product.urlpatterns,
    *checkout.urlpatterns,
    *trips.urlpatterns,
    *account.urlpatterns,
    *site.urlpatterns,
]
