"""What a voucher says, in Simplified Chinese or English.

The PDF and the e-mail describe a booked item the same way, so the sentences live here
once. Texts are kept side by side in both languages rather than in gettext catalogues:
a voucher is written in the language of the order, whatever language the request that
triggered it was in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from babel.dates import format_skeleton, format_time

from omnitrip.catalog.models import ProductKind
from omnitrip.core.i18n import pick
from omnitrip.core.money import Money
from omnitrip.orders.models import Order, OrderItem

Language = Literal["zh", "en"]

LABELS: dict[str, dict[Language, str]] = {
    "voucher": {"en": "E-voucher", "zh": "电子凭证"},
    "product": {"en": "Product", "zh": "产品"},
    "option": {"en": "Option", "zh": "选项"},
    "check_in": {"en": "Check-in", "zh": "入住"},
    "check_out": {"en": "Check-out", "zh": "离店"},
    "nights": {"en": "Nights", "zh": "晚数"},
    "visit_date": {"en": "Date", "zh": "使用日期"},
    "departure": {"en": "Departure", "zh": "出发"},
    "return": {"en": "Return", "zh": "返回"},
    "valid_until": {"en": "Valid until", "zh": "有效期至"},
    "rooms": {"en": "Rooms", "zh": "房间数"},
    "quantity": {"en": "Quantity", "zh": "数量"},
    "guests": {"en": "Guests", "zh": "人数"},
    "traveller": {"en": "Traveller", "zh": "出行人"},
    "order": {"en": "Order", "zh": "订单号"},
    "paid": {"en": "Paid", "zh": "已付金额"},
    "voucher_code": {"en": "Voucher code", "zh": "凭证码"},
    "supplier": {"en": "Supplier", "zh": "供应商"},
    "address": {"en": "Address", "zh": "地址"},
    "phone": {"en": "Phone", "zh": "电话"},
    "cancellation": {"en": "Cancellation", "zh": "取消政策"},
    "show_voucher": {
        "en": "Show this voucher, printed or on your phone, to the supplier. "
        "The QR code and the voucher code are valid for one use only.",
        "zh": "请向供应商出示本凭证（打印件或手机均可）。二维码和凭证码仅可使用一次。",
    },
    "status_redeemed": {"en": "REDEEMED", "zh": "已使用"},
    "status_void": {"en": "VOID", "zh": "已作废"},
}


def language_of(value: str | None) -> Language:
    """``"zh"`` for any Chinese language code (``zh-hans``, ``zh_CN``…), else ``"en"``."""
    return "zh" if (value or "").lower().startswith("zh") else "en"


def babel_locale(language: Language) -> str:
    return "zh_Hans_CN" if language == "zh" else "en"


def label(key: str, language: Language) -> str:
    return LABELS[key][language]


def date_text(value: dt.date, language: Language) -> str:
    """A date with its weekday, e.g. ``Sun, Nov 22, 2026`` or ``2026年11月22日周日``."""
    return format_skeleton("yMMMEd", value, locale=babel_locale(language))


def _with_time(value: dt.date, at: dt.time | None, language: Language) -> str:
    text = date_text(value, language)
    if at is None:
        return text
    return f"{text} {format_time(at, format='short', locale=babel_locale(language))}"


def _count(number: int, en_one: str, en_many: str, zh_unit: str, language: Language) -> str:
    if language == "zh":
        return f"{number}{zh_unit}"
    return f"{number} {en_one if number == 1 else en_many}"


def service_dates(item: OrderItem, language: Language) -> list[tuple[str, str]]:
    """Labelled date lines: check-in/check-out, a visit or departure date, or a validity."""
    product, offer = item.product, item.offer
    rows: list[tuple[str, str]] = []
    if product.kind == ProductKind.HOTEL and item.start_date and item.end_date:
        nights = (item.end_date - item.start_date).days
        rows.append(
            (
                label("check_in", language),
                _with_time(item.start_date, product.check_in_time, language),
            )
        )
        rows.append(
            (
                label("check_out", language),
                _with_time(item.end_date, product.check_out_time, language),
            )
        )
        rows.append((label("nights", language), _count(nights, "night", "nights", "晚", language)))
    elif item.start_date and item.end_date and item.end_date != item.start_date:
        rows.append(
            (
                label("departure", language),
                _with_time(item.start_date, offer.departure_time, language),
            )
        )
        rows.append((label("return", language), date_text(item.end_date, language)))
    elif item.start_date:
        key = (
            "departure"
            if product.kind in (ProductKind.TOUR, ProductKind.TRANSPORT)
            else "visit_date"
        )
        rows.append(
            (label(key, language), _with_time(item.start_date, offer.departure_time, language))
        )
    if item.valid_until:
        rows.append((label("valid_until", language), date_text(item.valid_until, language)))
    return rows


def party(item: OrderItem, language: Language) -> list[tuple[str, str]]:
    """How much was booked and for whom: rooms or quantity, then adults and children."""
    if item.product.kind == ProductKind.HOTEL:
        amount = (label("rooms", language), _count(item.quantity, "room", "rooms", "间", language))
    else:
        amount = (
            label("quantity", language),
            _count(item.quantity, "ticket", "tickets", "张", language),
        )
    people = _count(item.adults, "adult", "adults", "位成人", language)
    if item.children:
        joiner = "，" if language == "zh" else ", "
        people += joiner + _count(item.children, "child", "children", "位儿童", language)
    return [amount, (label("guests", language), people)]


def cancellation_summary(policy: dict, language: Language) -> str:
    """One line summing up a cancellation-policy snapshot (see ``CancellationPolicy``).

    The rules say: cancelling at least ``days_before`` days before the start costs
    ``penalty_percent``, the largest applicable ``days_before`` winning. Read from the
    largest step down, that becomes "at least 3 days before: free; at least 1 day
    before: 50%; later: 100%".
    """
    if policy.get("kind") == "non_refundable":
        return "不可取消，不可退款" if language == "zh" else "Non-refundable"
    rules = sorted(policy.get("rules") or [], key=lambda r: int(r["days_before"]), reverse=True)
    if not rules:
        return "以预订条款为准" if language == "zh" else "As stated in the booking terms"
    parts = []
    for rule in rules:
        days = int(rule["days_before"])
        percent = Decimal(str(rule["penalty_percent"])).normalize()
        percent_text = f"{percent:f}"
        if language == "zh":
            when = f"提前{days}天及以上取消" if days else "其后取消"
            cost = "免费" if percent == 0 else f"收取{percent_text}%费用"
            parts.append(f"{when}：{cost}")
        else:
            when = (
                f"at least {_count(days, 'day', 'days', '', language)} before" if days else "later"
            )
            cost = "free" if percent == 0 else f"{percent_text}% of the price"
            parts.append(f"{when}: {cost}")
    if language == "zh":
        return "；".join(parts)
    text = "; ".join(parts)
    return f"Cancelling {text}"


def item_total(order: Order, item: OrderItem, language: Language) -> str:
    return Money(item.total_minor, order.currency).format(babel_locale(language))


def product_title(item: OrderItem, language: Language) -> str:
    return pick(item.product, "title", language)


def offer_name(item: OrderItem, language: Language) -> str:
    return pick(item.offer, "name", language)


def supplier_name(item: OrderItem, language: Language) -> str:
    return pick(item.product.supplier, "name", language)
