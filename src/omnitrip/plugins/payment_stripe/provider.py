"""Stripe Checkout as a payment provider, speaking Stripe's own API and webhook protocol.

The payer is sent to a Stripe-hosted Checkout Session for exactly ``payment.amount_minor``
of ``payment.currency``; Stripe's signed ``checkout.session.*`` events say how it ended;
refunds go to the session's PaymentIntent; the itemized balance report is the settlement
file. Every call that creates something carries our code as Stripe's idempotency key.
Nothing here writes to our database.

Where our ids end up (see :mod:`omnitrip.payments.services`): ``mark_pending`` stores the
Checkout Session id (``cs_…``) as ``Payment.external_id`` when the payer is sent off, and
``record_capture`` replaces it with the PaymentIntent id (``pi_…``) the capture event
names. Refunds and queries accept either.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

import stripe
from django.conf import settings

from omnitrip.payments.errors import ProviderError, ProviderUnavailable
from omnitrip.payments.providers import (
    Notification,
    PaymentProvider,
    RefundResult,
    SettlementLine,
    StartResult,
)

from . import connection, currencies, notifications, settlement, signature
from .errors import IgnoredNotification

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

    from omnitrip.payments.models import Payment, Refund

#: How long a Checkout Session stays payable. Stripe accepts 30 minutes to 24 hours after
#: the session's creation; five minutes of margin cover clock skew and the moments between
#: our payment row and Stripe's session. Kept short because the order's hold is shorter
#: still: a late payment is confirmed only if the units are still free, else refunded.
CHECKOUT_LIFETIME = dt.timedelta(minutes=35)

_REFUND_STATUSES = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}


def absolute_url(url: str) -> str:
    """``url`` made absolute against ``PUBLIC_BASE_URL`` (Stripe needs full URLs)."""
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", url)


def session_expiry(payment: Payment) -> int:
    """When the payment's Checkout Session expires, as Unix seconds.

    Derived from the payment row, not from the clock: a retried start must send the very
    same parameters, or Stripe refuses to replay the idempotent request.
    """
    created = payment.created_at or dt.datetime.now(dt.UTC)
    return int((created + CHECKOUT_LIFETIME).timestamp())


def checkout_locale(language: str) -> Literal["auto", "en", "zh"]:
    """Stripe Checkout's locale for an order language ("auto" follows the browser)."""
    if language.lower().startswith("zh"):
        return "zh"
    if language.lower().startswith("en"):
        return "en"
    return "auto"


def session_parameters(payment: Payment, *, return_url: str) -> SessionCreateParams:
    """The Checkout Session create request for ``payment`` (amount always the row's)."""
    order = payment.order
    references = {notifications.PAYMENT_METADATA_KEY: payment.code}
    if order is not None:
        references["order"] = order.code
        item_name = f"Order {order.code}"
        locale = checkout_locale(order.language)
    else:
        # A payment for no order (a wallet top-up) is named by its own code.
        item_name = f"Payment {payment.code}"
        locale = "auto"
    url = absolute_url(return_url)
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": payment.amount_minor,
                    "product_data": {"name": item_name},
                },
            }
        ],
        "success_url": url,
        "cancel_url": url,
        "client_reference_id": payment.code,
        "metadata": references,
        # Copied to the PaymentIntent and its charge: refunds and the balance report find
        # our payment code there.
        "payment_intent_data": {"metadata": references},
        "expires_at": session_expiry(payment),
        # Adaptive Pricing would let the payer pay a converted amount in another currency;
        # we charge exactly the order's amount in the order's currency.
        "adaptive_pricing": {"enabled": False},
        "locale": locale,
    }


