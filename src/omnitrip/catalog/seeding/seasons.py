"""How demo prices move through the year: seasons, holidays and weekends per country."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone

from omnitrip.core.money import Money

# Month factors, January first.
SEASON_BY_MONTH: dict[str, tuple[float, ...]] = {
    "cn": (0.95, 1.08, 0.95, 1.05, 1.10, 1.00, 1.15, 1.15, 1.00, 1.12, 0.92, 0.95),
    "jp": (0.92, 0.95, 1.15, 1.35, 1.05, 0.95, 1.05, 1.15, 0.98, 1.05, 1.30, 1.05),
    "th": (1.25, 1.20, 1.05, 1.00, 0.85, 0.85, 0.88, 0.88, 0.85, 0.95, 1.15, 1.30),
    "fr": (0.88, 0.90, 0.95, 1.05, 1.10, 1.20, 1.25, 1.15, 1.15, 1.05, 0.92, 1.10),
    "us": (1.20, 1.20, 1.15, 0.98, 0.95, 1.10, 1.15, 1.15, 0.95, 0.95, 1.00, 1.25),
}

# Holiday weeks on fixed dates: ((month, day) first, (month, day) last, factor).
HOLIDAYS: dict[str, tuple[tuple[tuple[int, int], tuple[int, int], float], ...]] = {
    "cn": (((5, 1), (5, 5), 1.35), ((10, 1), (10, 7), 1.5)),  # Labour Day, National Day
    "jp": (((4, 29), (5, 5), 1.3), ((12, 29), (12, 31), 1.25), ((1, 1), (1, 3), 1.25)),
    "th": (((4, 13), (4, 15), 1.4), ((12, 24), (12, 31), 1.3)),  # Songkran, year end
    "fr": (((7, 14), (7, 14), 1.2), ((12, 24), (12, 31), 1.25)),
    "us": (((12, 20), (12, 31), 1.3), ((1, 1), (1, 2), 1.3)),
}

LEISURE, BUSINESS, TOUR, TICKET, FARE = "leisure", "business", "tour", "ticket", "fare"
FRIDAY, SATURDAY = 4, 5
# Leisure hotels ask for two nights when the night is priced at least this far above normal.
MIN_STAY_THRESHOLD = 1.45


@dataclass(frozen=True)
class PriceCalendar:
    """Per-day facts for ``days`` days from ``start``: price factor and weekday."""

    start: dt.date
    multipliers: tuple[float, ...]
    weekdays: tuple[int, ...]
    peak_days: frozenset[int]  # day indexes where a leisure stay needs two nights


def _holiday_factor(country: str, day: dt.date) -> float:
    for first, last, factor in HOLIDAYS.get(country, ()):
        if first <= (day.month, day.day) <= last:
            return factor
    return 1.0


def _damped(factor: float, weight: float = 0.5) -> float:
    return 1 + (factor - 1) * weight


def _factor(country: str, profile: str, day: dt.date) -> float:
    season = SEASON_BY_MONTH[country][day.month - 1]
    holiday = _holiday_factor(country, day)
    weekend = day.weekday() in (FRIDAY, SATURDAY)
    if profile == LEISURE:
        return season * holiday * (1.15 if weekend else 1.0)
    if profile == BUSINESS:
        return _damped(season) * _damped(holiday) * (0.9 if weekend else 1.0)
    if profile == TOUR:
        return _damped(season) * _damped(holiday)
    if profile == TICKET and country == "cn":
        # Chinese scenic areas publish a peak (April–October) and an off-peak price.
        return 1.0 if 4 <= day.month <= 10 else 0.67
    return 1.0  # fares and other tickets do not move


@lru_cache(maxsize=256)
def price_calendar(country: str, profile: str, start: dt.date, days: int) -> PriceCalendar:
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    multipliers = tuple(_factor(country, profile, day) for day in dates)
    peak = frozenset(
        i
        for i, factor in enumerate(multipliers)
        if profile == LEISURE and factor >= MIN_STAY_THRESHOLD
    )
    return PriceCalendar(start, multipliers, tuple(day.weekday() for day in dates), peak)


def local_today(tz_name: str) -> dt.date:
    """Today's date where the product is: inventory dates are local dates."""
    return timezone.now().astimezone(ZoneInfo(tz_name)).date()


def to_minor(amount: int | str | Decimal, currency: str) -> int:
    """Major units (``"36.10"`` EUR, ``15000`` JPY) to integer minor units."""
    return Money.from_decimal(Decimal(str(amount)), currency).amount_minor


# Nightly prices are rounded to a whole yuan, euro or dollar, 100 yen or 10 baht.
PRICE_STEP = {"JPY": 100, "THB": 1000}
DEFAULT_PRICE_STEP = 100
# Tickets and fares keep their published cents (or whole yuan for Chinese seasonal prices).
TICKET_STEP = {"CNY": 100, "JPY": 10}


def price_step(currency: str) -> int:
    return PRICE_STEP.get(currency, DEFAULT_PRICE_STEP)


def ticket_step(currency: str) -> int:
    return TICKET_STEP.get(currency, 1)


def round_price(amount_minor: float, step: int) -> int:
    """Round to a multiple of ``step``, never below one step."""
    return max(step, int(amount_minor / step + 0.5) * step)
