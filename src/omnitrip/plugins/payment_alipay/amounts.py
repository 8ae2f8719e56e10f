"""Yuan strings as Alipay writes them, and our integer fen (minor units), both exact.

Alipay prices are decimal strings in yuan with at most two decimals (``"1234.50"``). We
never pass them through a float: text goes to :class:`~decimal.Decimal` and straight to an
integer number of fen, and an amount with a third decimal is refused, not rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Alipay collects and settles these accounts in renminbi only.
CURRENCY = "CNY"

_YUAN = re.compile(r"(?P<sign>-?)(?P<whole>\d{1,12})(?:\.(?P<fraction>\d{1,2}))?")


def yuan_from_minor(amount_minor: int) -> str:
    """``123450`` → ``"1234.50"``: the text Alipay expects for a positive amount in fen."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError(f"An Alipay amount is a positive number of fen, not {amount_minor!r}")
    whole, fen = divmod(amount_minor, 100)
    return f"{whole}.{fen:02d}"


def minor_from_yuan(text: str, *, allow_negative: bool = False) -> int:
    """``"1234.5"`` → ``123450``; raises :class:`ValueError` on anything not exact yuan.

    Bill files print refunds as negative amounts, so they pass ``allow_negative``.
    """
    match = _YUAN.fullmatch(text)
    if match is None or (match["sign"] and not allow_negative):
        raise ValueError(f"{text!r} is not an amount in yuan with at most two decimals")
    # Decimal keeps every digit; scaling by 100 of a two-decimal value is an integer.
    return int(Decimal(text).scaleb(2))
