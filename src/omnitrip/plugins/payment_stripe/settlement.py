"""Stripe's "Itemized balance change from activity" report (``balance_change_from_activity.
itemized.*``) read into :class:`SettlementLine` rows.

One row per balance transaction. Amounts (``gross``, ``fee``, ``net``) are decimals in
the currency's *major* unit (``12.50`` dollars, ``1500`` yen), negative for money leaving
the balance; ``currency`` is lower-case. Custom metadata appears only when the report is
run with those columns, so run it with at least :data:`REPORT_COLUMNS` (our payment code is
``payment_metadata[payment]`` because we set it on the PaymentIntent; refunds carry
``refund_metadata[refund]``).

Rows whose ``reporting_category`` is ``charge`` become payment lines and ``refund`` rows
refund lines; other categories (fees, payouts, disputes, failed refunds…) are not
payments or refunds of ours and are skipped. Pure parsing: no I/O, no database.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from omnitrip.core.errors import InvalidInput
from omnitrip.core.money import exponent
from omnitrip.payments.providers import SettlementLine

PAYMENT_REFERENCE_COLUMN = "payment_metadata[payment]"
REFUND_REFERENCE_COLUMN = "refund_metadata[refund]"

#: The columns to request when running the report (Reporting API ``parameters[columns]``).
REPORT_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "customer_facing_amount",
    "customer_facing_currency",
    "payment_intent_id",
    "charge_id",
    PAYMENT_REFERENCE_COLUMN,
    REFUND_REFERENCE_COLUMN,
)

#: Without these we cannot produce a line: any other file is not this report.
REQUIRED_COLUMNS = frozenset(
    {
        "balance_transaction_id",
        "created_utc",
        "currency",
        "gross",
        "fee",
        "reporting_category",
        PAYMENT_REFERENCE_COLUMN,
        REFUND_REFERENCE_COLUMN,
    }
)

_KIND_BY_CATEGORY = {"charge": "payment", "refund": "refund"}


def _minor_units(value: str, currency: str, column: str, row_number: int) -> int:
    """A major-unit decimal as exact integer minor units of ``currency``; never rounds."""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"Row {row_number}: {column} {value!r} is not a number") from exc
    if not amount.is_finite():
        raise InvalidInput(f"Row {row_number}: {column} {value!r} is not a number")
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise InvalidInput(
            f"Row {row_number}: {column} {value!r} has more decimals than {currency} allows"
        )
    return int(minor)


def _currency(value: str, row_number: int) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidInput(f"Row {row_number}: {value!r} is not a currency code")
    return code


def parse_report(content: bytes) -> list[SettlementLine]:
    """Read the report CSV; raise :class:`InvalidInput` on anything not in its layout."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The Stripe report is not UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = REQUIRED_COLUMNS.difference(header)
    if missing:
        raise InvalidInput(
            "Not a Stripe itemized balance change report; missing columns: "
            + ", ".join(sorted(missing))
        )
    lines: list[SettlementLine] = []
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"The Stripe report is not valid CSV: {exc}") from exc
    for row_number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            raise InvalidInput(f"Row {row_number} does not have one value per column")
        kind = _KIND_BY_CATEGORY.get(row["reporting_category"].strip())
        if kind is None:
            continue
        currency = _currency(row["currency"], row_number)
        gross = _minor_units(row["gross"], currency, "gross", row_number)
        fee = _minor_units(row["fee"], currency, "fee", row_number)
        if (gross < 0) if kind == "payment" else (gross > 0):
            raise InvalidInput(f"Row {row_number}: a {kind} with gross {row['gross']!r}")
        reference_column = (
            PAYMENT_REFERENCE_COLUMN if kind == "payment" else REFUND_REFERENCE_COLUMN
        )
        lines.append(
            SettlementLine(
                kind=kind,
                reference=row[reference_column].strip(),
                provider_transaction_id=row["balance_transaction_id"].strip(),
                # Refunds are negative in the report; the line's kind carries the direction.
                amount_minor=abs(gross),
                currency=currency,
                fee_minor=fee,
                occurred_at=row["created_utc"].strip(),
                raw=dict(row),
            )
        )
    return lines
