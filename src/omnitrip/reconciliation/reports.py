"""The CSV report of a reconciliation run, for accountants and spreadsheets."""

from __future__ import annotations

import csv
import io

from omnitrip.core.money import Money

from .models import ReconciliationItem, ReconciliationRun

REPORT_COLUMNS = (
    "outcome",
    "kind",
    "reference",
    "provider_transaction_id",
    "file_amount",
    "file_currency",
    "our_amount",
    "our_currency",
    "fee",
    "detail",
)
# A spreadsheet runs a cell starting with one of these as a formula; file text is untrusted.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def report_csv(run: ReconciliationRun) -> bytes:
    """UTF-8 CSV: the header :data:`REPORT_COLUMNS`, then one row per item in order.

    Amounts are decimal strings in major units of their own currency (the fee is in the
    file's), empty where that side has nothing. Read-only.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for item in run.items.order_by("position").iterator(chunk_size=1000):
        writer.writerow(report_row(item))
    return out.getvalue().encode()


def report_row(item: ReconciliationItem) -> list[str]:
    return [
        item.outcome,
        item.kind,
        _text(item.reference),
        _text(item.provider_transaction_id),
        _major(item.file_amount),
        item.file_currency,
        _major(item.our_amount),
        item.our_currency,
        _major(item.fee),
        _text(item.detail),
    ]


def report_file_name(run: ReconciliationRun) -> str:
    return f"reconciliation-{run.provider}-{run.period_start}-{run.period_end}-{run.code}.csv"


def _major(amount: Money | None) -> str:
    return "" if amount is None else f"{amount.amount:f}"


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
