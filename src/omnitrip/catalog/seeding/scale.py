"""A large catalogue of hotels for benchmarks, shaped like the demo hotels.

Hotels are spread round-robin over the demo cities (and their areas), numbered after the
highest existing number for the prefix, so repeated runs only ever add. Each chunk of
hotels is written in its own transaction with bulk inserts (slots through ``COPY`` on
PostgreSQL); a failed run keeps the chunks already written, all of them whole hotels.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from omnitrip.catalog.models import Destination, Product, ProductImage
from omnitrip.catalog.seeding import DEFAULT_DAYS, DEFAULT_SEED, images
from omnitrip.catalog.seeding.batch import CatalogueBatch, SavedCounts, analyse_loaded_tables
from omnitrip.catalog.seeding.content.hotels import (
    BOUTIQUE,
    BUDGET,
    BUSINESS,
    FAMILY,
    HERITAGE,
    LUXURY,
    RESORT,
    RYOKAN,
)
from omnitrip.catalog.seeding.content.places import CITIES, JP, PLACES, City
from omnitrip.catalog.seeding.content.reference import CURRENCY_OF_COUNTRY, Supplier
from omnitrip.catalog.seeding.hotels import HotelSpec, add_hotel
from omnitrip.catalog.seeding.reference import Reference, load_reference
from omnitrip.catalog.seeding.seasons import local_today

PREFIX_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,5}$")
HIGHEST_NUMBER = 999_999  # six digits keep offer codes within 20 characters
CHUNK_HOTELS = 500

SCALE_SUPPLIERS = tuple(
    Supplier(
        f"scale-hotels-{currency.lower()}",
        f"Benchmark Hotels ({currency})",
        f"压测酒店（{currency}）",
        currency,
        "+00 000 000 000",
    )
    for currency in sorted(set(CURRENCY_OF_COUNTRY.values()))
)

NAME_WORDS = (
    ("Garden", "花园"),
    ("Lakeview", "湖景"),
    ("Riverside", "江畔"),
    ("Central", "中心"),
    ("Grand", "大"),
    ("Park", "公园"),
    ("Harbour", "港湾"),
    ("Plaza", "广场"),
    ("Hillside", "山景"),
    ("Heritage", "传承"),
)
NAME_KINDS = (
    ("Hotel", "酒店"),
    ("Inn", "客栈"),
    ("Suites", "套房酒店"),
    ("Residence", "公寓酒店"),
    ("Lodge", "小筑"),
)
STYLES_BY_STARS = {
    2: (BUDGET,),
    3: (BUSINESS, BOUTIQUE, BUDGET, FAMILY),
    4: (BUSINESS, BOUTIQUE, HERITAGE, RESORT, FAMILY),
    5: (LUXURY, RESORT),
}


@dataclass
class ScaleResult:
    first_number: int
    counts: SavedCounts
    seconds: float


def validate_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.match(prefix):
        raise ValueError("prefix: 1 to 6 letters or digits, starting with a letter")
    return prefix.upper()


def next_number(prefix: str) -> int:
    """One past the highest hotel number already used with ``prefix``."""
    last = (
        Product.objects.filter(code__startswith=f"{prefix.lower()}-hotel-")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(last.rsplit("-", 1)[1]) + 1 if last else 1


def seed_scale(
    count: int,
    *,
    days: int = DEFAULT_DAYS,
    seed: int = DEFAULT_SEED,
    prefix: str = "SC",
    chunk: int = CHUNK_HOTELS,
    batch_size: int = 5000,
    log: Callable[[str], None] = lambda message: None,
) -> ScaleResult:
    """Add ``count`` hotels with ``days`` days of slots on their flexible offers.

    Not idempotent by design: each run adds hotels under new numbers. Chunks of ``chunk``
    hotels commit one by one.
    """
    prefix = validate_prefix(prefix)
    started = time.monotonic()
    with transaction.atomic():
        reference = load_reference(SCALE_SUPPLIERS)
        first = next_number(prefix)
    if first + count - 1 > HIGHEST_NUMBER:
        raise ValueError(f"prefix {prefix} has room for {HIGHEST_NUMBER - first + 1} more hotels")
    picture = images.ensure_image("products/scale/hotel.jpg", "hotel", "")
    placements = _placements(reference.destinations)
    total = SavedCounts()
    for chunk_start in range(first, first + count, chunk):
        numbers = range(chunk_start, min(chunk_start + chunk, first + count))
        batch = CatalogueBatch()
        for number in numbers:
            _add_scale_hotel(batch, number, prefix, placements, reference, seed, days, picture)
        with transaction.atomic():
            total.add(batch.save(batch_size=batch_size))
        log(
            f"  {total.products:,}/{count:,} hotels, {total.slots:,} slots, "
            f"{time.monotonic() - started:.1f} s"
        )
    analyse_loaded_tables()
    return ScaleResult(first_number=first, counts=total, seconds=time.monotonic() - started)


Placement = tuple[Destination, City]


def _placements(destinations: dict[str, Destination]) -> list[Placement]:
    """(destination, city) pairs to cycle through: the cities and their areas, in tree order."""
    by_city = {city.code: city for city in CITIES}
    pairs: list[Placement] = []
    for place in PLACES:
        if place.level == 3:
            pairs.append((destinations[place.code], by_city[place.code]))
        elif place.level == 4 and place.parent in by_city:
            pairs.append((destinations[place.code], by_city[place.parent]))
    return pairs


def _add_scale_hotel(
    batch: CatalogueBatch,
    number: int,
    prefix: str,
    placements: list[Placement],
    reference: Reference,
    seed: int,
    days: int,
    picture: str,
) -> None:
    rng = random.Random(f"{seed}:{prefix}:{number}")
    destination, city = placements[number % len(placements)]
    city_destination = reference.destinations[city.code]
    stars = rng.choice((2, 3, 3, 4, 4, 4, 5))
    styles = STYLES_BY_STARS[stars] + ((RYOKAN,) if city.country == JP and stars >= 3 else ())
    word_en, word_zh = rng.choice(NAME_WORDS)
    kind_en, kind_zh = rng.choice(NAME_KINDS)
    spec = HotelSpec(
        code=f"{prefix.lower()}-hotel-{number:06d}",
        offer_prefix=f"{prefix}{number:06d}",
        name_en=f"{city_destination.name_en} {word_en} {kind_en} {number}",
        name_zh=f"{city_destination.name_zh}{word_zh}{kind_zh}{number}",
        stars=stars,
        style=rng.choice(styles),
        destination=destination,
        city=city,
        supplier=reference.suppliers[f"scale-hotels-{CURRENCY_OF_COUNTRY[city.country].lower()}"],
    )
    product = add_hotel(
        batch, spec, reference, rng, start=local_today(destination.timezone), days=days
    )
    batch.images.append(
        ProductImage(product=product, image=picture, alt_en=spec.name_en, alt_zh=spec.name_zh)
    )
