"""The demo catalogue: 60 hotels, 20 tours, 30 attractions and 5 routes in 13 cities.

Deterministic: every product draws from its own ``random.Random`` seeded with the run's
seed and the product's code, so the same seed gives the same codes, titles, capacities
and prices (only the dates move with today). Loaded once: the demo suppliers are the
marker, and a second run leaves the database as it is.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from omnitrip.accounts.models import Organisation
from omnitrip.catalog.models import Destination, DestinationImage, ProductImage
from omnitrip.catalog.seeding import DEFAULT_DAYS, DEFAULT_SEED, images
from omnitrip.catalog.seeding.batch import CatalogueBatch, SavedCounts, analyse_loaded_tables
from omnitrip.catalog.seeding.content.attractions import ATTRACTIONS
from omnitrip.catalog.seeding.content.guides import GUIDES
from omnitrip.catalog.seeding.content.hotels import HOTELS
from omnitrip.catalog.seeding.content.places import city_of
from omnitrip.catalog.seeding.content.reference import SUPPLIERS
from omnitrip.catalog.seeding.content.routes import ROUTES
from omnitrip.catalog.seeding.content.tours import TOURS
from omnitrip.catalog.seeding.experiences import add_attraction, add_route, add_tour
from omnitrip.catalog.seeding.hotels import HotelSpec, add_hotel
from omnitrip.catalog.seeding.reference import Reference, ensure_exchange_rates, load_reference
from omnitrip.catalog.seeding.seasons import local_today

IMAGE_FOLDER = "demo"


class SeedError(Exception):
    """The database is in a state the seed refuses to touch."""


@dataclass
class DemoResult:
    counts: SavedCounts
    seconds: float


def demo_is_loaded() -> bool:
    """True when the demo suppliers exist; raises if only some of them do."""
    present = Organisation.objects.filter(code__in=[s.code for s in SUPPLIERS]).count()
    if 0 < present < len(SUPPLIERS):
        raise SeedError(
            f"{present} of the {len(SUPPLIERS)} demo suppliers exist: the demo catalogue was "
            "partly removed. Delete the rest of it (or use a fresh database) and seed again."
        )
    return present == len(SUPPLIERS)


def seed_demo(
    *,
    days: int = DEFAULT_DAYS,
    seed: int = DEFAULT_SEED,
    batch_size: int = 5000,
    log: Callable[[str], None] = lambda message: None,
) -> DemoResult | None:
    """Load the demo catalogue in one transaction; returns None if it is already there.

    Idempotent by its marker (the demo suppliers). Shared reference rows (destinations,
    amenities, policies) are reused if a scale seed created them first.
    """
    started = time.monotonic()
    with transaction.atomic():
        if demo_is_loaded():
            return None
        reference = load_reference(SUPPLIERS)
        added = ensure_exchange_rates(timezone.localdate())
        log(f"Reference data ready ({len(reference.destinations)} destinations, {added} FX rates).")
        batch = CatalogueBatch()
        _add_hotels(batch, reference, seed=seed, days=days)
        _add_experiences(batch, reference, seed=seed, days=days)
        _check_unique_codes(batch)
        _add_images(batch, seed=seed)
        _add_destination_guides(batch, reference)
        log(f"Built {len(batch.products)} products; writing {sum(map(len, batch.slots))} slots…")
        counts = batch.save(batch_size=batch_size)
    analyse_loaded_tables()
    return DemoResult(counts=counts, seconds=time.monotonic() - started)


def _rng(seed: int, code: str) -> random.Random:
    # A string seed is hashed with SHA-512, so it is stable across processes and versions.
    return random.Random(f"{seed}:{code}")


def _add_hotels(batch: CatalogueBatch, reference: Reference, *, seed: int, days: int) -> None:
    numbers: Counter[str] = Counter()
    for hotel in HOTELS:
        city = city_of(hotel.destination)
        numbers[city.code] += 1
        code = slugify(hotel.name_en)
        spec = HotelSpec(
            code=code,
            offer_prefix=f"{city.abbreviation}-H{numbers[city.code]:02d}",
            name_en=hotel.name_en,
            name_zh=hotel.name_zh,
            stars=hotel.stars,
            style=hotel.style,
            destination=reference.destinations[hotel.destination],
            city=city,
            supplier=reference.suppliers[city.hotel_supplier],
        )
        start = local_today(spec.destination.timezone)
        add_hotel(batch, spec, reference, _rng(seed, code), start=start, days=days)


def _add_experiences(batch: CatalogueBatch, reference: Reference, *, seed: int, days: int) -> None:
    numbers: Counter[tuple[str, str]] = Counter()
    for tour in TOURS:
        city = city_of(tour.destination)
        numbers[city.code, "tour"] += 1
        rng = _rng(seed, slugify(tour.title_en))
        add_tour(batch, tour, numbers[city.code, "tour"], reference, rng, days=days)
    for attraction in ATTRACTIONS:
        city = city_of(attraction.destination)
        numbers[city.code, "attraction"] += 1
        rng = _rng(seed, slugify(attraction.title_en))
        add_attraction(
            batch, attraction, numbers[city.code, "attraction"], reference, rng, days=days
        )
    for route in ROUTES:
        add_route(batch, route, reference, _rng(seed, route.code), days=days)


def _check_unique_codes(batch: CatalogueBatch) -> None:
    """A content typo (two titles with one slug) should fail loudly, not as an IntegrityError."""
    for label, codes in (
        ("product", [p.code for p in batch.products]),
        ("offer", [o.code for o in batch.offers + batch.pooled_offers]),
    ):
        repeated = [code for code, n in Counter(codes).items() if n > 1]
        if repeated:
            raise SeedError(f"Duplicate demo {label} codes: {', '.join(sorted(repeated))}")


def _add_destination_guides(batch: CatalogueBatch, reference: Reference) -> None:
    """The cities' travel guides, and three of their products' covers as their photos.

    A guide a destination office already wrote (or a photo it added) is left alone.
    """
    covers = [image for image in batch.images if image.position == 0]
    edited = []
    for code, (guide_en, guide_zh) in GUIDES.items():
        place = reference.destinations.get(code)
        if place is None or place.guide_en or place.guide_zh:
            continue
        place.guide_en, place.guide_zh = guide_en, guide_zh
        edited.append(place)
    Destination.objects.bulk_update(edited, ["guide_en", "guide_zh"])
    has_photos = set(
        DestinationImage.objects.filter(destination__in=edited).values_list(
            "destination_id", flat=True
        )
    )
    photos = []
    for place in edited:
        if place.pk in has_photos:
            continue
        inside = [c for c in covers if c.product.destination.path.startswith(place.path)][:3]
        for position, cover in enumerate(inside):
            photos.append(
                DestinationImage(
                    destination=place,
                    image=cover.image,
                    alt_en=f"{cover.product.title_en}, {place.name_en}",
                    alt_zh=f"{place.name_zh}：{cover.product.title_zh}",
                    position=position,
                )
            )
    DestinationImage.objects.bulk_create(photos)


def _add_images(batch: CatalogueBatch, *, seed: int) -> None:
    """One captioned cover per product plus up to two of its kind's shared scenes."""
    scenes = {kind: images.scene_images(IMAGE_FOLDER, kind) for kind in images.PALETTES}
    for product in batch.products:
        rng = _rng(seed, f"{product.code}:images")
        cover_name = images.cover_name(IMAGE_FOLDER, product.code, product.title_en)
        cover = images.ensure_image(cover_name, product.kind, product.title_en)
        batch.images.append(
            ProductImage(
                product=product,
                image=cover,
                alt_en=product.title_en,
                alt_zh=product.title_zh,
                position=0,
            )
        )
        for position, (name, alt_en, alt_zh) in enumerate(
            rng.sample(scenes[product.kind], rng.randint(0, 2)), start=1
        ):
            batch.images.append(
                ProductImage(
                    product=product, image=name, alt_en=alt_en, alt_zh=alt_zh, position=position
                )
            )
