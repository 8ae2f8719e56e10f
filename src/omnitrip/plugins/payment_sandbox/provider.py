"""The sandbox payment provider: an offline stand-in for a real vendor.

It behaves like one from the outside: the payer is sent to a hosted page, and the
decision comes back as a signed, timestamped JSON callback that is verified exactly as a
vendor's would be. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings

from omnitrip.core.errors import DomainError, InvalidInput
from omnitrip.core.ids import public_code
from omnitrip.core.money import Money, exponent
from omnitrip.payments.providers import (
    Notification,
    PaymentProvider,
    RefundResult,
    SettlementLine,
    StartResult,
)

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

    def parse_settlement(self, content: bytes) -> list[SettlementLine]:
        """Read a sandbox bill (layout in :func:`parse_settlement_csv`); no I/O."""
        return parse_settlement_csv(content)


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


# --- the sandbox bill -------------------------------------------------------------------

#: The sandbox bill's header, exactly.
SETTLEMENT_COLUMNS = (
    "date",
    "type",
    "payment",
    "refund",
    "transaction_id",
    "amount",
    "currency",
    "fee",
)
#: What the sandbox "charges" on a payment, in percent; refunds carry no fee.
SETTLEMENT_FEE_PERCENT = "0.6"
_MAX_REFERENCE = 20  # the width of Payment.code and Refund.code
_MAX_MINOR = 2**63 - 1  # what a BigInteger column holds


def parse_settlement_csv(content: bytes) -> list[SettlementLine]:
    """Read the sandbox bill: our own, deliberately plain settlement file.

    Layout: UTF-8 CSV (a byte-order mark is tolerated), comma-separated, one header row
    exactly ``date,type,payment,refund,transaction_id,amount,currency,fee``, then one row
    per money movement; blank rows are ignored.

    - ``date``: when the movement happened, ISO 8601, a date-time (``2026-03-01T10:15:00+00:00``;
      UTC when it has no offset) or a bare date. Kept as printed in ``occurred_at``.
    - ``type``: ``payment`` or ``refund``.
    - ``payment``: our payment code. Required on a payment row (it is the reference);
      on a refund row it names the refunded payment and is informative only.
    - ``refund``: our refund code; required on a refund row (its reference), empty on a
      payment row.
    - ``transaction_id``: the sandbox's id for the movement (``sbx_…`` / ``sbx_rf_…``).
    - ``amount``: positive, in major units with at most the currency's decimals
      (``128.00`` CNY, ``1500`` JPY); the ``type`` gives the direction.
    - ``currency``: ISO 4217, upper case.
    - ``fee``: what the sandbox kept, in major units, zero or positive; empty means 0.

    Raises ``InvalidInput`` naming the first offending row; returns nothing partial.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The sandbox bill is not UTF-8 text", field="content") from exc
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
        if header is None or tuple(cell.strip() for cell in header) != SETTLEMENT_COLUMNS:
            raise InvalidInput(
                "The sandbox bill must start with the header " + ",".join(SETTLEMENT_COLUMNS),
                field="content",
            )
        return [
            _settlement_line(row, number)
            for number, row in enumerate(rows, start=2)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as exc:
        raise InvalidInput(f"The sandbox bill is not valid CSV: {exc}", field="content") from exc


def _settlement_line(row: list[str], number: int) -> SettlementLine:
    where = f"Sandbox bill row {number}"
    if len(row) != len(SETTLEMENT_COLUMNS):
        raise InvalidInput(
            f"{where} has {len(row)} columns, not {len(SETTLEMENT_COLUMNS)}", field="content"
        )
    record = dict(zip(SETTLEMENT_COLUMNS, (cell.strip() for cell in row), strict=True))
    kind = record["type"]
    if kind not in ("payment", "refund"):
        raise InvalidInput(f"{where}: type must be payment or refund", field="content")
    reference = record[kind]
    if not reference or len(reference) > _MAX_REFERENCE:
        raise InvalidInput(
            f"{where}: a {kind} row needs a {kind} code of at most {_MAX_REFERENCE} characters",
            field="content",
        )
    if kind == "payment" and record["refund"]:
        raise InvalidInput(f"{where}: a payment row has no refund code", field="content")
    if not record["transaction_id"]:
        raise InvalidInput(f"{where}: the transaction id is missing", field="content")
    currency = record["currency"]
    if (
        len(currency) != 3
        or not currency.isascii()
        or not currency.isalpha()
        or not currency.isupper()
    ):
        raise InvalidInput(f"{where}: {currency!r} is not an ISO 4217 code", field="content")
    _settlement_date(record["date"], where)
    amount_minor = _minor_units(record["amount"], currency, where, "amount")
    if amount_minor <= 0:
        raise InvalidInput(f"{where}: the amount must be positive", field="content")
    fee_minor = _minor_units(record["fee"] or "0", currency, where, "fee")
    return SettlementLine(
        kind=kind,
        reference=reference,
        provider_transaction_id=record["transaction_id"],
        amount_minor=amount_minor,
        currency=currency,
        fee_minor=fee_minor,
        occurred_at=record["date"],
        raw=record,
    )


def _settlement_date(text: str, where: str) -> None:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{where}: {text!r} is not an ISO 8601 date", field="content") from exc


def _minor_units(text: str, currency: str, where: str, column: str) -> int:
    """Exact major units → minor units; more decimals than the currency has is an error."""
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(f"{where}: {column} {text!r} is not a number", field="content") from exc
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{where}: {column} {text!r} is negative or not finite", field="content")
    minor = value.scaleb(exponent(currency))
    if minor > _MAX_MINOR:
        raise InvalidInput(f"{where}: {column} {text!r} is too large", field="content")
    if minor != minor.to_integral_value():
        raise InvalidInput(
            f"{where}: {column} {text!r} has more decimals than {currency} allows",
            field="content",
        )
    return int(minor)


def sandbox_settlement_csv(payments: Iterable[Payment], refunds: Iterable[Refund] = ()) -> bytes:
    """A sandbox bill listing ``payments`` then ``refunds``, as the sandbox would send it.

    Each row is what the sandbox would have recorded for our row, whatever our status:
    payments dated ``captured_at`` (else ``updated_at``) with a fee of
    :data:`SETTLEMENT_FEE_PERCENT` percent, refunds dated ``updated_at`` with no fee; the
    transaction id is the row's ``external_id`` or the sandbox's own (``sbx_<code>``,
    ``sbx_rf_<code>``). Reads ``refund.payment`` (select it with the refunds to save a
    query each). For the demo and for tests, which edit the rows to make discrepancies.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for payment in payments:
        amount = Money(payment.amount_minor, payment.currency)
        writer.writerow(
            [
                (payment.captured_at or payment.updated_at).isoformat(),
                "payment",
                payment.code,
                "",
                payment.external_id or external_payment_id(payment),
                amount.amount,
                payment.currency,
                amount.percentage(SETTLEMENT_FEE_PERCENT).amount,
            ]
        )
    for refund in refunds:
        writer.writerow(
            [
                refund.updated_at.isoformat(),
                "refund",
                refund.payment.code,
                refund.code,
                refund.external_id or f"sbx_rf_{refund.code}",
                Money(refund.amount_minor, refund.currency).amount,
                refund.currency,
                Money.zero(refund.currency).amount,
            ]
        )
    return out.getvalue().encode()
