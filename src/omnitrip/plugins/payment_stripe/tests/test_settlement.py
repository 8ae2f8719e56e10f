"""Reading Stripe's itemized balance change report into settlement lines."""

from __future__ import annotations

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine
from omnitrip.plugins.payment_stripe.provider import StripeProvider

HEADER = (
    "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
    "reporting_category,source_id,description,customer_facing_amount,"
    "customer_facing_currency,payment_metadata[payment],refund_metadata[refund]"
)
CHARGE = (
    "txn_1Charge,2025-03-01 10:15:00,2025-03-03 00:00:00,cny,1280.00,37.42,1242.58,"
    "charge,ch_1,Order OT-1,1280.00,cny,PAY-AAAA00000001,"
)
REFUND = (
    "txn_2Refund,2025-03-02 08:00:00,2025-03-02 08:00:00,cny,-200.50,0.00,-200.50,"
    "refund,re_1,REFUND FOR CHARGE (Order OT-1),-200.50,cny,PAY-AAAA00000001,RF-BBBB00000001"
)
FEE = "txn_3Fee,2025-03-02 09:00:00,2025-03-02 09:00:00,cny,-5.00,0.00,-5.00,fee,,Billing,,,,"
PAYOUT = (
    "txn_4Payout,2025-03-03 09:00:00,2025-03-03 09:00:00,cny,-1000.00,0.00,-1000.00,"
    "payout,po_1,STRIPE PAYOUT,,,,"
)


def report(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def parse(content: bytes) -> list[SettlementLine]:
    return StripeProvider().parse_settlement(content)


def test_charges_and_refunds_become_lines_and_other_categories_are_skipped():
    lines = parse(report(CHARGE, REFUND, FEE, PAYOUT))

    charge, refund = lines
    assert (
        charge.kind,
        charge.reference,
        charge.provider_transaction_id,
        charge.amount_minor,
        charge.currency,
        charge.fee_minor,
        charge.occurred_at,
    ) == (
        "payment",
        "PAY-AAAA00000001",
        "txn_1Charge",
        128_000,
        "CNY",
        3_742,
        "2025-03-01 10:15:00",
    )
    assert (
        refund.kind,
        refund.reference,
        refund.provider_transaction_id,
        refund.amount_minor,
        refund.currency,
        refund.fee_minor,
        refund.occurred_at,
    ) == ("refund", "RF-BBBB00000001", "txn_2Refund", 20_050, "CNY", 0, "2025-03-02 08:00:00")
    assert charge.raw["source_id"] == "ch_1"
    assert refund.raw["description"] == "REFUND FOR CHARGE (Order OT-1)"


def test_zero_decimal_amounts_are_whole_units():
    row = "txn_5,2025-03-01 10:00:00,2025-03-03 00:00:00,jpy,12800,460,12340,charge,ch_2,,12800,jpy,PAY-J,"

    (line,) = parse(report(row))

    assert (line.amount_minor, line.fee_minor, line.currency) == (12_800, 460, "JPY")


def test_a_byte_order_mark_and_extra_columns_are_accepted():
    header = HEADER + ",payment_intent_id"
    content = b"\xef\xbb\xbf" + report(CHARGE + ",pi_1", header=header)

    (line,) = parse(content)

    assert (line.reference, line.raw["payment_intent_id"]) == ("PAY-AAAA00000001", "pi_1")


def test_a_report_with_no_rows_has_no_lines():
    assert parse(report()) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        # Alipay's and WeChat Pay's bills are not this report.
        "支付宝交易号,商户订单号,业务类型\r\n2025,PAY-1,交易\r\n".encode(),
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号\r\n`2025,`wx1,`1,`4200,`PAY-1\r\n".encode(),
        # The right report run without our metadata columns.
        report(
            "txn_1,2025-03-01 10:15:00,2025-03-03,cny,1.00,0.00,1.00,charge",
            header="balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
            "reporting_category",
        ),
        b"\xff\xfe\x00b\x00a",
    ],
    ids=["empty", "alipay", "wechatpay", "no-metadata-columns", "not-utf8"],
)
def test_a_file_in_another_layout_is_refused(content):
    with pytest.raises(InvalidInput):
        parse(content)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (CHARGE.replace("1280.00,37.42", "1280.005,37.42"), "more decimals than CNY"),
        (CHARGE.replace("1280.00,37.42", "12.8e2x,37.42"), "not a number"),
        (CHARGE.replace("1280.00,37.42", "NaN,37.42"), "not a number"),
        (CHARGE.replace("1280.00,37.42", "1280.00,abc"), "not a number"),
        (CHARGE.replace(",cny,1280.00", ",yuan,1280.00"), "not a currency"),
        (CHARGE.replace("1280.00,37.42", "-1280.00,37.42"), "a payment with gross"),
        (REFUND.replace("-200.50,0.00", "200.50,0.00"), "a refund with gross"),
        ("txn_1,2025-03-01", "one value per column"),
        (CHARGE + ",surplus", "one value per column"),
        ("txn_1,2025,2025,jpy,12.5,0,12.5,charge,ch,,,,PAY-1,", "more decimals than JPY"),
    ],
)
def test_a_row_that_does_not_fit_the_layout_is_refused(row, message):
    with pytest.raises(InvalidInput, match=message):
        parse(report(row))
