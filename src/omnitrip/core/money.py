"""Money as integer minor units plus an ISO-4217 currency.

Every amount in omnitrip is a :class:`Money`. Arithmetic only mixes amounts of one
currency; :meth:`Money.allocate` splits an amount by ratios without losing a cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from babel.numbers import format_currency, get_currency_precision

# ISO-4217 minor-unit exponents that differ from 2 for the currencies we are likely to see.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "OMR": 3}


class CurrencyMismatch(ValueError):
    """Raised when amounts in different currencies meet in one calculation."""


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    if currency in _EXPONENTS:
        return _EXPONENTS[currency]
    try:
        return int(get_currency_precision(currency))
    except Exception:  # unknown code: ISO-4217 default
        return 2


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"not an ISO-4217 code: {self.currency!r}")

    # construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """From a major-unit amount; half-up rounding to the minor unit."""
        quantum = Decimal(1).scaleb(-exponent(currency))
        major = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
        return cls(int(major.scaleb(exponent(currency))), currency)

    # reading ------------------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        """The major-unit amount as an exact decimal."""
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        """Human display with the currency, e.g. ``CN¥1,280.00`` or ``US$12.50``."""
        return format_currency(self.amount, self.currency, locale=locale.replace("-", "_"))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    # arithmetic ---------------------------------------------------------------------
    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("multiply Money by an int; use percentage() for rates")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor >= other.amount_minor

    def __bool__(self) -> bool:
        return self.amount_minor != 0

    def percentage(self, rate: Decimal | str) -> Money:
        """``rate`` percent of this amount, rounded half-even to the minor unit."""
        with localcontext() as context:
            context.prec = 80  # exact for any amount a BigInteger column can hold
            value = (Decimal(self.amount_minor) * Decimal(rate) / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_EVEN
            )
        return Money(int(value), self.currency)

    def allocate(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``ratios``; the parts always sum to self.

        Remainders go one minor unit at a time to the parts with the largest fractional
        share (ties to the earlier part), so the split is deterministic.
        """
        # Exact rational arithmetic: Decimal's 28-digit context would round large amounts.
        shares = [Fraction(Decimal(r)) for r in ratios] if ratios else []
        if not shares or any(share < 0 for share in shares):
            raise ValueError("ratios must be non-empty and non-negative")
        total = sum(shares, Fraction(0))
        if total == 0:
            raise ValueError("ratios must not all be zero")
        sign = -1 if self.amount_minor < 0 else 1
        amount = abs(self.amount_minor)
        exact = [amount * share / total for share in shares]
        parts = [int(x) for x in exact]  # floor: every share is non-negative
        remainder = amount - sum(parts)
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in order[:remainder]:
            parts[i] += 1
        return [Money(sign * p, self.currency) for p in parts]


def sum_money(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of amounts that must all be in ``currency`` (the sum of nothing is zero)."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
