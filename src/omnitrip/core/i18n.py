"""Bilingual content fields (zh-Hans and en) stored side by side on a row."""

from __future__ import annotations

from django.utils import translation


def pick(obj: object, base: str, language: str | None = None) -> str:
    """``obj.<base>_zh`` for Chinese, ``obj.<base>_en`` otherwise, falling back to the other."""
    lang = (language or translation.get_language() or "en").lower()
    first, second = ("zh", "en") if lang.startswith("zh") else ("en", "zh")
    return getattr(obj, f"{base}_{first}", "") or getattr(obj, f"{base}_{second}", "") or ""
