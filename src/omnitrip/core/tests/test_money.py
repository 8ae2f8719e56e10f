"""Money: integer minor units that never lose a cent and never mix currencies."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from babel.numbers import get_currency_symbol
from hypothesis import given
from hypothesis import strategies as st

from omnitrip.core.money import CurrencyMismatch, Money, exponent, sum_money

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

CURRENCIES = ["CNY", "USD", "EUR", "HKD", "THB", "JPY", "KRW", "KWD"]
# What a BigIntegerField column can hold: every stored amount lives in this range.
amounts = st.integers(min_value=-(2**63), max_value=2**63 - 1)
currencies = st.sampled_from(CURRENCIES)
int_ratios = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(
    any
)
decimal_ratios = st.lists(
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
).filter(any)


def minors(parts: list[Money]) -> list[int]:
    return [p.amount_minor for p in parts]


@given(amount=amounts, ratios=int_ratios, currency=currencies)
def test_allocate_never_loses_or_creates_a_minor_unit_for_whole_ratios(amount, ratios, currency):
    parts = Money(amount, currency).allocate(ratios)

    assert sum(minors(parts)) == amount
    assert len(parts) == len(ratios)
    assert {p.currency for p in parts} == {currency}


def test_allocate_keeps_every_minor_unit_of_an_amount_longer_than_28_digits():
    # Money takes any int; the split must not depend on the decimal context's 28 digits.
    amount = 21_671_593_621_880_241_530_983_153_662

    assert minors(Money(amount, "CNY").allocate([1])) == [amount]
    assert sum(minors(Money(amount, "CNY").allocate([1, 2]))) == amount


@given(amount=amounts, ratios=decimal_ratios)
def test_allocate_never_loses_or_creates_a_minor_unit_for_decimal_ratios(amount, ratios):
    parts = Money(amount, "CNY").allocate(ratios)

    assert sum(minors(parts)) == amount
    assert len(parts) == len(ratios)


@given(amount=amounts, ratios=int_ratios)
def test_allocate_keeps_every_part_within_one_minor_unit_of_its_exact_share(amount, ratios):
    parts = Money(amount, "CNY").allocate(ratios)

    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        assert abs(part.amount_minor - Fraction(amount * ratio, total)) < 1


@given(
    amount=amounts,
    count=st.integers(min_value=1, max_value=30),
    ratio=st.integers(min_value=1, max_value=1000),
)
def test_allocate_by_equal_ratios_gives_parts_that_differ_by_at_most_one(amount, count, ratio):
    parts = minors(Money(amount, "CNY").allocate([ratio] * count))

    assert max(parts) - min(parts) <= 1
    assert sum(parts) == amount


@given(amount=amounts)
def test_allocate_gives_nothing_to_a_zero_ratio(amount):
    parts = Money(amount, "CNY").allocate([3, 0, 1])

    assert parts[1] == Money(0, "CNY")
    assert parts[0].amount_minor + parts[2].amount_minor == amount


def test_allocate_hands_the_remainder_to_the_earlier_part_on_ties():
    assert minors(Money(100, "CNY").allocate([1, 1, 1])) == [34, 33, 33]
    assert minors(Money(-100, "CNY").allocate([1, 1, 1])) == [-34, -33, -33]
    assert minors(Money(101, "CNY").allocate([1, 1, 1])) == [34, 34, 33]


def test_allocate_gives_the_remainder_to_the_largest_fractional_share():
    # Exact shares 1000 × 1/6 = 166.67, 2/6 = 333.33, 3/6 = 500: the first part gets the unit.
    assert minors(Money(1000, "CNY").allocate([1, 2, 3])) == [167, 333, 500]
    assert minors(Money(1000, "CNY").allocate([Decimal("33.33"), Decimal("66.67")])) == [
        333,
        667,
    ]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1]])
def test_allocate_refuses_empty_all_zero_or_negative_ratios(ratios):
    with pytest.raises(ValueError, match="ratios"):
        Money(100, "CNY").allocate(ratios)


@given(
    pair=st.lists(currencies, min_size=2, max_size=2, unique=True),
    left=amounts,
    right=amounts,
)
def test_arithmetic_and_comparison_refuse_mixed_currencies(pair, left, right):
    a, b = Money(left, pair[0]), Money(right, pair[1])

    with pytest.raises(CurrencyMismatch):
        a + b
    with pytest.raises(CurrencyMismatch):
        a - b
    with pytest.raises(CurrencyMismatch):
        a < b  # noqa: B015
    with pytest.raises(CurrencyMismatch):
        a <= b  # noqa: B015
    with pytest.raises(CurrencyMismatch):
        a > b  # noqa: B015
    with pytest.raises(CurrencyMismatch):
        a >= b  # noqa: B015
    with pytest.raises(CurrencyMismatch):
        sum_money([a, b], pair[0])


def test_arithmetic_within_one_currency_is_exact():
    assert Money(128000, "CNY") + Money(550, "CNY") == Money(128550, "CNY")
    assert Money(128000, "CNY") - Money(130000, "CNY") == Money(-2000, "CNY")
    assert Money(1250, "USD") * 3 == Money(3750, "USD")
    assert 3 * Money(1250, "USD") == Money(3750, "USD")
    assert -Money(1250, "USD") == Money(-1250, "USD")
    assert sum_money([], "JPY") == Money(0, "JPY")


def test_multiplying_by_anything_but_an_int_is_refused():
    with pytest.raises(TypeError):
        Money(1250, "USD") * Decimal("1.5")
    with pytest.raises(TypeError):
        Money(1250, "USD") * True


@given(amount=amounts, currency=currencies)
def test_from_decimal_of_amount_gives_back_the_same_money(amount, currency):
    money = Money(amount, currency)

    assert Money.from_decimal(money.amount, currency) == money
    assert Money.from_decimal(str(money.amount), currency) == money


@given(amount=amounts, currency=currencies)
def test_amount_is_the_minor_units_shifted_by_the_currency_exponent(amount, currency):
    assert Money(amount, currency).amount == Fraction(amount, 10 ** exponent(currency))


def test_from_decimal_rounds_half_up_to_the_minor_unit():
    assert Money.from_decimal("1.005", "CNY") == Money(101, "CNY")
    assert Money.from_decimal("1.004", "CNY") == Money(100, "CNY")
    assert Money.from_decimal("-1.005", "CNY") == Money(-101, "CNY")
    assert Money.from_decimal("1280.5", "JPY") == Money(1281, "JPY")
    assert Money.from_decimal("1.2345", "KWD") == Money(1235, "KWD")


def test_jpy_has_no_decimals_cny_two_and_kwd_three():
    assert exponent("JPY") == 0
    assert exponent("CNY") == 2
    assert exponent("KWD") == 3
    assert Money(1280, "JPY").amount == Decimal("1280")
    assert str(Money(1280, "JPY")) == "1280 JPY"
    assert str(Money(128000, "CNY")) == "1280.00 CNY"
    assert Money.from_decimal(Decimal("1280"), "JPY") == Money(1280, "JPY")


@pytest.mark.parametrize(
    ("money", "english", "chinese"),
    [
        (Money(128000, "CNY"), "CN¥1,280.00", "¥1,280.00"),
        (Money(-128000, "CNY"), "-CN¥1,280.00", "-¥1,280.00"),
        (Money(1250, "USD"), "$12.50", "US$12.50"),
        (Money(1280, "JPY"), "¥1,280", "JP¥1,280"),
    ],
)
def test_formatting_shows_the_currency_in_english_and_chinese(money, english, chinese):
    assert money.format("en") == english
    assert money.format("zh_Hans_CN") == chinese
    assert money.format("zh-Hans-CN") == chinese


@given(amount=amounts, currency=currencies, locale=st.sampled_from(["en", "zh_Hans_CN"]))
def test_formatting_always_carries_the_currency_symbol_of_the_locale(amount, currency, locale):
    assert get_currency_symbol(currency, locale) in Money(amount, currency).format(locale)


@pytest.mark.parametrize("code", ["cny", "CN", "CNYY", "C1Y"])
def test_money_refuses_a_code_that_is_not_iso_4217_shaped(code):
    with pytest.raises(ValueError, match="ISO-4217"):
        Money(100, code)


def test_money_refuses_a_non_integer_amount():
    with pytest.raises(TypeError):
        Money(Decimal("1.5"), "CNY")
    with pytest.raises(TypeError):
        Money(True, "CNY")
