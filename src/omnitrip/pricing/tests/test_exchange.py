"""Display currencies: the latest published rate, its inverse, rounding to the minor unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omnitrip.core.money import Money
from omnitrip.pricing.errors import NoExchangeRate
from omnitrip.pricing.models import ExchangeRate
from omnitrip.pricing.services import convert_for_display, exchange_rate

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


def rate(base: str, quote: str, value: str, as_of: dt.date) -> ExchangeRate:
    return ExchangeRate.objects.create(base=base, quote=quote, rate=Decimal(value), as_of=as_of)


def published_cny_jpy_rates() -> None:
    rate("CNY", "JPY", "20.10", dt.date(2030, 1, 1))
    rate("CNY", "JPY", "20.50", dt.date(2030, 1, 10))
    rate("CNY", "JPY", "21.00", dt.date(2030, 1, 20))


def test_the_rate_on_a_date_is_the_latest_published_on_or_before_it():
    published_cny_jpy_rates()

    assert exchange_rate("CNY", "JPY", on=dt.date(2030, 1, 9)) == Decimal("20.10")
    assert exchange_rate("CNY", "JPY", on=dt.date(2030, 1, 10)) == Decimal("20.50")
    assert exchange_rate("CNY", "JPY", on=dt.date(2030, 1, 15)) == Decimal("20.50")
    assert exchange_rate("CNY", "JPY", on=dt.date(2030, 2, 1)) == Decimal("21.00")


def test_without_a_date_the_latest_rate_is_used():
    published_cny_jpy_rates()

    assert exchange_rate("CNY", "JPY") == Decimal("21.00")


def test_a_date_before_the_first_published_rate_has_no_rate():
    published_cny_jpy_rates()

    with pytest.raises(NoExchangeRate):
        exchange_rate("CNY", "JPY", on=dt.date(2029, 12, 31))


def test_the_inverse_rate_is_used_when_only_it_is_published():
    rate("CNY", "JPY", "20", dt.date(2030, 1, 1))

    assert exchange_rate("JPY", "CNY") == Decimal("0.05")
    assert exchange_rate("JPY", "CNY", on=dt.date(2030, 1, 1)) == Decimal("0.05")


def test_the_direct_rate_is_preferred_to_the_inverse():
    rate("CNY", "USD", "0.14", dt.date(2030, 1, 1))
    rate("USD", "CNY", "7.20", dt.date(2030, 1, 1))

    assert exchange_rate("CNY", "USD") == Decimal("0.14")
    assert exchange_rate("USD", "CNY") == Decimal("7.20")


def test_a_currency_converts_to_itself_at_one_without_any_rate():
    assert exchange_rate("CNY", "CNY") == Decimal(1)


def test_a_pair_without_any_rate_either_way_has_no_rate():
    rate("CNY", "JPY", "20", dt.date(2030, 1, 1))

    with pytest.raises(NoExchangeRate, match="No exchange rate from CNY to USD"):
        exchange_rate("CNY", "USD")


def test_a_display_amount_in_yen_is_rounded_to_whole_yen_half_up():
    rate("CNY", "JPY", "20.5", dt.date(2030, 1, 1))

    # 123.45 CNY × 20.5 = 2530.725 JPY → 2531 JPY (no minor unit).
    assert convert_for_display(Money(12345, "CNY"), "JPY") == Money(2531, "JPY")
    # 100.02 CNY × 20.5 = 2050.41 JPY → 2050 JPY.
    assert convert_for_display(Money(10002, "CNY"), "JPY") == Money(2050, "JPY")


def test_a_display_amount_from_yen_uses_the_inverse_rate_and_cents():
    rate("CNY", "JPY", "20", dt.date(2030, 1, 1))

    # 1999 JPY × 1/20 = 99.95 CNY.
    assert convert_for_display(Money(1999, "JPY"), "CNY") == Money(9995, "CNY")
    # 1 JPY × 1/20 = 0.05 CNY.
    assert convert_for_display(Money(1, "JPY"), "CNY") == Money(5, "CNY")


def test_a_given_rate_is_used_and_the_result_rounded_half_up_to_the_cent():
    # 1.00 CNY × 0.125 = 0.125 USD → 0.13 USD; 123.45 × 0.1383 = 17.072835 → 17.07.
    assert convert_for_display(Money(100, "CNY"), "USD", rate=Decimal("0.125")) == Money(13, "USD")
    assert convert_for_display(Money(12345, "CNY"), "USD", rate=Decimal("0.1383")) == Money(
        1707, "USD"
    )


def test_an_amount_in_the_display_currency_is_returned_unchanged():
    assert convert_for_display(Money(12345, "CNY"), "CNY") == Money(12345, "CNY")


def test_converting_without_a_published_rate_is_refused():
    with pytest.raises(NoExchangeRate):
        convert_for_display(Money(12345, "CNY"), "EUR")
