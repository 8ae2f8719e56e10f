"""Storefront: what search engines read outside the language prefixes — robots.txt and
sitemap.xml (mounted at the site root by omnitrip.urls).

The sitemap lists every page in both languages, each entry naming its other-language
twin with ``xhtml:link`` (hreflang). Past ``URLS_PER_SITEMAP`` entries ``/sitemap.xml``
becomes a sitemap index of numbered parts (the protocol allows 50,000 URLs per file).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from omnitrip.catalog.models import Destination, Product, ProductStatus

LANGUAGES = (("en", "en"), ("zh-hans", "zh-Hans"))  # URL prefix, hreflang
URLS_PER_SITEMAP = 40_000  # entries (each page twice: one per language)
DISALLOWED = ("/admin/", "/api/", "/pay/", "/*/checkout/", "/*/trips/", "/*/account/")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in DISALLOWED]
    lines.append(f"Sitemap: {settings.PUBLIC_BASE_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _pages() -> Iterator[tuple[str, tuple]]:
    """(url name, args) of every page worth indexing, in a stable order."""
    yield "storefront:home", ()
    yield "storefront:search", ()
    for code in Destination.objects.order_by("path").values_list("code", flat=True).iterator():
        yield "storefront:destination", (code,)
    products = Product.objects.filter(status=ProductStatus.PUBLISHED).order_by("pk")
    for code in products.values_list("code", flat=True).iterator():
        yield "storefront:product", (code,)


def _page_count() -> int:
    return (
        2
        + Destination.objects.count()
        + Product.objects.filter(status=ProductStatus.PUBLISHED).count()
    )


def _localised(name: str, args: tuple) -> dict[str, str]:
    urls = {}
    for prefix, _hreflang in LANGUAGES:
        with translation.override(prefix):
            urls[prefix] = f"{settings.PUBLIC_BASE_URL}{reverse(name, args=args)}"
    return urls


def _urlset(first: int, last: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    for index, (name, args) in enumerate(_pages()):
        if index < first:
            continue
        if index >= last:
            break
        urls = _localised(name, args)
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} '
            f"href={quoteattr(urls[prefix])}/>"
            for prefix, hreflang in LANGUAGES
        ) + (f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(urls["en"])}/>')
        for prefix, _hreflang in LANGUAGES:
            yield f"<url><loc>{escape(urls[prefix])}</loc>{alternates}</url>\n"
    yield "</urlset>\n"


PAGES_PER_SITEMAP = URLS_PER_SITEMAP // len(LANGUAGES)


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    total = _page_count()
    if total <= PAGES_PER_SITEMAP:
        return StreamingHttpResponse(_urlset(0, total), content_type="application/xml")
    parts = -(-total // PAGES_PER_SITEMAP)
    body = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    body.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    for number in range(1, parts + 1):
        loc = f"{settings.PUBLIC_BASE_URL}{reverse('sitemap_part', args=[number])}"
        body.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n")
    body.append("</sitemapindex>\n")
    return HttpResponse("".join(body), content_type="application/xml")


@require_GET
def sitemap_part(request: HttpRequest, number: int) -> StreamingHttpResponse:
    first = (number - 1) * PAGES_PER_SITEMAP
    if number < 1 or first >= _page_count():
        raise Http404("No such sitemap")
    return StreamingHttpResponse(
        _urlset(first, first + PAGES_PER_SITEMAP), content_type="application/xml"
    )


urlpatterns: list[URLPattern] = [
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", sitemap_part, name="sitemap_part"),
]
