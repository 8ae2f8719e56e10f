"""The trade bill (交易账单, ALL): payment and refund lines, exact fen, foreign files refused."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine, get_provider
from omnitrip.plugins.payment_wechatpay.bills import fee_to_fen, parse_trade_bill, yuan_to_fen

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
PAYMENT_ROW = (
    "`2026-05-20 13:29:35,`wxd678efh567hg6787,`1900000109,`0,`,`4200000985202605200412345678,"
    "`PAY-7K3M9Q2X1B0A,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`1280.00,"
    "`0.00,`0,`0,`0.00,`0.00,`,`,`滇池酒店 - 订单 OT-1,`,`7.68000,`0.60%,`1280.00,`0.00,`"
)
REFUND_ROW = (
    "`2026-05-21 09:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000985202605200412345678,"
    "`PAY-7K3M9Q2X1B0A,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,"
    "`0.00,`50000000382019052709732678859,`RF-7K3M9Q2X1B0A,`25.01,`0.00,`ORIGINAL,`SUCCESS,"
    "`滇池酒店 - 订单 OT-1,`,`-0.15006,`0.60%,`0.00,`25.01,`"
)
SUMMARY_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)
SUMMARY_ROW = "`2,`1280.00,`25.01,`0.00,`7.52994,`1280.00,`25.01"


def bill(*rows: str, summary: str = SUMMARY_ROW, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows, SUMMARY_HEADER, summary, ""]).encode()


def test_a_trade_bill_reads_into_a_payment_line_and_a_refund_line():
    lines = parse_trade_bill(bill(PAYMENT_ROW, REFUND_ROW))

    assert [(line.kind, line.reference, line.amount_minor) for line in lines] == [
        ("payment", "PAY-7K3M9Q2X1B0A", 128_000),
        ("refund", "RF-7K3M9Q2X1B0A", 2_501),
    ]
    payment, refund = lines
    assert payment == SettlementLine(
        kind="payment",
        reference="PAY-7K3M9Q2X1B0A",
        provider_transaction_id="4200000985202605200412345678",
        amount_minor=128_000,
        currency="CNY",
        fee_minor=768,
        occurred_at="2026-05-20T13:29:35+08:00",
        raw=payment.raw,
    )
    assert (refund.provider_transaction_id, refund.currency, refund.fee_minor) == (
        "50000000382019052709732678859",
        "CNY",
        15,
    )
    assert refund.occurred_at == "2026-05-21T09:00:00+08:00"
    # Every column is kept, without its backtick, for whoever reconciles by hand.
    assert (refund.raw["商户订单号"], refund.raw["申请退款金额"], refund.raw["费率备注"]) == (
        "PAY-7K3M9Q2X1B0A",
        "25.01",
        "",
    )
    assert len(payment.raw) == 27


def test_both_wechat_providers_parse_the_same_bill(wechat):
    content = bill(PAYMENT_ROW, REFUND_ROW)

    assert get_provider("wechatpay_native").parse_settlement(content) == get_provider(
        "wechatpay_h5"
    ).parse_settlement(content)


def test_a_bill_with_a_byte_order_mark_and_crlf_line_ends_is_read():
    content = "\ufeff".encode() + bill(PAYMENT_ROW, REFUND_ROW, end="\r\n")

    assert [line.kind for line in parse_trade_bill(content)] == ["payment", "refund"]


def test_a_product_name_with_a_unicode_line_separator_stays_in_its_row():
    row = _swap(PAYMENT_ROW, "`滇池酒店 - 订单 OT-1", "`滇池\u2028酒店")

    (line, _refund) = parse_trade_bill(bill(row, REFUND_ROW))

    assert line.raw["商品名称"] == "滇池\u2028酒店"


def test_a_gzip_compressed_bill_is_read():
    content = gzip.compress(bill(PAYMENT_ROW, REFUND_ROW))

    assert [line.reference for line in parse_trade_bill(content)] == [
        "PAY-7K3M9Q2X1B0A",
        "RF-7K3M9Q2X1B0A",
    ]


def test_a_day_without_transactions_is_an_empty_list():
    assert parse_trade_bill(bill(summary="`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00")) == []


@given(st.integers(min_value=0, max_value=10**15))
def test_every_yuan_amount_converts_to_exactly_its_fen(fen):
    assert yuan_to_fen(f"{fen // 100}.{fen % 100:02d}", where="test") == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1", 100), ("1.5", 150), ("0.01", 1), ("19.99", 1999), ("0.10", 10)],
)
def test_yuan_with_fewer_decimals_convert_exactly(text, fen):
    assert yuan_to_fen(text, where="test") == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("7.68000", 768), ("0.05940", 6), ("-0.05940", 6), ("0.00500", 1), ("0.00499", 0)],
)
def test_a_fee_is_rounded_half_up_to_whole_fen_and_positive(text, fen):
    assert fee_to_fen(text, where="test") == fen


@pytest.mark.parametrize(
    "text", ["1280.001", "-1.00", "1,280.00", "1e3", "NaN", "", "¥1.00", " 1.00x"]
)
def test_an_amount_that_is_not_exact_yuan_is_refused(text):
    with pytest.raises(InvalidInput, match="not an amount in yuan"):
        yuan_to_fen(text, where="test")


def _swap(row: str, old: str, new: str) -> str:
    assert old in row
    return row.replace(old, new, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）\n"
            "2026052022001,PAY-1,交易,Hotel,2026-05-20,2026-05-20,1280.00\n"
            "#-----------------------------------------业务明细列表结束\n".encode(),
            "no column",
        ),
        (b"id,amount,currency\n1,100,CNY\n2,200,CNY\n", "no column"),
        (b"", "too few rows"),
        (b"\xff\xfe\x00\x00", "not UTF-8"),
        (b"\x1f\x8bnot-really-gzip", "not a valid gzip"),
        ("\n".join([HEADER, PAYMENT_ROW, REFUND_ROW, ""]).encode(), "must end with the summary"),
        (
            "\n".join([HEADER, PAYMENT_ROW, SUMMARY_HEADER, SUMMARY_ROW, REFUND_ROW]).encode(),
            "must end with the summary",
        ),
        (bill(PAYMENT_ROW), "summary says 2"),
        (
            bill(
                PAYMENT_ROW, REFUND_ROW, summary=_swap(SUMMARY_ROW, "`25.01,`0.00", "`25.00,`0.00")
            ),
            "退款总金额",
        ),
        (bill(PAYMENT_ROW, REFUND_ROW, PAYMENT_ROW), "summary says 2"),
        (
            bill(_swap(PAYMENT_ROW, "`SUCCESS", "`REVOKED"), REFUND_ROW),
            "neither SUCCESS nor REFUND",
        ),
        (bill(_swap(PAYMENT_ROW, "`1280.00,", "`1280.005,"), REFUND_ROW), "not an amount in yuan"),
        (bill(_swap(PAYMENT_ROW, "`CNY", "`人民币"), REFUND_ROW), "not a currency code"),
        (bill(PAYMENT_ROW + ",`extra", REFUND_ROW), "has 28 columns"),
        (bill(_swap(REFUND_ROW, "`RF-7K3M9Q2X1B0A", "`"), PAYMENT_ROW), "no merchant reference"),
    ],
    ids=[
        "alipay-bill",
        "plain-csv",
        "empty",
        "not-utf8",
        "broken-gzip",
        "no-summary",
        "rows-after-summary",
        "truncated",
        "totals-disagree",
        "extra-row",
        "unknown-state",
        "sub-fen",
        "currency-name",
        "extra-column",
        "no-reference",
    ],
)
def test_a_file_that_is_not_a_whole_wechat_trade_bill_is_refused(content, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_trade_bill(content)

    assert (caught.value.code, caught.value.status) == ("invalid_input", 422)
