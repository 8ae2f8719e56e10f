"""Template helpers of the browse pages (``{% load browse %}``)."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from omnitrip.core.money import Money

from ..structured_data import script_tag
from .storefront import babel_locale

register = template.Library()


@register.filter
def whole_money(value: Money | None) -> str:
    """``¥1,280`` — the amount rounded to whole units, with its currency (cards, calendars)."""
    if value is None:
        return ""
    return format_currency(
        value.amount,
        value.currency,
        format="¤#,##0",
        locale=babel_locale(),
        currency_digits=False,
    )


@register.filter
def bare_amount(value: Money | None) -> str:
    """``1,280``: the rounded amount alone, where the currency is stated once nearby."""
    if value is None:
        return ""
    return format_decimal(round(value.amount), format="#,##0", locale=babel_locale())


@register.filter
def paragraphs(text: str) -> SafeString:
    """Plain text with blank lines between paragraphs → escaped ``<p>`` elements."""
    parts = [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n")]
    return format_html_join("\n", "<p>{}</p>", ((part,) for part in parts if part))


@register.filter
def stars(count: int | None) -> str:
    return "★" * int(count or 0)


@register.simple_tag
def json_ld(data: Any) -> SafeString:
    """``{% json_ld data %}``: a JSON-LD script element, escaped like ``json_script``."""
    return script_tag(data)


def _product_url(product: Any, params: dict[str, Any], *, name: str = "storefront:product") -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    url = reverse(name, args=[product.code])
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag
def day_url(product: Any, day: Any, travel: dict[str, Any], offer: Any = None) -> str:
    """The product page with this calendar day as the check-in (a hotel keeps its nights)."""
    import datetime as dt

    params: dict[str, Any] = {"check_in": day.date.isoformat()}
    if product.kind == "hotel":
        nights = 1
        if travel.get("check_in") and travel.get("check_out"):
            nights = max((travel["check_out"] - travel["check_in"]).days, 1)
        params["check_out"] = (day.date + dt.timedelta(days=nights)).isoformat()
    for name, default in (("adults", 2), ("children", 0), ("rooms", 1)):
        if travel.get(name) not in (None, default):
            params[name] = travel[name]
    url = _product_url(product, params)
    return f"{url}#offer-{offer.code}" if offer is not None else url


@register.simple_tag
def month_url(
    product: Any, offer: Any, month: Any, travel_query: dict[str, Any], fragment: bool = False
) -> str:
    """The calendar's previous/next month: the whole page (no JS) or the fragment (htmx)."""
    params = {**travel_query, "month": month.strftime("%Y-%m")}
    if fragment:
        return _product_url(product, {**params, "offer": offer.code}, name="storefront:calendar")
    return f"{_product_url(product, params)}#cal-{offer.code}"
