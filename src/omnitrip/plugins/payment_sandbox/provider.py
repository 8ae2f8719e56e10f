"""The sandbox payment provider: an offline stand-in for a real vendor.

It behaves like one from the outside: the payer is sent to a hosted page, and the
decision comes back as a signed, timestamped JSON callback that is verified exactly as a
vendor's would be. Nothing here writes to the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings

from omnitrip.core.errors import DomainError
from omnitrip.core.ids import public_code
from omnitrip.payments.providers import Notification, PaymentProvider, RefundResult, StartResult

from . import signing

if TYPE_CHECKING:
    from omnitrip.payments.models import Payment, Refund

#: Put this in a payment's external id or a refund's reason to make the refund fail.
FAIL_REFUND_MARKER = "sandbox-fail-refund"

#: Callback ``type`` → :attr:`Notification.outcome`.
OUTCOME_BY_TYPE = {
    "payment.succeeded": "captured",
    "payment.failed": "failed",
    "payment.cancelled": "cancelled",
}
TYPE_BY_OUTCOME = {outcome: kind for kind, outcome in OUTCOME_BY_TYPE.items()}

# The widths of WebhookEvent.external_id and Payment.code: anything longer is not ours.
_MAX_EVENT_ID = 160
_MAX_PAYMENT_CODE = 20


class MalformedNotification(DomainError):
    """The signature was valid but the body is not a notification we understand."""

    code = "malformed_notification"
    status = 400
    title = "The notification body is not valid"


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    display_name_en = "Sandbox (test payments)"
    display_name_zh = "沙盒支付（测试）"

    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        """Send the payer to the hosted page; no I/O, nothing written."""
        redirect_url = (
            f"{settings.PUBLIC_BASE_URL}/pay/sandbox/{payment.code}/"
            f"?return={quote(return_url, safe='')}"
        )
        return StartResult(redirect_url=redirect_url, external_id=external_payment_id(payment))

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Check the signature first, then parse; never trusts the body before that."""
        signing.verify(
            body,
            signing.header_value(headers),
            secret=settings.SANDBOX_PAYMENT_SECRET,
            tolerance=settings.WEBHOOK_TOLERANCE_SECONDS,
            now=time.time(),
        )
        return parse_notification(body)

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Succeed at once, unless the test marker asks for a deterministic failure.

        Calling it again for the same refund gives the same answer (the vendor id is
        derived from ``refund.code``), as a real vendor's idempotency key would.
        """
        if FAIL_REFUND_MARKER in payment.external_id or FAIL_REFUND_MARKER in refund.reason:
            return RefundResult(
                status="failed", detail="The sandbox was told to refuse this refund"
            )
        return RefundResult(status="succeeded", external_id=f"sbx_rf_{refund.code}")


def external_payment_id(payment: Payment) -> str:
    """The id the 'vendor' gives a payment: stable, so repeated starts agree."""
    return f"sbx_{payment.code}"


def _field(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    # bool is an int in Python; a JSON true is not an amount.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MalformedNotification(f"Field {name!r} is missing or not a {kind.__name__}")
    return value


def parse_notification(body: bytes) -> Notification:
    """Turn an already authenticated body into a :class:`Notification`."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedNotification("The body is not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedNotification("The body is not a JSON object")
    event_id = _field(data, "id", str)
    kind = _field(data, "type", str)
    payment_code = _field(data, "payment", str)
    amount_minor = _field(data, "amount_minor", int)
    currency = _field(data, "currency", str)
    _field(data, "created", int)
    if not event_id.startswith("evt_") or len(event_id) > _MAX_EVENT_ID:
        raise MalformedNotification("The event id is not a sandbox event id")
    if kind not in OUTCOME_BY_TYPE:
        raise MalformedNotification(f"Unknown notification type {kind!r}")
    if not payment_code or len(payment_code) > _MAX_PAYMENT_CODE:
        raise MalformedNotification("The payment code is not valid")
    if amount_minor < 0:
        raise MalformedNotification("The amount is negative")
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise MalformedNotification("The currency is not an ISO-4217 code")
    return Notification(
        event_id=event_id,
        payment_code=payment_code,
        outcome=OUTCOME_BY_TYPE[kind],
        amount_minor=amount_minor,
        currency=currency,
        external_payment_id=f"sbx_{payment_code}",
        raw=data,
    )


def build_notification(
    payment: Payment,
    outcome: str,
    *,
    event_id: str | None = None,
    timestamp: int | None = None,
    amount_minor: int | None = None,
    currency: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A signed callback body and headers saying ``payment`` reached ``outcome``.

    ``outcome`` is ``"captured"``, ``"failed"`` or ``"cancelled"``. The amount and
    currency are the payment row's unless overridden (tests of a mismatching vendor use
    that). Signed with ``settings.SANDBOX_PAYMENT_SECRET`` at ``timestamp`` (now by
    default). Used by the hosted page and by other apps' tests.
    """
    if outcome not in TYPE_BY_OUTCOME:
        raise ValueError(f"outcome must be one of {sorted(TYPE_BY_OUTCOME)}, not {outcome!r}")
    created = int(time.time()) if timestamp is None else timestamp
    document = {
        "id": event_id or f"evt_{public_code('', 20)}",
        "type": TYPE_BY_OUTCOME[outcome],
        "payment": payment.code,
        "amount_minor": payment.amount_minor if amount_minor is None else amount_minor,
        "currency": payment.currency if currency is None else currency,
        "created": created,
    }
    body = json.dumps(document, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        signing.SIGNATURE_HEADER: signing.sign(
            body, secret=settings.SANDBOX_PAYMENT_SECRET, timestamp=created
        ),
    }
    return body, headers
