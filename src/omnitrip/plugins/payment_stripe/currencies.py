"""Which currencies we let Stripe collect, and in which minor unit Stripe counts them.

Stripe's API takes every amount as an integer in *its* minor unit of the currency, and
that unit is not always ISO-4217's: Icelandic króna is zero-decimal by ISO but two-decimal
in Stripe's API (amounts must be multiples of 100), for example. ``payment.amount_minor``
is counted in :func:`omnitrip.core.money.exponent` digits, so we send it unchanged only
where the two agree; a currency where they differ, or that Stripe restricts further
(three-decimal currencies must end in 0, UGX has a legacy two-decimal form), is refused.
"""

from __future__ import annotations

from omnitrip.core.money import exponent

#: Presentment currencies Stripe accepts, with the number of decimals its API uses.
STRIPE_DECIMALS: dict[str, int] = {
    # two-decimal
    "AED": 2,
    "AUD": 2,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "MOP": 2,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "PHP": 2,
    "PLN": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TWD": 2,
    "USD": 2,
    "ZAR": 2,
    # zero-decimal
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "MGA": 0,
    "PYG": 0,
    "RWF": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # Listed so the disagreement is explicit: two-decimal for Stripe, zero for ISO.
    "ISK": 2,
}


def is_collectable(currency: str) -> bool:
    """Whether Stripe can collect ``currency`` with our minor units passed through as-is."""
    decimals = STRIPE_DECIMALS.get(currency)
    return decimals is not None and decimals == exponent(currency)
