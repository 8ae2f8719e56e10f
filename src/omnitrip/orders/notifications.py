"""Messages to the customer about their order, sent after the transaction commits."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from omnitrip.core.money import Money

from .models import Order

log = logging.getLogger("omnitrip.orders")


def _send_later(order: Order, subject: str, body: str) -> None:
    email = order.contact_email

    def send() -> None:
        try:
            send_mail(subject, body, None, [email])
        except Exception:  # a mail outage must never undo or block a booking change
            log.exception("could not e-mail order %s", order.code)

    transaction.on_commit(send)


def order_cancelled(order: Order, refund_minor: int) -> None:
    with translation.override(order.language):
        amount = Money(refund_minor, order.currency).format(translation.to_locale(order.language))
        subject = _("Your booking %(code)s is cancelled") % {"code": order.code}
        body = _("Booking %(code)s has been cancelled. Refund: %(amount)s.") % {
            "code": order.code,
            "amount": amount,
        }
    _send_later(order, subject, body)


def payment_refunded_unbookable(order: Order, amount_minor: int) -> None:
    with translation.override(order.language):
        amount = Money(amount_minor, order.currency).format(translation.to_locale(order.language))
        subject = _("We could not keep booking %(code)s") % {"code": order.code}
        body = _(
            "Your payment for %(code)s arrived after the reservation expired and the places "
            "were no longer available. We have refunded %(amount)s in full."
        ) % {"code": order.code, "amount": amount}
    _send_later(order, subject, body)
