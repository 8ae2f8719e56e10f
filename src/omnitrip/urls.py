from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from omnitrip.api.router import api
from omnitrip.core.health import healthz
from omnitrip.storefront.views import seo

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("pay/sandbox/", include("omnitrip.plugins.payment_sandbox.urls")),
    *seo.urlpatterns,
]
# The traveller's pages carry their language in the path (/en/…, /zh-hans/…) so each
# language has its own URL to link, share and index (hreflang); "/" redirects by the
# browser's Accept-Language.
urlpatterns += i18n_patterns(
    path("", include("omnitrip.storefront.urls")),
    # Sign-up, sign-in, password reset, e-mail and two-factor pages (django-allauth): not
    # namespaced, allauth reverses its own names (account_login, mfa_index, …).
    path("accounts/", include("allauth.urls")),
)

if not settings.PRODUCTION:
    # Embedded mode serves uploaded media itself; production puts a web server or object
    # store in front (docs/operations.md).
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]


def handler404(request, exception=None):
    """Unknown URLs under /api/ answer as problems; elsewhere Django's page."""
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        from omnitrip.api.problems import problem

        return problem(404, "not_found", "Not found", f"No API route {request.path}")
    return page_not_found(request, exception)
