"""The e-mail that carries an order's vouchers to the traveller.

:func:`send_vouchers_email` takes only an order id so a Celery task can call it as is;
until there is one, :func:`omnitrip.fulfilment.services.issue_vouchers` calls it after
commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import format_html, format_html_join

from omnitrip.orders.access import access_token
from omnitrip.orders.models import Order
from omnitrip.orders.states import OrderStatus

from . import wording
from .codes import format_code
from .models import Voucher, VoucherStatus
from .queries import vouchers_of_order
from .rendering import order_vouchers_pdf
from .wording import Language, label

logger = logging.getLogger(__name__)

_SENDABLE_ORDER_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.COMPLETED})

_TEXTS: dict[str, dict[Language, str]] = {
    "subject": {"en": "Your vouchers for order {code}", "zh": "订单 {code} 的电子凭证"},
    "greeting": {"en": "Dear {name},", "zh": "{name}，您好："},
    "intro": {
        "en": "Your order {code} is confirmed. Your e-vouchers are attached as a PDF. "
        "Show a voucher, printed or on your phone, to the supplier; "
        "each voucher code can be used once.",
        "zh": "您的订单 {code} 已确认，电子凭证见附件（PDF）。"
        "请向供应商出示凭证（打印件或手机均可），每个凭证码仅可使用一次。",
    },
    "closing": {"en": "Have a good trip,\nomnitrip", "zh": "祝您旅途愉快！\nomnitrip"},
    "link": {
        "en": "Your booking, its vouchers and cancellation: {url}",
        "zh": "查看订单、凭证或取消预订：{url}",
    },
}

# The storefront's order page (its URL pattern ``storefront:order`` under the language
# prefix), opened with the order's access token. Built here from the public base URL
# because fulfilment must not import the storefront.
ORDER_PAGE_PATH = "/{language}/orders/{code}/?token={token}"


def order_page_url(order: Order) -> str:
    """The link to the order's page on the site, with its access token."""
    language = "zh-hans" if wording.language_of(order.language) == "zh" else "en"
    token = access_token(order.code, order.access_salt)
    path = ORDER_PAGE_PATH.format(language=language, code=order.code, token=token)
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _text(key: str, language: Language, **values: str) -> str:
    return _TEXTS[key][language].format(**values)


def _voucher_lines(voucher: Voucher, language: Language) -> list[str]:
    item = voucher.order_item
    colon = "：" if language == "zh" else ": "
    lines = [f"{wording.product_title(item, language)} — {wording.offer_name(item, language)}"]
    lines += [f"{name}{colon}{value}" for name, value in wording.service_dates(item, language)]
    lines.append(f"{label('voucher_code', language)}{colon}{format_code(voucher.code)}")
    return lines


def _plain_body(order: Order, vouchers: list[Voucher], language: Language) -> str:
    paragraphs = [
        _text("greeting", language, name=order.contact_name),
        _text("intro", language, code=order.code),
    ]
    for number, voucher in enumerate(vouchers, start=1):
        first, *rest = _voucher_lines(voucher, language)
        paragraphs.append("\n".join([f"{number}. {first}", *(f"   {line}" for line in rest)]))
    paragraphs.append(_text("link", language, url=order_page_url(order)))
    paragraphs.append(_text("closing", language))
    return "\n\n".join(paragraphs) + "\n"


def _html_body(order: Order, vouchers: list[Voucher], language: Language) -> str:
    items = format_html_join(
        "",
        "<li><strong>{}</strong><br>{}</li>",
        (
            (lines[0], format_html_join("", "{}<br>", ((line,) for line in lines[1:])))
            for lines in (_voucher_lines(voucher, language) for voucher in vouchers)
        ),
    )
    closing = format_html_join(
        "", "{}<br>", ((line,) for line in _text("closing", language).splitlines())
    )
    url = order_page_url(order)
    link = format_html('{} <a href="{}">{}</a>', _text("link", language, url="").rstrip(), url, url)
    return format_html(
        '<html lang="{}"><body><p>{}</p><p>{}</p><ol>{}</ol><p>{}</p><p>{}</p></body></html>',
        "zh-Hans" if language == "zh" else "en",
        _text("greeting", language, name=order.contact_name),
        _text("intro", language, code=order.code),
        items,
        link,
        closing,
    )


def send_vouchers_email(order_id: int) -> bool:
    """E-mail the order's valid vouchers, with the voucher PDF attached, to its contact.

    Written in the order's language (``zh-hans`` or ``en``). Returns True when a message
    went out, False when there was nothing to send: no such order, an order that is no
    longer confirmed (cancelled since), or no voucher still valid. Writes nothing. Not
    idempotent: every call sends a message (a "send again" button may rely on that).
    Raises whatever the mail backend raises; callers running after commit must catch.
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status not in _SENDABLE_ORDER_STATUSES:
        return False
    vouchers = [v for v in vouchers_of_order(order) if v.status == VoucherStatus.ISSUED]
    if not vouchers:
        return False
    language = wording.language_of(order.language)
    message = EmailMultiAlternatives(
        subject=_text("subject", language, code=order.code),
        body=_plain_body(order, vouchers, language),
        to=[order.contact_email],
    )
    message.attach_alternative(_html_body(order, vouchers, language), "text/html")
    message.attach(
        f"omnitrip-vouchers-{order.code}.pdf",
        order_vouchers_pdf(order, language, vouchers=vouchers),
        "application/pdf",
    )
    message.send()
    logger.info("vouchers of order %s e-mailed", order.code)
    return True


def send_vouchers_email_after_commit(order_id: int) -> None:
    """:func:`send_vouchers_email` for ``transaction.on_commit``: a failure is logged, never raised.

    The order is confirmed by then; a mail server being down must not turn that into an
    error for the customer or the payment webhook that confirmed it.
    """
    try:
        send_vouchers_email(order_id)
    except Exception:
        logger.exception("e-mailing the vouchers of order id %s failed", order_id)
