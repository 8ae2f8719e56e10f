"""The CSV report: a header and one row per item, amounts in major units."""

from __future__ import annotations

import csv
import io

import pytest

from omnitrip.reconciliation.reports import REPORT_COLUMNS, report_csv
from omnitrip.reconciliation.services import reconcile_file

from .factories import add_line, bill, edit_line, paid, refunded

pytestmark = pytest.mark.django_db


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_the_report_has_a_header_and_one_row_per_item_in_major_units():
    matched = paid(amount_minor=12_800)
    wrong_amount = paid(amount_minor=10_000)
    missing = paid(amount_minor=5_005)
    refund = refunded(matched, amount_minor=2_500)
    content = edit_line(bill([matched, wrong_amount], [refund]), wrong_amount.code, amount="99.5")
    content = add_line(content, payment="PAY-NOTOURS00001", transaction_id="sbx_x", amount="7")

    run = reconcile_file("sandbox", content, file_name="bill.csv")
    report = report_csv(run)

    assert rows(report) == [
        list(REPORT_COLUMNS),
        [
            "matched",
            "payment",
            matched.code,
            f"sbx_{matched.code}",
            "128.00",
            "CNY",
            "128.00",
            "CNY",
            "0.77",
            "",
        ],
        [
            "amount_mismatch",
            "payment",
            wrong_amount.code,
            f"sbx_{wrong_amount.code}",
            "99.50",
            "CNY",
            "100.00",
            "CNY",
            "0.60",
            "The file has 99.50 CNY, we have 100.00 CNY",
        ],
        [
            "matched",
            "refund",
            refund.code,
            f"sbx_rf_{refund.code}",
            "25.00",
            "CNY",
            "25.00",
            "CNY",
            "0.00",
            "",
        ],
        [
            "extra_in_file",
            "payment",
            "PAY-NOTOURS00001",
            "sbx_x",
            "7.00",
            "CNY",
            "",
            "",
            "0.00",
            "We have no payment PAY-NOTOURS00001",
        ],
        [
            "missing_in_file",
            "payment",
            missing.code,
            "",
            "",
            "",
            "50.05",
            "CNY",
            "",
            "Captured by us at 2026-03-01 12:00:00 UTC; not in this file",
        ],
    ]
    assert REPORT_COLUMNS == (
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


def test_the_report_shows_a_currency_without_decimals_as_it_is_written():
    payment = paid(amount_minor=1_500, currency="JPY")

    run = reconcile_file("sandbox", bill([payment]), file_name="bill.csv")

    assert rows(report_csv(run))[1][4:9] == ["1500", "JPY", "1500", "JPY", "9"]


def test_text_from_the_file_cannot_become_a_spreadsheet_formula():
    content = add_line(bill([paid()]), payment="=HYPERLINK(1)", transaction_id="+sbx")

    run = reconcile_file("sandbox", content, file_name="bill.csv")

    extra = rows(report_csv(run))[2]
    assert extra[2:4] == ["'=HYPERLINK(1)", "'+sbx"]
    assert extra[9] == "We have no payment =HYPERLINK(1)"  # starts harmlessly
