"""Reading Stripe events and Checkout Sessions as statements about our payments.

Only four event types say something about a Checkout payment:

=============================================  =========================================
``checkout.session.completed``                 captured when ``payment_status`` is
                                               ``paid``; a delayed method (bank debit)
                                               completes ``unpaid`` and is decided by one
                                               of the next two events
``checkout.session.async_payment_succeeded``   captured
``checkout.session.async_payment_failed``      failed
``checkout.session.expired``                   cancelled
=============================================  =========================================

Everything else (other types, subscription or setup sessions, sessions that carry none
of our references, a completed session still waiting for a delayed method) raises
:class:`IgnoredNotification`, which answers 2xx: Stripe must not retry an event we will
never act on. A body that is signed but cannot be read raises
:class:`MalformedNotification` (400, so Stripe retries while we investigate).

The payment code travels as ``metadata.payment`` (our own key) and as
``client_reference_id``; the metadata wins because other integrations on the same Stripe
account may use ``client_reference_id`` for their own references.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from omnitrip.payments.providers import Notification

from .errors import IgnoredNotification, MalformedNotification

COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"
#: The event types to subscribe the Stripe webhook endpoint to; nothing else is needed.
HANDLED_EVENT_TYPES = (COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED, EXPIRED)

#: The metadata key carrying our payment code (on the session and its PaymentIntent).
PAYMENT_METADATA_KEY = "payment"

# The widths of WebhookEvent.external_id and Payment.code.
_MAX_EVENT_ID = 160
_MAX_PAYMENT_CODE = 20


def parse_event(body: bytes) -> Notification:
    """Turn an already authenticated event body into a :class:`Notification`."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedNotification("The body is not JSON") from exc
    if not isinstance(event, dict) or event.get("object") != "event":
        raise MalformedNotification("The body is not a Stripe event")
    event_id = event.get("id")
    event_type = event.get("type")
    if not isinstance(event_id, str) or not event_id.startswith("evt_"):
        raise MalformedNotification("The event has no Stripe event id")
    if len(event_id) > _MAX_EVENT_ID:
        raise MalformedNotification("The event id is too long")
    if not isinstance(event_type, str):
        raise MalformedNotification("The event has no type")
    if event_type not in HANDLED_EVENT_TYPES:
        raise IgnoredNotification(f"Stripe event type {event_type!r} needs no action")
    data = event.get("data")
    session = data.get("object") if isinstance(data, dict) else None
    if not isinstance(session, dict) or session.get("object") != "checkout.session":
        raise MalformedNotification(f"A {event_type} event without a Checkout Session")
    outcome = _outcome_of_event(event_type, session)
    return notification_for_session(session, outcome=outcome, event_id=event_id, raw=event)


def _outcome_of_event(event_type: str, session: Mapping[str, Any]) -> str:
    if event_type == COMPLETED:
        payment_status = session.get("payment_status")
        if payment_status != "paid":
            # "unpaid": a delayed method; the async_payment_* event will decide.
            raise IgnoredNotification(
                f"Checkout completed with payment_status {payment_status!r}; waiting"
            )
        return "captured"
    if event_type == ASYNC_SUCCEEDED:
        return "captured"
    if event_type == ASYNC_FAILED:
        return "failed"
    return "cancelled"


def outcome_of_session(session: Mapping[str, Any]) -> str | None:
    """What a retrieved session says now: an outcome, or None while it is undecided.

    ``payment_intent`` may be expanded: a completed session whose intent went back to
    ``requires_payment_method`` (or was cancelled) had its delayed payment fail.
    """
    if session.get("status") == "expired":
        return "cancelled"
    if session.get("status") != "complete":
        return None
    if session.get("payment_status") == "paid":
        return "captured"
    intent = session.get("payment_intent")
    if isinstance(intent, dict) and intent.get("status") in (
        "requires_payment_method",
        "canceled",
    ):
        return "failed"
    return None


def payment_code_of(session: Mapping[str, Any]) -> str:
    """Our payment code in ``session``, or :class:`IgnoredNotification` if it is not ours."""
    if session.get("mode") != "payment":
        raise IgnoredNotification(f"A Checkout Session in mode {session.get('mode')!r}")
    metadata = session.get("metadata")
    code = metadata.get(PAYMENT_METADATA_KEY) if isinstance(metadata, dict) else None
    if not code:
        code = session.get("client_reference_id")
    if not isinstance(code, str) or not code:
        raise IgnoredNotification("The Checkout Session carries none of our references")
    if len(code) > _MAX_PAYMENT_CODE:
        raise IgnoredNotification("The Checkout Session's reference is not one of our codes")
    return code


def payment_intent_id_of(session: Mapping[str, Any]) -> str:
    """The session's PaymentIntent id, whether the field is an id or an expanded object."""
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return intent if isinstance(intent, str) else ""


def notification_for_session(
    session: Mapping[str, Any], *, outcome: str, event_id: str, raw: Mapping[str, Any]
) -> Notification:
    """A :class:`Notification` of ``outcome`` for one of our Checkout Sessions."""
    payment_code = payment_code_of(session)
    amount = session.get("amount_total")
    currency = session.get("currency")
    # bool is an int in Python; a JSON true is not an amount.
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise MalformedNotification("The Checkout Session has no valid amount_total")
    if (
        not isinstance(currency, str)
        or len(currency) != 3
        or not currency.isascii()
        or not currency.isalpha()
    ):
        raise MalformedNotification("The Checkout Session has no valid currency")
    return Notification(
        event_id=event_id,
        payment_code=payment_code,
        outcome=outcome,
        amount_minor=amount,
        currency=currency.upper(),
        external_payment_id=payment_intent_id_of(session),
        raw=raw,
    )
