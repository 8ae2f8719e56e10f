"""Our codes as Alipay merchant numbers and back.

Alipay accepts only letters, digits and underscores in ``out_trade_no`` and
``out_request_no``; our codes use a hyphen after the prefix (``PAY-7K3M…``). Our code
alphabet has neither character, so swapping one for the other is exact both ways.
"""

from __future__ import annotations


def alipay_number(code: str) -> str:
    return code.replace("-", "_")


def our_code(number: str) -> str:
    return number.replace("_", "-")