class StripeProvider(PaymentProvider):
    name = "stripe"
    display_name_en = "Card and wallets (Stripe)"
    display_name_zh = "银行卡及钱包（Stripe）"

    def is_enabled(self) -> bool:
        """Enabled when ``settings.STRIPE`` has a secret key and a webhook secret."""
        return connection.is_configured()

    def supports_currency(self, currency: str) -> bool:
        """Currencies Stripe counts in the same minor unit as we do (see ``currencies``)."""
        return currencies.is_collectable(currency)

    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        """Create the payment's Checkout Session and send the payer to its URL.

        Idempotency key ``payment.code``: a retried start gets the same session back.
        Raises :class:`ProviderError` when Stripe cannot be reached or fails, and
        :class:`ProviderUnavailable` when it refuses the request (an amount under Stripe's
        minimum, a currency the account cannot take).
        """
        if not self.supports_currency(payment.currency):
            raise ProviderUnavailable(f"Stripe cannot collect {payment.currency}")
        parameters = session_parameters(payment, return_url=return_url)
        try:
            session = connection.client().v1.checkout.sessions.create(
                parameters,
                {"idempotency_key": payment.code},
            )
        except stripe.StripeError as error:
            if connection.is_transient(error):
                raise connection.provider_error(error, "open a Checkout Session") from error
            raise ProviderUnavailable(
                f"Stripe refused the payment: {connection.describe(error)}",
                stripe_code=error.code or "",
                stripe_status=error.http_status or 0,
            ) from error
        created = session.to_dict()
        session_id, url = created.get("id"), created.get("url")
        if not isinstance(session_id, str) or not isinstance(url, str) or not session_id or not url:
            raise ProviderError("Stripe returned a Checkout Session without an id or URL")
        return StartResult(redirect_url=url, external_id=session_id)

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Check ``Stripe-Signature`` over the raw bytes first, then read the event."""
        signature.verify(
            body,
            signature.header_value(headers),
            secret=connection.webhook_secret(),
            tolerance=settings.WEBHOOK_TOLERANCE_SECONDS,
            now=time.time(),
        )
        return notifications.parse_event(body)

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Refund ``refund.amount_minor`` of the payment's PaymentIntent.

        Idempotency key ``refund.code`` (also ``metadata.refund``), so a retry never pays
        out twice. A refusal Stripe is sure of (already refunded, amount too large) is a
        ``failed`` result; a failure that may pass (network, 5xx, rate limit, rejected
        key) raises :class:`ProviderError` for the caller to retry.
        """
        api = connection.client()
        intent_id = self._payment_intent_id(api, payment)
        if not intent_id:
            return RefundResult(
                status="failed", detail="No Stripe PaymentIntent is known for this payment"
            )
        try:
            stripe_refund = api.v1.refunds.create(
                {
                    "payment_intent": intent_id,
                    "amount": refund.amount_minor,
                    "metadata": {"refund": refund.code, "payment": payment.code},
                },
                {"idempotency_key": refund.code},
            )
        except stripe.StripeError as error:
            if connection.is_transient(error):
                raise connection.provider_error(error, "refund") from error
            return RefundResult(status="failed", detail=connection.describe(error))
        answer = stripe_refund.to_dict()
        # A status we do not know yet keeps the refund pending rather than guessing.
        status = _REFUND_STATUSES.get(str(answer.get("status")), "pending")
        detail = str(answer.get("failure_reason") or "") if status == "failed" else ""
        return RefundResult(status=status, external_id=str(answer.get("id") or ""), detail=detail)

    def query(self, payment: Payment) -> Notification | None:
        """Ask Stripe how the payment's Checkout Session stands; None while undecided.

        The synthetic event id (``query:<session>:<outcome>``) is stable, so storing the
        answer of repeated queries stores it once.
        """
        api = connection.client()
        session = self._session(api, payment.external_id)
        if session is None:
            return None
        outcome = notifications.outcome_of_session(session)
        if outcome is None:
            return None
        try:
            return notifications.notification_for_session(
                session,
                outcome=outcome,
                event_id=f"query:{session.get('id')}:{outcome}",
                raw=session,
            )
        except IgnoredNotification:
            return None

    def parse_settlement(self, content: bytes) -> list[SettlementLine]:
        """Read the itemized balance change report (see :mod:`.settlement`)."""
        return settlement.parse_report(content)

    # --- helpers -------------------------------------------------------------------

    def _session(self, api: stripe.StripeClient, external_id: str) -> dict[str, Any] | None:
        """The Checkout Session behind a ``cs_…`` or ``pi_…`` id, with its intent expanded."""
        try:
            if external_id.startswith("cs_"):
                found = api.v1.checkout.sessions.retrieve(
                    external_id, {"expand": ["payment_intent"]}
                )
                return found.to_dict()
            if external_id.startswith("pi_"):
                page = api.v1.checkout.sessions.list(
                    {"payment_intent": external_id, "limit": 1, "expand": ["data.payment_intent"]}
                )
                return page.data[0].to_dict() if page.data else None
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise connection.provider_error(error, "find the Checkout Session") from error
        except stripe.StripeError as error:
            raise connection.provider_error(error, "find the Checkout Session") from error
        return None

    def _payment_intent_id(self, api: stripe.StripeClient, payment: Payment) -> str:
        external_id = payment.external_id
        if external_id.startswith("pi_"):
            return external_id
        if external_id.startswith("cs_"):
            # Captured without the intent's id reaching us: the session knows it.
            session = self._session(api, external_id)
            return notifications.payment_intent_id_of(session) if session else ""
        return ""
