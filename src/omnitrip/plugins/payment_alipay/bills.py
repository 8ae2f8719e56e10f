"""Alipay's downloadable trade bill: the 业务明细 (business detail) CSV.

The file Alipay serves (``alipay.data.dataservice.bill.downloadurl.query``, bill type
``trade``) is a zip holding a detail CSV and a summary CSV, GBK-encoded. The detail CSV
opens and closes with ``#`` comment lines (account, period, totals, export time) around
one header row and one row per trade or refund. Cells that hold long numbers end in a tab
so spreadsheets keep them as text. Refund rows carry negative amounts and the refund
request number we sent (``out_request_no``) in 退款批次号/请求号.

This module accepts that zip or the detail CSV itself, in GBK or UTF-8, and refuses
anything else with :class:`InvalidInput`. Pure parsing: no I/O, no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine

from .amounts import CURRENCY, minor_from_yuan
from .gateway import ALIPAY_TIME_ZONE, TIME_FORMAT
from .numbers import our_code

TRADE_NUMBER = "支付宝交易号"
ORDER_NUMBER = "商户订单号"
BUSINESS_TYPE = "业务类型"
CREATED = "创建时间"
FINISHED = "完成时间"
ORDER_AMOUNT = "订单金额（元）"
RECEIVED_AMOUNT = "商家实收（元）"
REFUND_NUMBER = "退款批次号/请求号"
SERVICE_FEE = "服务费（元）"
#: The columns we read; the real header has more (store, operator, discounts, …), in an
#: order Alipay does not promise, so cells are found by name.
REQUIRED_COLUMNS = (
    TRADE_NUMBER,
    ORDER_NUMBER,
    BUSINESS_TYPE,
    CREATED,
    FINISHED,
    ORDER_AMOUNT,
    RECEIVED_AMOUNT,
    REFUND_NUMBER,
    SERVICE_FEE,
)
KIND_BY_BUSINESS_TYPE = {"交易": "payment", "退款": "refund"}
DETAIL_FILE_SUFFIX = "业务明细.csv"
_MAX_MEMBER_BYTES = 64 * 1024 * 1024


def parse_bill(content: bytes) -> list[SettlementLine]:
    """Every trade and refund row of a business detail bill, as settlement lines.

    Amounts are positive fen (``kind`` says the direction), taken from 订单金额（元）,
    the amount we asked for; the fee is 服务费（元） without its sign. ``occurred_at`` is
    the completion time as ISO 8601 with Beijing's offset.
    """
    if content.startswith(b"PK\x03\x04"):
        content = _detail_member(content)
    rows = csv.reader(_data_lines(_decode(content)))
    header = [_clean(cell) for cell in next(rows, [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            f"This is not an Alipay business detail (业务明细) bill: no {', '.join(missing)} column"
        )
    lines = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise InvalidInput(f"Bill row {number} has {len(row)} cells, not {len(header)}")
        record = dict(zip(header, (_clean(cell) for cell in row), strict=True))
        lines.append(_line(record, number))
    return lines


def _line(record: dict[str, str], number: int) -> SettlementLine:
    kind = KIND_BY_BUSINESS_TYPE.get(record[BUSINESS_TYPE])
    if kind is None:
        raise InvalidInput(f"Bill row {number} has an unknown 业务类型 {record[BUSINESS_TYPE]!r}")
    try:
        amount_minor = abs(minor_from_yuan(record[ORDER_AMOUNT], allow_negative=True))
        fee_minor = abs(minor_from_yuan(record[SERVICE_FEE] or "0", allow_negative=True))
    except ValueError as exc:
        raise InvalidInput(f"Bill row {number}: {exc}") from exc
    reference = record[ORDER_NUMBER] if kind == "payment" else record[REFUND_NUMBER]
    if not reference or not record[TRADE_NUMBER]:
        raise InvalidInput(f"Bill row {number} lacks its order, refund or trade number")
    return SettlementLine(
        kind=kind,
        reference=our_code(reference),
        provider_transaction_id=record[TRADE_NUMBER],
        amount_minor=amount_minor,
        currency=CURRENCY,
        fee_minor=fee_minor,
        occurred_at=_occurred_at(record[FINISHED] or record[CREATED], number),
        raw=record,
    )


def _occurred_at(text: str, number: int) -> str:
    try:
        local = dt.datetime.strptime(text, TIME_FORMAT)
    except ValueError as exc:
        raise InvalidInput(f"Bill row {number} has no readable time: {text!r}") from exc
    return local.replace(tzinfo=ALIPAY_TIME_ZONE).isoformat()


def _clean(cell: str) -> str:
    # Alipay pads numbers with a tab (and sometimes spaces) so Excel keeps them as text.
    return cell.strip()


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    # GBK text is almost never valid UTF-8, so trying UTF-8 first cannot misread it.
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The bill is neither GBK nor UTF-8 text")


def _data_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line


def _detail_member(content: bytes) -> bytes:
    """The business detail CSV inside the zip Alipay serves (not the 汇总 summary)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise InvalidInput("The bill is not a readable zip file") from exc
    with archive:
        for info in archive.infolist():
            name = _member_name(info)
            if name.endswith(DETAIL_FILE_SUFFIX) and "汇总" not in name:
                if info.file_size > _MAX_MEMBER_BYTES:
                    raise InvalidInput("The bill's detail file is implausibly large")
                return archive.read(info)
    raise InvalidInput("The zip holds no Alipay business detail (业务明细) file")


def _member_name(info: zipfile.ZipInfo) -> str:
    # Without the UTF-8 flag, zipfile reads names as cp437; Alipay writes them in GBK.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
