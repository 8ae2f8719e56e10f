"""Reading Alipay's 业务明细 (business detail) bill into settlement lines."""

from __future__ import annotations

import io
import zipfile

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine
from omnitrip.plugins.payment_alipay.provider import AlipayProvider

HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
    "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)
PAYMENT_ROW = (
    "2024050122001400000000000001\t,PAY-7K3M9Q2X1B12\t,交易,OT-4F7K2M9Q 滇池一日游,"
    "2024-05-01 11:59:30,2024-05-01 12:00:04,,,,,li***@example.com\t,1234.50,1234.50,"
    "0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-7.41,0.00,"
)
REFUND_ROW = (
    "2024050122001400000000000001\t,PAY-7K3M9Q2X1B12\t,退款,OT-4F7K2M9Q 滇池一日游,"
    "2024-05-01 11:59:30,2024-05-02 09:30:00,,,,,li***@example.com\t,-12.34,-12.34,"
    "0.00,0.00,0.00,0.00,0.00,,0.00,0.00,RF-7K3M9Q2X1B12\t,0.07,0.00,customer cancelled"
)
BILL = "\r\n".join(
    [
        "#支付宝业务明细查询",
        "#账号：[20881021000000010156]",
        "#起始日期：[2024年05月01日 00:00:00]   终止日期：[2024年05月03日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        HEADER,
        PAYMENT_ROW,
        REFUND_ROW,
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔，商家实收：1234.50元，商家优惠：0.00元",
        "#退款合计：1笔，商家实收：-12.34元，商家优惠：0.00元",
        "#导出时间：[2024年05月03日 10:00:00]",
        "",
    ]
)
EXPECTED = [
    ("payment", "PAY-7K3M9Q2X1B12", 123_450, 741, "2024-05-01T12:00:04+08:00"),
    ("refund", "RF-7K3M9Q2X1B12", 1_234, 7, "2024-05-02T09:30:00+08:00"),
]


def summary(lines: list[SettlementLine]) -> list[tuple[str, str, int, int, str]]:
    return [
        (line.kind, line.reference, line.amount_minor, line.fee_minor, line.occurred_at)
        for line in lines
    ]


def test_a_gbk_bill_becomes_a_payment_line_and_a_refund_line_in_exact_fen():
    lines = AlipayProvider().parse_settlement(BILL.encode("gbk"))

    assert summary(lines) == EXPECTED
    payment, refund = lines
    assert payment.provider_transaction_id == "2024050122001400000000000001"
    assert refund.provider_transaction_id == "2024050122001400000000000001"
    assert (payment.currency, refund.currency) == ("CNY", "CNY")
    # Cells keep their value without the tab Alipay pads numbers with.
    assert payment.raw["商户订单号"] == "PAY-7K3M9Q2X1B12"
    assert payment.raw["商品名称"] == "OT-4F7K2M9Q 滇池一日游"
    assert refund.raw["备注"] == "customer cancelled"
    assert refund.raw["商户订单号"] == "PAY-7K3M9Q2X1B12"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.replace("\r\n", "\n").encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030-lf"],
)
def test_the_same_bill_in_utf8_or_with_other_line_ends_reads_the_same(encode):
    assert summary(AlipayProvider().parse_settlement(encode(BILL))) == EXPECTED


def test_the_zip_alipay_serves_is_read_from_its_detail_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        summary_file = zipfile.ZipInfo("20881021000000010156_20240501_业务明细(汇总).csv")
        archive.writestr(summary_file, "#支付宝业务汇总查询\n".encode("gbk"))
        archive.writestr("20881021000000010156_20240501_业务明细.csv", BILL.encode("gbk"))

    assert summary(AlipayProvider().parse_settlement(buffer.getvalue())) == EXPECTED


class GbkNamedMember(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as Alipay's zips are."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def test_member_names_written_in_gbk_are_recognised():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(GbkNamedMember("2088_20240501_业务明细(汇总).csv"), b"#\n")
        archive.writestr(GbkNamedMember("2088_20240501_业务明细.csv"), BILL.encode("gbk"))
    assert "业务明细".encode("gbk") in buffer.getvalue()

    assert summary(AlipayProvider().parse_settlement(buffer.getvalue())) == EXPECTED


def test_a_bill_with_only_comments_and_the_header_has_no_lines():
    text = "#支付宝业务明细查询\n" + HEADER + "\n#导出时间：[2024年05月03日 10:00:00]\n"

    assert AlipayProvider().parse_settlement(text.encode("gbk")) == []


ACCOUNT_BILL = "\n".join(
    [
        "#支付宝账务明细查询",
        "#账号：[20881021000000010156]",
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,"
        "支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注",
        "20240501200040011100000000000001\t,2024050122001400000000000001\t,PAY-7K3M9Q2X1B12\t,"
        "滇池一日游,2024-05-01 12:00:04,li***@example.com,1234.50,0.00,1234.50,支付宝,在线支付,",
    ]
)


@pytest.mark.parametrize(
    "content",
    [
        ACCOUNT_BILL.encode("gbk"),
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号\n`2024-05-01,`wx1,`1,`42,`PAY-1\n".encode(),
        b"",
        b"\x00\x01\x02binary",
        b"PK\x03\x04 not really a zip",
    ],
    ids=["account-detail", "wechat-bill", "empty", "binary", "broken-zip"],
)
def test_a_file_in_another_layout_is_refused(content):
    with pytest.raises(InvalidInput):
        AlipayProvider().parse_settlement(content)


def test_a_zip_without_a_detail_file_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing here")

    with pytest.raises(InvalidInput, match="no Alipay business detail"):
        AlipayProvider().parse_settlement(buffer.getvalue())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("1234.50,1234.50", "1234.505,1234.50", "not an amount"),
        (",交易,", ",转账,", "unknown 业务类型"),
        ("2024-05-01 12:00:04", "yesterday", "no readable time"),
        (",customer cancelled", ",customer cancelled,extra", "cells"),
        ("RF-7K3M9Q2X1B12\t", "", "lacks"),
    ],
    ids=["three-decimals", "unknown-type", "bad-time", "extra-cell", "refund-without-number"],
)
def test_a_row_we_cannot_read_exactly_refuses_the_whole_file(old, new, message):
    assert BILL.count(old) == 1

    with pytest.raises(InvalidInput, match=message):
        AlipayProvider().parse_settlement(BILL.replace(old, new).encode("gbk"))
