"""Template tags for the storefront: bilingual fields, money with its currency, the same page
in the other language, and absolute URLs for canonical links."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from omnitrip.core.i18n import pick as pick_field
from omnitrip.core.money import Money

from ..display import converted

register = template.Library()


def babel_locale() -> str:
    """Babel's name for the active language: ``zh_Hans_CN`` or ``en``."""
    return "zh_Hans_CN" if (translation.get_language() or "en").startswith("zh") else "en"


@register.filter
def pick(obj: object, base: str) -> str:
    """``{{ product|pick:"title" }}``: the Chinese or English field for the active language."""
    return pick_field(obj, base)


@register.filter
def money(value: Money | None) -> str:
    """``{{ total|money }}``: the amount with its currency, in the active language's format."""
    if value is None:
        return ""
    return value.format(babel_locale())


@register.simple_tag
def minor_money(amount_minor: int, currency: str) -> str:
    """``{% minor_money order.total_minor order.currency %}``."""
    return Money(int(amount_minor), currency).format(babel_locale())


@register.simple_tag(takes_context=True)
def in_display_currency(context: dict[str, Any], value: Money | None) -> str:
    """``≈ US$12.34`` in the traveller's display currency, or "" when there is none."""
    if value is None:
        return ""
    shown = converted(value, context.get("display_currency"))
    return f"≈ {shown.format(babel_locale())}" if shown is not None else ""


@register.simple_tag(takes_context=True)
def alternate_url(context: dict[str, Any], language: str) -> str:
    """This page (path and query) in ``language``: the language switch and ``hreflang``."""
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.filter
def absolute(path: str) -> str:
    """``{{ path|absolute }}``: the public URL (PUBLIC_BASE_URL) of a site path."""
    return f"{settings.PUBLIC_BASE_URL}{path}"
