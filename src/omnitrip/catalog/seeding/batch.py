"""Unsaved catalogue rows collected by the builders, written table by table in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model

from omnitrip.catalog.models import (
    Amenity,
    LengthOfStayDiscount,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    RoomType,
    TaxFee,
    build_search_text,
)
from omnitrip.catalog.seeding.slots import SlotSeries, write_slots
from omnitrip.inventory.models import InventorySlot

#: The tables a seed bulk-loads, analysed afterwards (see :func:`analyse_loaded_tables`).
LOADED_MODELS: tuple[type[Model], ...] = (
    Amenity,
    Product,
    Product.amenities.through,
    TaxFee,
    ProductImage,
    RoomType,
    RatePlan,
    LengthOfStayDiscount,
    Offer,
    InventorySlot,
)


def analyse_loaded_tables() -> list[str]:
    """``ANALYZE`` the tables a seed has just bulk-loaded (PostgreSQL; SQLite: nothing).

    Autovacuum would analyse them eventually, but until it does the planner believes the
    tables are nearly empty and picks nested loops over millions of slots: search at scale
    measured ~5x slower before the first ``ANALYZE`` (docs/benchmarks.md, finding A).
    Run it outside a long transaction, after the rows are committed.
    """
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in LOADED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    return tables


@dataclass
class SavedCounts:
    products: int = 0
    offers: int = 0
    slots: int = 0

    def add(self, other: SavedCounts) -> None:
        self.products += other.products
        self.offers += other.offers
        self.slots += other.slots


@dataclass
class CatalogueBatch:
    """Rows that reference each other by object; ``save`` writes parents before children.

    ``bulk_create`` sets primary keys on PostgreSQL and SQLite 3.35+, and a child's foreign
    key is taken from its (by then saved) parent object, so builders never handle ids.
    """

    products: list[Product] = field(default_factory=list)
    amenities: list[tuple[Product, Amenity]] = field(default_factory=list)
    taxes: list[TaxFee] = field(default_factory=list)
    images: list[ProductImage] = field(default_factory=list)
    room_types: list[RoomType] = field(default_factory=list)
    rate_plans: list[RatePlan] = field(default_factory=list)  # standard plans
    derived_plans: list[RatePlan] = field(default_factory=list)
    stay_discounts: list[LengthOfStayDiscount] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)  # offers with inventory of their own
    pooled_offers: list[Offer] = field(default_factory=list)  # they sell a pool's inventory
    slots: list[SlotSeries] = field(default_factory=list)

    def save(self, *, batch_size: int = 5000) -> SavedCounts:
        """Insert everything; call inside ``transaction.atomic()``."""
        for product in self.products:
            # Product.save() would fill these two; bulk_create does not call save().
            product.destination_path = product.destination.path
            product.search_text = build_search_text(product)
        Product.objects.bulk_create(self.products, batch_size=batch_size)
        through = Product.amenities.through
        through.objects.bulk_create(
            [through(product=product, amenity=amenity) for product, amenity in self.amenities],
            batch_size=batch_size,
        )
        groups: tuple[tuple[type[Model], Sequence[Model]], ...] = (
            (TaxFee, self.taxes),
            (ProductImage, self.images),
            (RoomType, self.room_types),
            (RatePlan, self.rate_plans),
            (RatePlan, self.derived_plans),
            (LengthOfStayDiscount, self.stay_discounts),
            (Offer, self.offers),
            (Offer, self.pooled_offers),
        )
        for model, rows in groups:  # parents before children: derived rows point at earlier ones
            model._default_manager.bulk_create(rows, batch_size=batch_size)
        slots = write_slots(self.slots, batch_size=batch_size)
        return SavedCounts(
            products=len(self.products),
            offers=len(self.offers) + len(self.pooled_offers),
            slots=slots,
        )
