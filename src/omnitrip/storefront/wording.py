"""Commercial terms in plain words, in Simplified Chinese or English.

The product page, the checkout and My trips show a rate's cancellation terms the same
way, so the sentences live here once. Like ``fulfilment.wording`` (the vouchers), the
texts are kept side by side in both languages rather than in gettext catalogues: the
numbers are woven into the grammar differently in each language, and a page about an
order may be written in the order's language whatever the request's language is.

``cancellation_terms(policy, language)`` reads ``CancellationPolicy.rules``: cancelling
at least ``days_before`` days before the service date (in the product's time zone) costs
``penalty_percent`` of the price; the step with the largest ``days_before`` that still
applies wins; when none applies — or the service has started — nothing is refunded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal

from django.utils import translation

Language = Literal["zh", "en"]

# The moment a penalty is counted from, per product kind:
# (English "… before X", English "the day of X", Chinese prefix).
_SERVICE: dict[str, tuple[str, str, str]] = {
    "hotel": ("arrival", "the day of arrival", "入住"),
    "tour": ("departure", "the day of departure", "出发"),
    "transport": ("departure", "the day of departure", "出发"),
    "attraction": ("your visit", "the day of your visit", "使用"),
}
_DEFAULT_SERVICE = ("the service date", "the service date", "服务日期")


def language_of(value: str | None = None) -> Language:
    """``"zh"`` for any Chinese code (``zh-hans``, ``zh_CN``), else ``"en"``; ``None`` → active."""
    code = value if value is not None else translation.get_language()
    return "zh" if (code or "").lower().startswith("zh") else "en"


def _policy_parts(policy_or_rules: Any) -> tuple[str, list[Mapping[str, Any]]] | None:
    """(kind, rules) from a ``CancellationPolicy``, its ``snapshot()`` dict or a rules list."""
    if policy_or_rules is None:
        return None
    if isinstance(policy_or_rules, Mapping):
        if not policy_or_rules:
            return None
        return str(policy_or_rules.get("kind") or "free"), list(policy_or_rules.get("rules") or [])
    if hasattr(policy_or_rules, "rules") and hasattr(policy_or_rules, "kind"):
        return str(policy_or_rules.kind), list(policy_or_rules.rules or [])
    if isinstance(policy_or_rules, Iterable) and not isinstance(policy_or_rules, str | bytes):
        return "free", list(policy_or_rules)
    raise TypeError(f"not a cancellation policy: {policy_or_rules!r}")


def _percent_text(percent: Decimal) -> str:
    text = f"{percent.normalize():f}"
    return f"{text}%"


def _day(days: int, kind: str | None, language: Language) -> str:
    """A day counted back from the service date: "3 days before arrival", "入住前3天"."""
    noun, day_of, verb = _SERVICE.get(kind or "", _DEFAULT_SERVICE)
    if language == "zh":
        return f"{verb}当天" if days == 0 else f"{verb}前{days}天"
    if days == 0:
        return day_of
    if days == 1:
        return f"the day before {noun}"
    return f"{days} days before {noun}"


def _cost(percent: Decimal, language: Language) -> str:
    if language == "zh":
        if percent >= 100:
            return "收取全部费用（不退款）"
        return f"收取订单金额的{_percent_text(percent)}作为违约金"
    if percent >= 100:
        return "costs the full price (no refund)"
    return f"costs {_percent_text(percent)} of the price"


def _period(high: int, low: int, kind: str | None, language: Language) -> str:
    """The cancellation days from ``high`` down to ``low`` days before (inclusive)."""
    if high == low:
        return _day(low, kind, language) if language == "zh" else f"on {_day(low, kind, language)}"
    if language == "zh":
        return f"{_day(high, kind, language)}至{_day(low, kind, language)}"
    return f"from {_day(high, kind, language)} until {_day(low, kind, language)}"


def cancellation_terms(
    policy_or_rules: Any, language: str | None = None, *, product_kind: str | None = None
) -> list[str]:
    """The cancellation terms as sentences, the most generous first.

    ``policy_or_rules``: a ``CancellationPolicy``, its ``snapshot()`` dict (as stored on an
    order item) or a bare rules list (read as a ``free`` policy). ``language``: any
    language code, the active language when ``None``. ``product_kind`` names the moment
    the days are counted from ("arrival", "departure", "the visit date").
    Example (hotel, rules 3 → 0 %, 1 → 50 %, 0 → 100 %)::

        Free cancellation until 3 days before arrival.
        Cancelling from 2 days before arrival until the day before arrival costs 50% of
        the price.
        Cancelling on the day of arrival costs the full price (no refund).
    """
    lang = language_of(language)
    parts = _policy_parts(policy_or_rules)
    if parts is None:
        return []
    kind, rules = parts
    if kind == "non_refundable":
        if lang == "zh":
            return ["不可取消、不可退款：任何时候取消均收取全部费用。"]
        return ["Non-refundable: cancelling at any time costs the full price."]
    steps = sorted(
        ((int(r["days_before"]), Decimal(str(r["penalty_percent"]))) for r in rules),
        key=lambda step: -step[0],
    )
    if not steps:
        if lang == "zh":
            return ["取消规则以预订条款为准。"]
        return ["Cancellation as stated in the booking terms."]

    sentences: list[str] = []
    first_days, first_percent = steps[0]
    if first_percent == 0:
        if lang == "zh":
            sentences.append(f"{_day(first_days, product_kind, lang)}及之前取消：免费。")
        else:
            sentences.append(f"Free cancellation until {_day(first_days, product_kind, lang)}.")
    elif lang == "zh":
        sentences.append(
            f"{_day(first_days, product_kind, lang)}及之前取消：{_cost(first_percent, lang)}。"
        )
    else:
        sentences.append(
            f"Cancelling up to {_day(first_days, product_kind, lang)} {_cost(first_percent, lang)}."
        )

    for (previous_days, _previous), (days, percent) in itertools.pairwise(steps):
        high = previous_days - 1
        if high < days:  # two steps for the same day: the first (larger) one already won
            continue
        period = _period(high, days, product_kind, lang)
        if lang == "zh":
            sentences.append(f"{period}取消：{_cost(percent, lang)}。")
        else:
            sentences.append(f"Cancelling {period} {_cost(percent, lang)}.")

    last_days, last_percent = steps[-1]
    if last_days > 0:
        # Later than the smallest step no rule applies: the full price is kept.
        period = _period(last_days - 1, 0, product_kind, lang)
        if lang == "zh":
            sentences.append(f"{period}取消：{_cost(Decimal(100), lang)}。")
        else:
            sentences.append(f"Cancelling {period} {_cost(Decimal(100), lang)}.")
    elif last_percent < 100:
        if lang == "zh":
            sentences.append("服务开始后不予退款。")
        else:
            sentences.append("No refund once the service has started.")
    return sentences


def is_free_cancellation(policy_or_rules: Any) -> bool:
    """Whether the terms allow cancelling for free at some point (a "Free cancellation" badge)."""
    parts = _policy_parts(policy_or_rules)
    if parts is None or parts[0] == "non_refundable":
        return False
    return any(Decimal(str(r["penalty_percent"])) == 0 for r in parts[1])
