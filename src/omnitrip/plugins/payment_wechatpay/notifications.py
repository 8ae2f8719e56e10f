"""WeChat Pay callbacks and transaction documents, read into :class:`Notification`.

A callback is a signed JSON envelope (``id``, ``create_time``, ``event_type``,
``resource_type``, ``resource``) whose ``resource`` holds the transaction, encrypted.
Order of work: signature and freshness first (nothing in the body is read before), then
the envelope, then decryption, then the transaction's fields. The query API returns the
same transaction document unencrypted, so both paths share :func:`transaction_notification`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnitrip.payments.providers import Notification

from . import signatures
from .client import load_json
from .config import WechatPayConfig
from .encryption import decrypt_resource
from .errors import MalformedNotification, NotificationNotFinal, NotificationNotPayment

#: ``trade_state`` → :attr:`Notification.outcome` for the final states of a payment.
OUTCOME_BY_TRADE_STATE = {
    "SUCCESS": "captured",
    "PAYERROR": "failed",
    "CLOSED": "cancelled",
    "REVOKED": "cancelled",
}
#: Open states: the payer may still pay, so there is nothing to record.
OPEN_TRADE_STATES = frozenset({"NOTPAY", "USERPAYING"})
#: "Refund started": the payment was collected first. Only the query API reports it.
REFUNDED_TRADE_STATE = "REFUND"
# Field widths: WeChat's (out_trade_no ≤ 32, notification id ≤ 36, transaction id ≤ 32)
# with room to spare, and within our columns (WebhookEvent.external_id is 160 wide).
_MAX_EVENT_ID = 64
_MAX_OUT_TRADE_NO = 32
_MAX_TRANSACTION_ID = 64


def read_callback(
    body: bytes,
    headers: Mapping[str, str],
    *,
    config: WechatPayConfig,
    tolerance: int,
    now: float,
) -> Notification:
    """Verify, decrypt and read one payment callback.

    Raises ``InvalidSignature`` (forged, stale, unknown key, undecryptable),
    :class:`NotificationNotPayment` (a refund result or another event),
    :class:`NotificationNotFinal` or :class:`MalformedNotification`.
    """
    signatures.verify(
        body,
        headers,
        public_key=config.platform_public_key,
        expected_serial=config.platform_public_key_id,
        tolerance=tolerance,
        now=now,
    )
    envelope = _object(body, "The notification body")
    event_id = _text(envelope, "id", _MAX_EVENT_ID)
    event_type = _text(envelope, "event_type", 64)
    if envelope.get("resource_type") != "encrypt-resource":
        raise MalformedNotification("The notification's resource is not encrypt-resource")
    resource = envelope.get("resource")
    if not isinstance(resource, dict):
        raise MalformedNotification("The notification has no resource object")
    # Decrypt before routing: a resource that does not authenticate is refused the same
    # way whatever the event type claims to be.
    plaintext = decrypt_resource(resource, config.api_v3_key)
    if not event_type.startswith("TRANSACTION.") or resource.get("original_type") not in (
        None,
        "transaction",
    ):
        raise NotificationNotPayment(
            f"A {event_type} notification is not a payment result",
            event_type=event_type,
        )
    transaction = _object(plaintext, "The decrypted resource")
    return transaction_notification(
        transaction, event_id=event_id, config=config, raw={"event_type": event_type}
    )


def transaction_notification(
    transaction: Mapping[str, Any],
    *,
    event_id: str,
    config: WechatPayConfig,
    refunded_means_captured: bool = False,
    raw: Mapping[str, Any] | None = None,
) -> Notification:
    """A :class:`Notification` from a verified transaction document.

    The transaction must be for our ``mchid`` and ``appid``. ``trade_state`` gives the
    outcome; an open state raises :class:`NotificationNotFinal`. With
    ``refunded_means_captured`` (the query API), ``REFUND`` counts as captured: the money
    was collected before a refund began.
    """
    if transaction.get("mchid") != config.mchid or transaction.get("appid") != config.appid:
        raise MalformedNotification("The transaction belongs to another merchant or app")
    out_trade_no = _text(transaction, "out_trade_no", _MAX_OUT_TRADE_NO)
    trade_state = _text(transaction, "trade_state", 32)
    if trade_state == REFUNDED_TRADE_STATE and refunded_means_captured:
        outcome = "captured"
    elif trade_state in OUTCOME_BY_TRADE_STATE:
        outcome = OUTCOME_BY_TRADE_STATE[trade_state]
    elif trade_state in OPEN_TRADE_STATES or trade_state == REFUNDED_TRADE_STATE:
        raise NotificationNotFinal(
            f"The transaction is {trade_state}: not a final payment state",
            trade_state=trade_state,
        )
    else:
        raise MalformedNotification(f"Unknown trade_state {trade_state[:32]!r}")
    amount_minor, currency = _amount(transaction, required=outcome == "captured")
    transaction_id = transaction.get("transaction_id", "")
    if not isinstance(transaction_id, str) or len(transaction_id) > _MAX_TRANSACTION_ID:
        raise MalformedNotification("The transaction_id is not valid")
    if outcome == "captured" and not transaction_id:
        raise MalformedNotification("A paid transaction needs its transaction_id")
    return Notification(
        event_id=event_id,
        payment_code=out_trade_no,
        outcome=outcome,
        amount_minor=amount_minor,
        currency=currency,
        external_payment_id=transaction_id,
        raw={**(raw or {}), "transaction": dict(transaction)},
    )


def _object(raw: bytes, what: str) -> Mapping[str, Any]:
    try:
        data = load_json(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedNotification(f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedNotification(f"{what} is not a JSON object")
    return data


def _text(data: Mapping[str, Any], name: str, width: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > width:
        raise MalformedNotification(f"Field {name!r} is missing or not valid")
    return value


def _amount(transaction: Mapping[str, Any], *, required: bool) -> tuple[int, str]:
    """``amount.total`` (fen, an integer) and ``amount.currency``.

    ``total`` is the order amount we asked for; ``payer_total`` (what the payer's wallet
    paid after WeChat-side discounts) is deliberately not used.
    """
    amount = transaction.get("amount")
    if amount is None and not required:
        return 0, ""
    if not isinstance(amount, dict):
        raise MalformedNotification("The transaction has no amount object")
    total = amount.get("total")
    currency = amount.get("currency")
    # bool is an int in Python and JSON decimals arrive as Decimal: neither is an amount.
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise MalformedNotification("amount.total is not a whole number of fen")
    if not (
        isinstance(currency, str)
        and len(currency) == 3
        and currency.isascii()
        and currency.isupper()
    ):
        raise MalformedNotification("amount.currency is not an ISO-4217 code")
    return total, currency
