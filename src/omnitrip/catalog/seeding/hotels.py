"""One hotel as unsaved rows: product, room types, standard and derived rate plans, offers, slots.

Shared by the demo seed and the scale seed so both produce the same shape of hotel:
2–4 room types, each sold under a flexible breakfast plan (with a year of slots) and a
derived non-refundable plan that sells the same rooms (``inventory_pool``), sometimes a
derived half-board plan too.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from omnitrip.accounts.models import Organisation
from omnitrip.catalog.models import (
    Destination,
    LengthOfStayDiscount,
    MealPlan,
    Offer,
    Product,
    ProductKind,
    ProductStatus,
    RatePlan,
    RoomType,
    TaxFee,
)
from omnitrip.catalog.seeding.batch import CatalogueBatch
from omnitrip.catalog.seeding.content.hotels import (
    AMENITIES_BY_STYLE,
    BUSINESS,
    CHECK_TIMES,
    CHILDREN_LINE,
    EXTRA_AMENITIES,
    FACILITY_PHRASES,
    IDENTITY_LINES,
    LUXURY,
    NIGHTLY_PRICE,
    PETS_REFUSED,
    PETS_WELCOME,
    RESORT,
    ROOM_KINDS,
    ROOMS_BY_STYLE,
    ROOMS_LINE,
    ROOMS_LINE_PLAIN,
    RYOKAN,
    STYLE_LINES,
)
from omnitrip.catalog.seeding.content.places import City
from omnitrip.catalog.seeding.content.reference import (
    FREE_1D,
    FREE_3D,
    HOTEL_TAXES,
    NON_REFUNDABLE,
)
from omnitrip.catalog.seeding.reference import Reference
from omnitrip.catalog.seeding.seasons import BUSINESS as BUSINESS_PROFILE
from omnitrip.catalog.seeding.seasons import (
    LEISURE,
    price_calendar,
    price_step,
    round_price,
    to_minor,
)
from omnitrip.catalog.seeding.slots import SlotSeries

RATINGS = {2: (3.6, 4.3), 3: (3.9, 4.6), 4: (4.2, 4.8), 5: (4.5, 4.9)}
COORDINATE = Decimal("0.000001")


@dataclass(frozen=True)
class HotelSpec:
    """Who and where: everything about a hotel that is not drawn from its random stream."""

    code: str
    offer_prefix: str  # "KMG-H01": offer codes are "<prefix>-<ROOM>-<PLAN>"
    name_en: str
    name_zh: str
    stars: int
    style: str
    destination: Destination
    city: City
    supplier: Organisation


def place_names(destination: Destination, city_destination: Destination) -> tuple[str, str]:
    """How a description names the place: "Gion, Kyoto" / "京都祇园", or just the city."""
    if destination.pk == city_destination.pk:
        return destination.name_en, destination.name_zh
    return (
        f"{destination.name_en}, {city_destination.name_en}",
        f"{city_destination.name_zh}{destination.name_zh}",
    )


def near(value: Decimal | None, rng: random.Random, spread: float) -> Decimal | None:
    if value is None:
        return None
    return (value + Decimal(str(rng.uniform(-spread, spread)))).quantize(COORDINATE)


def address(city: City, rng: random.Random) -> str:
    street = rng.choice(city.streets)
    if city.japanese_numbering:
        return f"{rng.randint(1, 6)}-{rng.randint(1, 30)} {street}"
    return f"{rng.randint(1, 388)} {street}"


def add_hotel(
    batch: CatalogueBatch,
    spec: HotelSpec,
    reference: Reference,
    rng: random.Random,
    *,
    start: dt.date,
    days: int,
) -> Product:
    """Append one hotel's rows to ``batch``; ``start`` is today in the hotel's time zone."""
    currency = spec.supplier.currency
    city_destination = reference.destinations[spec.city.code]
    room_codes = _pick_rooms(spec.style, rng)
    sizes = [ROOM_KINDS[code].size_sqm + rng.randint(-2, 4) for code in room_codes]
    amenity_codes = _pick_amenities(spec.style, rng)
    description_en, description_zh = _describe(spec, city_destination, sizes, amenity_codes, rng)
    policies_en, policies_zh = _policies(spec.city.country, "pet-friendly" in amenity_codes)
    spread = 0.03 if spec.destination.level == 3 else 0.006
    low, high = RATINGS[spec.stars]
    product = Product(
        code=spec.code,
        kind=ProductKind.HOTEL,
        status=ProductStatus.PUBLISHED,
        supplier=spec.supplier,
        destination=spec.destination,
        title_en=spec.name_en,
        title_zh=spec.name_zh,
        description_en=description_en,
        description_zh=description_zh,
        policies_en=policies_en,
        policies_zh=policies_zh,
        address=address(spec.city, rng),
        latitude=near(spec.destination.latitude, rng, spread),
        longitude=near(spec.destination.longitude, rng, spread),
        timezone=spec.destination.timezone,
        currency=currency,
        star_rating=spec.stars,
        rating=Decimal(str(round(rng.uniform(low, high), 1))),
        review_count=rng.randint(40, 900) * spec.stars,
        popularity=rng.randint(5, 600),
        check_in_time=dt.time(14, 0),
        check_out_time=dt.time(12, 0),
    )
    batch.products.append(product)
    batch.amenities += [(product, reference.amenities[code]) for code in amenity_codes]
    batch.taxes += _taxes(product, spec)

    step = price_step(currency)
    low_price, high_price = NIGHTLY_PRICE[currency][spec.stars]
    base_minor = round_price(to_minor(rng.randint(low_price, high_price), currency), step)
    flexible, derived = _rate_plans(product, spec, base_minor, step, reference, rng)
    batch.rate_plans.append(flexible)
    batch.derived_plans += derived
    if rng.random() < 0.4:
        batch.stay_discounts.append(
            LengthOfStayDiscount(rate_plan=flexible, min_nights=7, percent_off=Decimal("10"))
        )
        if rng.random() < 0.5:
            batch.stay_discounts.append(
                LengthOfStayDiscount(rate_plan=flexible, min_nights=3, percent_off=Decimal("5"))
            )

    calendar = price_calendar(
        spec.city.country, BUSINESS_PROFILE if spec.style == BUSINESS else LEISURE, start, days
    )
    for position, (room_code, size) in enumerate(zip(room_codes, sizes, strict=True)):
        kind = ROOM_KINDS[room_code]
        room = RoomType(
            product=product,
            code=room_code,
            name_en=kind.name_en,
            name_zh=kind.name_zh,
            max_adults=kind.max_adults,
            max_children=kind.max_children,
            max_occupancy=kind.max_occupancy,
            bed_en=kind.bed_en,
            bed_zh=kind.bed_zh,
            size_sqm=size,
        )
        batch.room_types.append(room)
        pool = Offer(
            product=product,
            code=f"{spec.offer_prefix}-{room_code.upper()}-BB",
            name_en=f"{kind.name_en}, {flexible.name_en}",
            name_zh=f"{kind.name_zh}·{flexible.name_zh}",
            room_type=room,
            rate_plan=flexible,
            position=position * 10,
        )
        batch.offers.append(pool)
        batch.slots.append(
            SlotSeries(
                offer=pool,
                calendar=calendar,
                base_minor=round_price(base_minor * float(kind.price_factor), step),
                step=step,
                capacity=rng.randint(*kind.rooms),
                closed=_some_days(rng, days, 2),
                closed_to_arrival=_some_days(rng, days, 2),
                uses_min_stay=spec.style != BUSINESS,
            )
        )
        for offset, plan in enumerate(derived, start=1):
            batch.pooled_offers.append(
                Offer(
                    product=product,
                    code=f"{spec.offer_prefix}-{room_code.upper()}-{_plan_suffix(plan)}",
                    name_en=f"{kind.name_en}, {plan.name_en}",
                    name_zh=f"{kind.name_zh}·{plan.name_zh}",
                    room_type=room,
                    rate_plan=plan,
                    inventory_pool=pool,  # sells the flexible offer's rooms; no slots
                    position=position * 10 + offset,
                )
            )
    return product


def _plan_suffix(plan: RatePlan) -> str:
    return "HB" if plan.meal_plan == MealPlan.HALF_BOARD else "NR"


def _pick_rooms(style: str, rng: random.Random) -> list[str]:
    choices = ROOMS_BY_STYLE[style]
    return list(choices[: rng.randint(2, min(4, len(choices)))])


def _pick_amenities(style: str, rng: random.Random) -> list[str]:
    codes = list(AMENITIES_BY_STYLE[style])
    for extra in rng.sample(EXTRA_AMENITIES, rng.randint(0, 2)):
        if extra not in codes:
            codes.append(extra)
    return codes


def _some_days(rng: random.Random, days: int, most: int) -> frozenset[int]:
    return frozenset(rng.randrange(days) for _ in range(rng.randint(0, most)))


def _describe(
    spec: HotelSpec,
    city_destination: Destination,
    sizes: list[int],
    amenity_codes: list[str],
    rng: random.Random,
) -> tuple[str, str]:
    place_en, place_zh = place_names(spec.destination, city_destination)
    opening_en, opening_zh = rng.choice(STYLE_LINES[spec.style])
    location_en, location_zh = rng.choice(spec.city.location_lines)
    facilities = [code for code in amenity_codes if code in FACILITY_PHRASES]
    if len(facilities) >= 2:
        first, second = (FACILITY_PHRASES[code] for code in rng.sample(facilities, 2))
        rooms_en, rooms_zh = (
            line.format(smallest=min(sizes), largest=max(sizes), a=first[i], b=second[i])
            for i, line in enumerate(ROOMS_LINE)
        )
    else:
        rooms_en, rooms_zh = (
            line.format(smallest=min(sizes), largest=max(sizes)) for line in ROOMS_LINE_PLAIN
        )
    return (
        " ".join([opening_en.format(name=spec.name_en, place=place_en), location_en, rooms_en]),
        "".join([opening_zh.format(name=spec.name_zh, place=place_zh), location_zh, rooms_zh]),
    )


def _policies(country: str, pets_welcome: bool) -> tuple[str, str]:
    pets = PETS_WELCOME if pets_welcome else PETS_REFUSED
    identity = IDENTITY_LINES.get(country, IDENTITY_LINES["default"])
    lines = (CHECK_TIMES, CHILDREN_LINE, pets, identity)
    return " ".join(en for en, _ in lines), "".join(zh for _, zh in lines)


def _taxes(product: Product, spec: HotelSpec) -> list[TaxFee]:
    return [
        TaxFee(
            product=product,
            code=tax.code,
            name_en=tax.name_en,
            name_zh=tax.name_zh,
            is_tax=tax.is_tax,
            basis=tax.basis,
            rate=Decimal(tax.rate),
            amount_minor=to_minor(tax.amount, product.currency),
            is_included=tax.is_included,
        )
        for tax in HOTEL_TAXES[spec.city.country]
        if spec.stars >= tax.min_stars and (not tax.styles or spec.style in tax.styles)
    ]


def _rate_plans(
    product: Product,
    spec: HotelSpec,
    base_minor: int,
    step: int,
    reference: Reference,
    rng: random.Random,
) -> tuple[RatePlan, list[RatePlan]]:
    """The flexible breakfast plan and the plans derived from it."""
    occupancy = {
        "base_occupancy": 2,
        "single_adjustment_minor": -round_price(base_minor * 0.12, step),
        "extra_adult_minor": round_price(base_minor * 0.3, step),
        "extra_child_minor": round_price(base_minor * 0.12, step),
    }
    flexible = RatePlan(
        product=product,
        code="flex-bb",
        name_en="Flexible, breakfast included",
        name_zh="含早餐·可免费取消",
        meal_plan=MealPlan.BED_AND_BREAKFAST,
        cancellation_policy=reference.policies[FREE_3D if spec.stars >= 4 else FREE_1D],
        **occupancy,
    )
    with_breakfast = rng.random() < 0.5
    derived = [
        RatePlan(
            product=product,
            code="saver-nr",
            name_en="Non-refundable saver" + (", breakfast included" if with_breakfast else ""),
            name_zh="不可退款特惠价" + ("·含早餐" if with_breakfast else "·不含早餐"),
            meal_plan=MealPlan.BED_AND_BREAKFAST if with_breakfast else MealPlan.ROOM_ONLY,
            cancellation_policy=reference.policies[NON_REFUNDABLE],
            parent=flexible,
            derivation=RatePlan.Derivation.PERCENT,
            derivation_value=Decimal("-10"),
            **occupancy,
        )
    ]
    if spec.style in (RESORT, RYOKAN, LUXURY) or rng.random() < 0.15:
        derived.append(
            RatePlan(
                product=product,
                code="half-board",
                name_en="Half board, breakfast and dinner",
                name_zh="含早晚餐（半膳）",
                meal_plan=MealPlan.HALF_BOARD,
                cancellation_policy=reference.policies[FREE_3D],
                parent=flexible,
                derivation=RatePlan.Derivation.PERCENT,
                derivation_value=Decimal("25"),
                **occupancy,
            )
        )
    return flexible, derived
