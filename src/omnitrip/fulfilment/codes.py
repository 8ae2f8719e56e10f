"""Voucher codes: how they are made, shown to people and read back from them.

A code is 20 symbols drawn with :mod:`secrets` from the 32-symbol public alphabet of
:mod:`omnitrip.core.ids` — 100 random bits, so codes can neither be guessed nor
enumerated. The database stores the bare symbols; people see them in groups of four
(``7K3M-9Q2X-…``); whatever a person types or a scanner reads goes through
:func:`normalise_code` before it is looked up.
"""

from __future__ import annotations

import secrets
import unicodedata

from omnitrip.core.ids import ALPHABET

CODE_LENGTH = 20
GROUP_SIZE = 4

# What a voucher's QR code holds: this prefix and the bare code. The prefix lets a
# supplier's scanner app tell our vouchers from other QR codes; it never changes.
QR_PREFIX = "OMNITRIP:V:"

# The alphabet leaves out I, L and O because they are read as 1, 1 and 0; map them back.
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014")


def new_voucher_code() -> str:
    """A fresh random code of :data:`CODE_LENGTH` symbols, without separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """The stored form of a typed or scanned code.

    Accepts the QR payload as well as the bare code; folds full-width characters (typed
    with a Chinese input method) to ASCII, drops spaces and hyphens, upper-cases, and maps
    O to 0 and I/L to 1. The result may still be malformed: see :func:`is_well_formed`.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.upper().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    kept = "".join(ch for ch in text if not ch.isspace() and ch not in _SEPARATORS)
    return kept.upper().translate(_CONFUSABLES)


def is_well_formed(code: str) -> bool:
    """True when ``code`` (already normalised) could be a voucher code at all."""
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def format_code(code: str) -> str:
    """The code as people read it: groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))
