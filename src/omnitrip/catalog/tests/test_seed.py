"""``omnitrip seed``: the demo catalogue and the scale seed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from omnitrip.accounts.models import Organisation
from omnitrip.catalog.models import (
    Amenity,
    CancellationPolicy,
    Destination,
    LengthOfStayDiscount,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    RoomType,
    TaxFee,
    build_search_text,
)
from omnitrip.catalog.seeding.seasons import LEISURE, local_today, price_calendar
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.models import ExchangeRate

pytestmark = pytest.mark.django_db

DAYS = 30  # most tests seed a month of inventory; one checks the 365-day default
CURRENCY_BY_COUNTRY = {"cn": "CNY", "jp": "JPY", "th": "THB", "fr": "EUR", "us": "USD"}


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    # One folder for the session: pictures drawn by the first seed are reused by the rest.
    return tmp_path_factory.mktemp("seed-media")


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    settings.MEDIA_ROOT = media_root


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def seed_demo(days: int = DAYS) -> str:
    return seed("--demo", "--days", str(days))


def row_counts() -> dict[str, int]:
    models = (
        Organisation,
        Destination,
        Amenity,
        CancellationPolicy,
        Product,
        ProductImage,
        TaxFee,
        RoomType,
        RatePlan,
        LengthOfStayDiscount,
        Offer,
        InventorySlot,
        ExchangeRate,
    )
    return {model.__name__: model.objects.count() for model in models}


def dated_offers_with_own_inventory():
    return Offer.objects.filter(is_open_dated=False, inventory_pool__isnull=True)


def test_demo_has_city_destinations_in_china_and_abroad_under_their_countries():
    seed_demo()

    cities = Destination.objects.filter(level=Destination.Level.CITY)
    countries = Counter(city.path.split("/")[1] for city in cities)
    assert cities.count() >= 8
    assert countries["cn"] >= 8
    assert set(countries) == {"cn", "jp", "th", "fr", "us"}
    assert Destination.objects.get(code="honolulu").timezone == "Pacific/Honolulu"
    assert Destination.objects.get(code="kunming").path == "/cn/yunnan/kunming/"
    assert Destination.objects.filter(level=Destination.Level.AREA).count() >= 10
    assert Destination.objects.filter(is_featured=True).count() >= 3


def test_demo_has_sixty_published_hotels_each_with_two_to_four_room_types():
    seed_demo()

    hotels = Product.objects.filter(kind="hotel").annotate(rooms=Count("room_types"))
    assert hotels.count() == 60
    assert all(2 <= hotel.rooms <= 4 for hotel in hotels)
    assert set(Product.objects.values_list("status", flat=True)) == {"published"}
    assert not hotels.filter(Q(star_rating__isnull=True) | Q(check_in_time__isnull=True)).exists()
    assert set(hotels.values_list("check_in_time", "check_out_time")) == {
        (dt.time(14, 0), dt.time(12, 0))
    }


def test_demo_has_twenty_tours_thirty_attractions_and_five_routes():
    seed_demo()

    kinds = Counter(Product.objects.values_list("kind", flat=True))
    assert kinds == {"hotel": 60, "tour": 20, "attraction": 30, "transport": 5}
    routes = Product.objects.filter(kind="transport")
    assert not routes.filter(origin_name_en="").exists()
    assert not routes.filter(origin_name_zh="").exists()
    assert not Offer.objects.filter(product__kind="transport", departure_time__isnull=True).exists()
    seat_classes = Offer.objects.filter(product__kind="transport").values_list("seat_class")
    assert {c for (c,) in seat_classes} == {
        "second",
        "first",
        "business",
        "ordinary",
        "green",
        "standard",
        "vip",
        "three-star",
        "four-star",
    }
    tour_seats = InventorySlot.objects.filter(offer__product__kind="tour")
    assert not tour_seats.filter(child_price_minor__isnull=True).exists()
    assert not tour_seats.filter(Q(capacity__lt=10) | Q(capacity__gt=40)).exists()


def test_every_product_has_bilingual_titles_descriptions_and_policies():
    seed_demo()

    empty = (
        Q(title_en="")
        | Q(title_zh="")
        | Q(description_en="")
        | Q(description_zh="")
        | Q(policies_en="")
        | Q(policies_zh="")
    )
    assert not Product.objects.filter(empty).exists()
    for product in Product.objects.all():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", product.description_en) if s]
        assert 2 <= len(sentences) <= 4, product.code
        assert re.search(r"[\u4e00-\u9fff]", product.description_zh), product.code


def test_products_sell_in_their_suppliers_currency_and_country():
    seed_demo()

    for product in Product.objects.select_related("supplier"):
        country = product.destination_path.split("/")[1]
        assert product.currency == product.supplier.currency == CURRENCY_BY_COUNTRY[country]
    assert set(Organisation.objects.values_list("kind", flat=True)) == {"supplier"}


def test_open_dated_tickets_hold_exactly_one_quota_slot_without_a_date():
    seed_demo()

    open_dated = Offer.objects.filter(is_open_dated=True).annotate(
        slot_count=Count("slots"), dated=Count("slots", filter=Q(slots__date__isnull=False))
    )
    assert open_dated.count() >= 6
    assert {(o.slot_count, o.dated) for o in open_dated} == {(1, 0)}
    assert all(30 <= o.validity_days <= 180 for o in open_dated)
    assert set(open_dated.values_list("product__kind", flat=True)) == {"attraction"}


def test_dated_offers_with_own_inventory_have_a_slot_for_each_day_from_local_today():
    seed_demo()

    offers = dated_offers_with_own_inventory().exclude(product__kind="tour")
    offers = offers.select_related("product").annotate(slot_count=Count("slots"))
    assert offers.count() >= 200
    for offer in offers:
        start = local_today(offer.product.timezone)
        dates = list(offer.slots.order_by("date").values_list("date", flat=True))
        assert offer.slot_count == DAYS, offer.code
        assert dates[0] == start, offer.code
        assert dates[-1] == start + dt.timedelta(days=DAYS - 1), offer.code


def test_tours_have_slots_on_their_departure_weekdays_only():
    seed_demo()

    tours = dated_offers_with_own_inventory().filter(product__kind="tour")
    assert tours.count() >= 20
    for offer in tours:
        weekdays = {d.weekday() for d in offer.slots.values_list("date", flat=True)}
        assert 1 <= len(weekdays) < 7, offer.code
        start = local_today(offer.product.timezone)
        expected = sum(
            1 for i in range(DAYS) if (start + dt.timedelta(days=i)).weekday() in weekdays
        )
        assert offer.slots.count() == expected, offer.code


def test_derived_rate_plans_sell_their_pools_rooms_and_have_no_slots():
    seed_demo()

    derived = Offer.objects.filter(rate_plan__parent__isnull=False).select_related(
        "rate_plan", "inventory_pool__rate_plan"
    )
    assert derived.count() >= 120
    assert not derived.filter(slots__isnull=False).exists()
    for offer in derived:
        pool = offer.inventory_pool
        assert pool is not None, offer.code
        assert pool.room_type_id == offer.room_type_id
        assert pool.rate_plan_id == offer.rate_plan.parent_id
    savers = RatePlan.objects.filter(code="saver-nr")
    assert savers.count() == 60
    assert set(savers.values_list("derivation", "derivation_value")) == {("percent", -10)}
    assert set(savers.values_list("cancellation_policy__code", flat=True)) == {"non-refundable"}
    standard = RatePlan.objects.filter(parent__isnull=True)
    assert set(standard.values_list("meal_plan", "base_occupancy")) == {("BB", 2)}
    assert not standard.filter(single_adjustment_minor__gte=0).exists()
    assert LengthOfStayDiscount.objects.filter(min_nights=7).exists()


def test_offer_codes_are_short_and_fit_in_a_text_message():
    seed_demo()

    codes = list(Offer.objects.values_list("code", flat=True))
    assert all(re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", code) for code in codes)
    assert max(map(len, codes)) <= 20
    assert Offer.objects.filter(code="KMG-H01-STD-BB").exists()


def test_a_province_prefix_finds_the_products_of_all_its_cities():
    seed_demo()

    yunnan = Destination.objects.get(code="yunnan")
    found = Product.objects.filter(destination_path__startswith=yunnan.path)
    cities = {path.split("/")[3] for path in found.values_list("destination_path", flat=True)}
    assert cities == {"kunming", "lijiang", "dali"}
    assert found.filter(kind="hotel").count() == 15
    assert not found.filter(destination_path__startswith="/jp/").exists()


def test_every_product_has_one_to_three_pictures_stored_as_media_files():
    seed_demo()

    per_product = Counter(ProductImage.objects.values_list("product_id", flat=True))
    assert len(per_product) == Product.objects.count()
    assert set(per_product.values()) <= {1, 2, 3}
    for name in set(ProductImage.objects.values_list("image", flat=True)):
        assert default_storage.exists(name), name
    assert not ProductImage.objects.filter(Q(alt_en="") | Q(alt_zh="")).exists()


def test_demo_has_exchange_rates_between_its_currencies_for_today():
    seed_demo()

    rates = ExchangeRate.objects.filter(as_of=timezone.localdate())
    pairs = set(rates.values_list("base", "quote"))
    currencies = {"CNY", "USD", "EUR", "JPY", "THB"}
    assert pairs == {(b, q) for b in currencies for q in currencies if b != q}
    assert 7 < rates.get(base="USD", quote="CNY").rate < 8


def test_hotel_taxes_follow_the_country():
    seed_demo()

    def codes(city: str) -> set[str]:
        return set(
            TaxFee.objects.filter(product__destination_path__contains=f"/{city}/").values_list(
                "code", flat=True
            )
        )

    assert codes("kyoto") == {"consumption-tax", "accommodation-tax"}
    assert codes("paris") == {"tva", "taxe-de-sejour"}
    assert {"vat", "service-charge"} == codes("kunming")
    hawaii = TaxFee.objects.filter(code="transient-tax")
    assert set(hawaii.values_list("rate", "is_included")) == {(Decimal("17.96"), False)}
    japan = TaxFee.objects.get(code="accommodation-tax", product__code="kyoto-station-garden-hotel")
    assert (japan.basis, japan.amount_minor) == ("per_night", 200)


def test_second_demo_run_says_so_and_changes_nothing():
    seed_demo()
    before = row_counts()

    output = seed_demo()

    assert "already loaded" in output
    assert row_counts() == before


def test_two_demo_runs_give_the_same_codes_titles_and_prices():
    def snapshot():
        products = list(
            Product.objects.order_by("code").values_list("code", "title_en", "title_zh", "address")
        )
        slots = list(
            InventorySlot.objects.order_by("offer__code", "date").values_list(
                "offer__code", "date", "price_minor", "child_price_minor", "capacity", "is_closed"
            )
        )
        return products, slots

    runs = []
    for _ in range(2):
        with transaction.atomic():
            seed_demo(days=10)
            runs.append(snapshot())
            transaction.set_rollback(True)

    assert Product.objects.count() == 0
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 115


def test_demo_inventory_covers_365_days_by_default():
    seed("--demo")

    per_offer = set(
        dated_offers_with_own_inventory()
        .exclude(product__kind="tour")
        .annotate(n=Count("slots"))
        .values_list("n", flat=True)
    )
    assert per_offer == {365}
    assert InventorySlot.objects.filter(is_closed=True).exists()
    assert InventorySlot.objects.filter(min_stay=2).exists()
    assert InventorySlot.objects.filter(closed_to_arrival=True).exists()


def test_leisure_nights_cost_more_at_weekends_and_in_golden_week():
    friday = dt.date(2025, 3, 7)
    week = price_calendar("cn", LEISURE, friday, 3)  # Friday, Saturday, Sunday nights
    national_day = price_calendar("cn", LEISURE, dt.date(2025, 10, 1), 1)

    assert week.multipliers[0] == week.multipliers[1] > week.multipliers[2]
    assert 0 in national_day.peak_days  # two-night minimum on the holiday
    assert not week.peak_days


def test_scale_adds_hotels_with_a_year_of_slots_and_search_fields():
    output = seed("--scale", "20")

    hotels = Product.objects.filter(code__startswith="sc-hotel-").select_related("destination")
    assert hotels.count() == 20
    assert "Added 20 hotels" in output
    for hotel in hotels:
        assert hotel.destination_path == hotel.destination.path
        assert hotel.search_text == build_search_text(hotel)
        assert 2 <= hotel.room_types.count() <= 4
    own = Offer.objects.filter(product__in=hotels, inventory_pool__isnull=True)
    assert set(own.annotate(n=Count("slots")).values_list("n", flat=True)) == {365}
    pooled = Offer.objects.filter(product__in=hotels, inventory_pool__isnull=False)
    assert pooled.count() >= 20
    assert not InventorySlot.objects.filter(offer__in=pooled).exists()
    assert Destination.objects.filter(code="kunming").count() == 1


def test_scale_run_twice_adds_hotels_under_new_codes():
    seed("--scale", "3", "--days", "5")
    seed("--scale", "2", "--days", "5")
    seed("--scale", "1", "--days", "5", "--prefix", "bx")

    codes = sorted(Product.objects.values_list("code", flat=True))
    assert codes == [
        "bx-hotel-000001",
        *(f"sc-hotel-{n:06d}" for n in range(1, 6)),
    ]
    assert Offer.objects.filter(code__startswith="BX000001-").exists()


def test_scale_and_demo_share_one_destination_tree():
    seed("--scale", "2", "--days", "3")
    seed_demo(days=3)

    assert Destination.objects.filter(code="yunnan").count() == 1
    assert Product.objects.filter(kind="hotel").count() == 62


def test_seed_needs_demo_or_scale():
    with pytest.raises(CommandError):
        call_command("seed")


def test_scale_rejects_a_prefix_that_would_make_long_codes():
    with pytest.raises(CommandError, match="prefix"):
        seed("--scale", "1", "--prefix", "TOOLONG")
    assert Product.objects.count() == 0
