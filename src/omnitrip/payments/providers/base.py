"""The payment provider interface.

A provider speaks one vendor's protocol. It never writes to the database and never
changes an order: it builds requests, verifies what comes back, and says what happened.
The payment services store and act on what it says, under the order's lock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omnitrip.payments.models import Payment, Refund


@dataclass(frozen=True)
class StartResult:
    """How the payer continues: a page to open, or content to render as a QR code."""

    redirect_url: str = ""
    qr_content: str = ""
    external_id: str = ""


@dataclass(frozen=True)
class Notification:
    """A verified statement from the provider about one payment.

    ``event_id`` is the provider's unique id for this notification: storing it under a
    unique constraint is what makes replays harmless.
    """

    event_id: str
    payment_code: str
    outcome: str  # "captured" | "failed" | "cancelled"
    amount_minor: int
    currency: str
    external_payment_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SettlementLine:
    """One row of a provider's settlement (bill) file, in our terms.

    ``reference`` is our payment or refund code as we sent it to the provider
    (``out_trade_no`` / ``out_refund_no`` / metadata), so lines match our rows by it.
    """

    kind: str  # "payment" | "refund"
    reference: str
    provider_transaction_id: str
    amount_minor: int  # always positive; ``kind`` gives the direction
    currency: str
    fee_minor: int = 0
    occurred_at: str = ""  # as printed in the file (ISO or the vendor's format)
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: str  # "succeeded" | "pending" | "failed"
    external_id: str = ""
    detail: str = ""


class PaymentProvider(ABC):
    """About ten methods; each says what it may not do."""

    #: registry key, e.g. "sandbox", "alipay"
    name: str = ""
    #: shown to the payer
    display_name_en: str = ""
    display_name_zh: str = ""

    def supports_currency(self, currency: str) -> bool:
        """Whether this provider can collect ``currency``. Must not do I/O."""
        return True

    def is_enabled(self) -> bool:
        """Whether configuration (keys, flags) allows use. Must not do I/O."""
        return True

    @abstractmethod
    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        """Begin collecting ``payment``. May call the vendor; must not write to our database.

        ``return_url`` is where the payer's browser comes back to; ``client_ip`` is the
        payer's address (some vendors require it, e.g. WeChat Pay H5).
        """

    @abstractmethod
    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Authenticate and parse an inbound callback.

        Raises ``InvalidSignature`` on a missing, forged or stale signature. Must not trust
        anything in ``body`` before the signature is checked, and must not write anything.
        """

    def acknowledgement(self, accepted: bool) -> tuple[int, str, str]:
        """``(status, content_type, body)`` the vendor expects back from our webhook."""
        return (
            (200 if accepted else 400),
            "application/json",
            '{"received": %s}' % ("true" if accepted else "false"),
        )

    @abstractmethod
    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Ask the vendor to return ``refund.amount`` of ``payment``.

        Must be safe to call again with the same refund (send ``refund.code`` as the
        vendor's idempotency key). Must not write to our database.
        """

    def query(self, payment: Payment) -> Notification | None:
        """Ask the vendor for the payment's current state (for reconciliation and retries)."""
        return None

    def parse_settlement(self, content: bytes) -> list[SettlementLine]:
        """Read the vendor's settlement/bill file (its published CSV layout) into lines.

        Pure parsing: no I/O, no database. Raises ``InvalidInput`` on a file that is not
        in the vendor's layout.
        """
        from omnitrip.payments.errors import ProviderUnavailable

        raise ProviderUnavailable(f"{self.name} has no settlement file format")
