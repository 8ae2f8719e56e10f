"""Alipay's asynchronous notifications (异步通知): authenticated first, then read.

Alipay POSTs ``application/x-www-form-urlencoded`` parameters to our ``notify_url`` and
signs them with its own key (RSA2 over the sorted parameters minus ``sign`` and
``sign_type``). It redelivers until it reads the literal ``success`` back, on a schedule
of about 25 hours (4m, 10m, 10m, 1h, 2h, 6h, 15h). For that reason a ``notify_time``
window is NOT enforced: a legitimate late delivery would be refused forever. Replays are
harmless instead because the payment services store each ``notify_id`` under a unique
``(provider, external_id)`` before anything acts on it, and because acting on one is
idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from omnitrip.payments.errors import InvalidSignature
from omnitrip.payments.providers import Notification

from . import signing
from .amounts import CURRENCY, minor_from_yuan
from .config import Credentials
from .errors import MalformedNotification, NotificationNotFinal
from .numbers import our_code

#: ``trade_status`` → :attr:`Notification.outcome`. TRADE_FINISHED arrives when a paid
#: trade can no longer be refunded; TRADE_CLOSED for an unpaid trade that timed out (or a
#: paid one refunded in full, which the payment services treat as a no-op on a capture).
OUTCOME_BY_TRADE_STATUS = {
    "TRADE_SUCCESS": "captured",
    "TRADE_FINISHED": "captured",
    "TRADE_CLOSED": "cancelled",
}
NOT_FINAL = "WAIT_BUYER_PAY"
_REQUIRED = ("notify_id", "out_trade_no", "trade_no", "trade_status", "total_amount")


def form_params(body: bytes) -> dict[str, str]:
    """The form parameters of ``body``; anything ambiguous cannot be authenticated."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidSignature("The notification is not a UTF-8 form body") from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            # Which of two values was signed is anyone's guess: refuse, don't choose.
            raise InvalidSignature(f"The notification repeats the parameter {name!r}")
        params[name] = value
    return params


def authenticate(params: Mapping[str, str], credentials: Credentials) -> None:
    """Raise :class:`InvalidSignature` unless Alipay signed ``params`` for our app."""
    signature = params.get("sign", "")
    if not signature:
        raise InvalidSignature("The notification has no sign parameter")
    if params.get("sign_type") != signing.SIGN_TYPE:
        # RSA (SHA-1) or a missing type would be a downgrade: we only speak RSA2.
        raise InvalidSignature("The notification is not signed with RSA2")
    content = signing.notification_content(params)
    if not signing.verify(content, signature, credentials.alipay_public_key):
        raise InvalidSignature("The notification's signature does not match its parameters")
    # A valid signature only says Alipay wrote it: it must also be about our application.
    if params.get("app_id") != credentials.app_id:
        raise InvalidSignature("The notification is for another Alipay application")
    if credentials.seller_id and params.get("seller_id") != credentials.seller_id:
        raise InvalidSignature("The notification is for another Alipay merchant")


def parse_notification(body: bytes, credentials: Credentials) -> Notification:
    """Authenticate ``body`` and turn it into a :class:`Notification`.

    ``event_id`` is Alipay's ``notify_id`` (the same on every redelivery of one
    notification). ``WAIT_BUYER_PAY`` raises :class:`NotificationNotFinal`.
    """
    params = form_params(body)
    authenticate(params, credentials)
    missing = [name for name in _REQUIRED if not params.get(name)]
    if missing:
        raise MalformedNotification(f"The notification lacks {', '.join(missing)}")
    status = params["trade_status"]
    if status == NOT_FINAL:
        raise NotificationNotFinal(
            f"Trade {params['trade_no']} is still waiting for the buyer", trade_status=status
        )
    if status not in OUTCOME_BY_TRADE_STATUS:
        raise MalformedNotification(f"Unknown trade_status {status!r}")
    try:
        amount_minor = minor_from_yuan(params["total_amount"])
    except ValueError as exc:
        raise MalformedNotification(str(exc)) from exc
    return Notification(
        event_id=params["notify_id"],
        payment_code=our_code(params["out_trade_no"]),
        outcome=OUTCOME_BY_TRADE_STATUS[status],
        amount_minor=amount_minor,
        currency=CURRENCY,
        external_payment_id=params["trade_no"],
        raw=params,
    )
