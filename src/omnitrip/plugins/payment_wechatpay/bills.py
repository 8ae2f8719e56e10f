"""WeChat Pay's trade bill (交易账单), type ``ALL``, read into settlement lines.

Layout (UTF-8, comma separated): a header row of column names; one row per payment
(交易状态 ``SUCCESS``) or refund (``REFUND``); then a summary header (``总交易单数,…``)
and one row of totals. Every value is prefixed with a backtick (so spreadsheet programs
keep long numbers as text). Amounts are yuan with two decimals; the fee column
(手续费) has five, being a rate applied to the amount.

Lines are matched to our rows by 商户订单号 (our payment code, sent as ``out_trade_no``)
and 商户退款单号 (our refund code, sent as ``out_refund_no``). A payment's amount is
应结订单金额 and a refund's is 退款金额: the money that actually moved. With
merchant-funded coupons those differ from 订单金额 / 申请退款金额, which stay in ``raw``.
The fee is rounded half-up to whole fen and reported as a positive number; ``kind`` says
whether it was charged (payment) or given back (refund).

The file is checked, not trusted: the summary's row count and totals must agree with
the rows, so a truncated download is refused instead of half-reconciled.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from decimal import ROUND_HALF_UP, Decimal

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import SettlementLine

TIME = "交易时间"
TRANSACTION_ID = "微信订单号"
OUT_TRADE_NO = "商户订单号"
STATE = "交易状态"
CURRENCY = "货币种类"
SETTLED_AMOUNT = "应结订单金额"
REFUND_ID = "微信退款单号"
OUT_REFUND_NO = "商户退款单号"
REFUND_AMOUNT = "退款金额"
FEE = "手续费"
#: The columns we read, all present in the ALL layout (the order may vary).
REQUIRED_COLUMNS = (
    TIME,
    "公众账号ID",
    "商户号",
    TRANSACTION_ID,
    OUT_TRADE_NO,
    STATE,
    CURRENCY,
    SETTLED_AMOUNT,
    REFUND_ID,
    OUT_REFUND_NO,
    REFUND_AMOUNT,
    FEE,
)
SUMMARY_FIRST_COLUMN = "总交易单数"
#: summary column → the detail column it totals.
SUMMARY_TOTALS = {"应结订单总金额": SETTLED_AMOUNT, "退款总金额": REFUND_AMOUNT}
KIND_BY_STATE = {"SUCCESS": "payment", "REFUND": "refund"}

_YUAN = re.compile(r"\d{1,15}(\.\d{1,2})?")
_FEE = re.compile(r"-?\d{1,15}(\.\d{1,6})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_FEN_PER_YUAN = 100
_GZIP_MAGIC = b"\x1f\x8b"


def parse_trade_bill(content: bytes) -> list[SettlementLine]:
    """The payment and refund lines of an ``ALL`` trade bill; ``InvalidInput`` otherwise."""
    rows = _rows(_text(content))
    header = [_cell(name) for name in rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InvalidInput(
            f"Not a WeChat Pay ALL trade bill: no column {', '.join(missing)}", field="content"
        )
    summary_at = next(
        (i for i, row in enumerate(rows) if row and _cell(row[0]) == SUMMARY_FIRST_COLUMN), None
    )
    if summary_at is None or summary_at != len(rows) - 2:
        raise InvalidInput(
            "Not a WeChat Pay trade bill: it must end with the summary header and one totals row",
            field="content",
        )
    details = rows[1:summary_at]
    lines = []
    for number, row in enumerate(details, start=2):
        if len(row) != len(header):
            raise InvalidInput(
                f"Bill row {number} has {len(row)} columns, the header {len(header)}",
                field="content",
            )
        lines.append(_line(dict(zip(header, (_cell(value) for value in row), strict=True)), number))
    _check_summary(rows[summary_at], rows[summary_at + 1], details, header)
    return lines


def yuan_to_fen(text: str, *, where: str) -> int:
    """Exact conversion of a yuan amount with at most two decimals to fen."""
    if not _YUAN.fullmatch(text):
        raise InvalidInput(f"{where}: {text[:20]!r} is not an amount in yuan", field="content")
    return int(Decimal(text) * _FEN_PER_YUAN)


def fee_to_fen(text: str, *, where: str) -> int:
    """A fee (up to six decimals of yuan) rounded half-up to whole fen, as a positive number."""
    if not _FEE.fullmatch(text):
        raise InvalidInput(f"{where}: {text[:20]!r} is not a fee in yuan", field="content")
    fen = (Decimal(text) * _FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return abs(int(fen))


def _text(content: bytes) -> str:
    if content.startswith(_GZIP_MAGIC):  # the bill API can return the file gzip-compressed
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise InvalidInput("The bill is not a valid gzip file", field="content") from exc
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The bill is not UTF-8 text", field="content") from exc


def _rows(text: str) -> list[list[str]]:
    # Rows end at \n or \r\n only (csv's own rule), not at every separator str.splitlines
    # knows: a product name may contain U+2028 and must not split its row.
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if len(rows) < 3:
        raise InvalidInput("Not a WeChat Pay trade bill: too few rows", field="content")
    return rows


def _cell(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("`") else value


def _line(row: dict[str, str], number: int) -> SettlementLine:
    where = f"Bill row {number}"
    kind = KIND_BY_STATE.get(row[STATE])
    if kind is None:
        raise InvalidInput(
            f"{where}: 交易状态 {row[STATE][:20]!r} is neither SUCCESS nor REFUND", field="content"
        )
    currency = row[CURRENCY]
    if not _CURRENCY.fullmatch(currency):
        raise InvalidInput(f"{where}: {currency[:10]!r} is not a currency code", field="content")
    if kind == "payment":
        reference, vendor_id = row[OUT_TRADE_NO], row[TRANSACTION_ID]
        amount = yuan_to_fen(row[SETTLED_AMOUNT], where=where)
    else:
        reference, vendor_id = row[OUT_REFUND_NO], row[REFUND_ID]
        amount = yuan_to_fen(row[REFUND_AMOUNT], where=where)
    if not reference:
        raise InvalidInput(f"{where}: no merchant reference", field="content")
    return SettlementLine(
        kind=kind,
        reference=reference,
        provider_transaction_id=vendor_id,
        amount_minor=amount,
        currency=currency,
        fee_minor=fee_to_fen(row[FEE], where=where),
        # WeChat prints Beijing time without an offset; say so, or the day is read as UTC.
        occurred_at=_beijing_iso(row[TIME]),
        raw=row,
    )


def _check_summary(
    summary_header: list[str],
    summary_values: list[str],
    details: list[list[str]],
    header: list[str],
) -> None:
    names = [_cell(name) for name in summary_header]
    if len(summary_values) != len(names):
        raise InvalidInput(
            "The bill's totals row does not match its summary header", field="content"
        )
    totals = dict(zip(names, (_cell(value) for value in summary_values), strict=True))
    count = totals[SUMMARY_FIRST_COLUMN]
    if not count.isdigit() or int(count) != len(details):
        raise InvalidInput(
            f"The bill lists {len(details)} rows but its summary says {count[:12]}",
            field="content",
        )
    for total_name, column in SUMMARY_TOTALS.items():
        if total_name not in totals:
            continue
        index = header.index(column)
        added = sum(yuan_to_fen(_cell(row[index]), where=f"Bill {column}") for row in details)
        stated = yuan_to_fen(totals[total_name], where=f"Bill {total_name}")
        if added != stated:
            raise InvalidInput(
                f"The bill's {total_name} is {stated} fen but its rows add up to {added}",
                field="content",
            )


def _beijing_iso(printed: str) -> str:
    """``2026-11-20 10:00:00`` (Beijing time, as the bill prints it) → ISO 8601 with +08:00."""
    text = printed.strip()
    if len(text) == 19 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}+08:00"
    return text
