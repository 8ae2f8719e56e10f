"""The sandbox bill: what ``sandbox_settlement_csv`` writes, ``parse_settlement`` reads."""

from __future__ import annotations

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine, get_provider

from .factories import NOON, bill, paid, refunded

pytestmark = pytest.mark.django_db

HEADER = b"date,type,payment,refund,transaction_id,amount,currency,fee\n"


def parse(content: bytes) -> list[SettlementLine]:
    return get_provider("sandbox").parse_settlement(content)


def test_the_bill_written_for_our_rows_reads_back_as_their_lines():
    payment = paid(amount_minor=12_800)
    refund = refunded(payment, amount_minor=2_500)
    content = bill([payment], [refund])

    lines = parse(content)

    assert content.decode().splitlines() == [
        "date,type,payment,refund,transaction_id,amount,currency,fee",
        f"2026-03-01T12:00:00+00:00,payment,{payment.code},,sbx_{payment.code},128.00,CNY,0.77",
        f"2026-03-01T12:00:00+00:00,refund,{payment.code},{refund.code},sbx_rf_{refund.code},25.00,CNY,0.00",
    ]
    assert [(line.kind, line.reference, line.amount_minor, line.fee_minor) for line in lines] == [
        ("payment", payment.code, 12_800, 77),
        ("refund", refund.code, 2_500, 0),
    ]
    assert lines[0].provider_transaction_id == f"sbx_{payment.code}"
    assert lines[0].occurred_at == NOON.isoformat()
    assert lines[1].raw["payment"] == payment.code


def test_a_byte_order_mark_blank_rows_and_an_empty_fee_are_accepted():
    content = "\ufeff".encode() + HEADER + b"\n2026-03-01,payment,PAY-1,,sbx_1,1500,JPY,\n\n"

    (line,) = parse(content)

    assert (line.reference, line.amount_minor, line.currency, line.fee_minor) == (
        "PAY-1",
        1_500,
        "JPY",
        0,
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            b"2026-03-01,payment,PAY-1,,sbx_1,0.00,CNY,0",
            "Sandbox bill row 2: the amount must be positive",
        ),
        (
            b"2026-03-01,payment,PAY-1,,sbx_1,-1.00,CNY,0",
            "Sandbox bill row 2: amount '-1.00' is negative or not finite",
        ),
        (
            b"2026-03-01,payment,PAY-1,,sbx_1,NaN,CNY,0",
            "Sandbox bill row 2: amount 'NaN' is negative or not finite",
        ),
        (
            b"2026-03-01,payment,PAY-1,,sbx_1,1.00,cny,0",
            "Sandbox bill row 2: 'cny' is not an ISO 4217 code",
        ),
        (
            b"2026-03-01,payment,,,sbx_1,1.00,CNY,0",
            "Sandbox bill row 2: a payment row needs a payment code",
        ),
        (
            b"2026-03-01,refund,PAY-1,,sbx_1,1.00,CNY,0",
            "Sandbox bill row 2: a refund row needs a refund code",
        ),
        (
            b"2026-03-01,payment,PAY-1,RF-1,sbx_1,1.00,CNY,0",
            "Sandbox bill row 2: a payment row has no refund code",
        ),
        (
            b"2026-03-01,payment,PAY-1,,,1.00,CNY,0",
            "Sandbox bill row 2: the transaction id is missing",
        ),
        (b"2026-03-01,payment,PAY-1,,sbx_1,1.00,CNY", "Sandbox bill row 2 has 7 columns, not 8"),
        (
            b"2026-03-01,payment,PAY-1,,sbx_1,1.00,CNY,abc",
            "Sandbox bill row 2: fee 'abc' is not a number",
        ),
    ],
)
def test_a_row_outside_the_layout_is_refused_by_its_number(row, message):
    with pytest.raises(InvalidInput) as caught:
        parse(HEADER + row + b"\n")

    assert caught.value.detail.startswith(message)
