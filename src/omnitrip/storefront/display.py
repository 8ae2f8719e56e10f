"""The traveller's display currency: prices are charged in the supplier's currency and may
also be shown converted (for information only) into a currency the traveller picks."""

from __future__ import annotations

from django.http import HttpRequest

from omnitrip.core.money import Money
from omnitrip.pricing.errors import NoExchangeRate
from omnitrip.pricing.services import convert_for_display

# Offered in the currency menu; a price without an exchange rate is shown only in its own.
DISPLAY_CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP")
SESSION_KEY = "display_currency"


def display_currency(request: HttpRequest) -> str | None:
    """The currency chosen in this session, else the signed-in user's preference, else None
    (None: show every price only in the currency it is charged in)."""
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen in DISPLAY_CURRENCIES:
        return chosen
    user = getattr(request, "user", None)
    preferred = getattr(user, "preferred_currency", "") if user is not None else ""
    if user is not None and user.is_authenticated and preferred in DISPLAY_CURRENCIES:
        return preferred
    return None


def converted(amount: Money, currency: str | None) -> Money | None:
    """``amount`` in the display currency, or None when there is none to show."""
    if not currency or currency == amount.currency:
        return None
    try:
        return convert_for_display(amount, currency)
    except NoExchangeRate:
        return None
