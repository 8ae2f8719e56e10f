"""Shared rows both seeds stand on: destinations, amenities, policies, suppliers and FX rates.

Each ``ensure_*`` creates what is missing and leaves existing rows alone, so the demo and
any number of scale runs can share one destination tree and one set of policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations

from omnitrip.accounts.models import Organisation, OrganisationKind
from omnitrip.catalog.models import Amenity, CancellationPolicy, Destination
from omnitrip.catalog.seeding.content.places import PLACES
from omnitrip.catalog.seeding.content.reference import (
    AMENITIES,
    CNY_PER_UNIT,
    POLICIES,
    Supplier,
)
from omnitrip.pricing.models import ExchangeRate


@dataclass
class Reference:
    destinations: dict[str, Destination]
    amenities: dict[str, Amenity]
    policies: dict[str, CancellationPolicy]
    suppliers: dict[str, Organisation]


def load_reference(suppliers: tuple[Supplier, ...]) -> Reference:
    return Reference(
        destinations=ensure_destinations(),
        amenities=ensure_amenities(),
        policies=ensure_policies(),
        suppliers=ensure_suppliers(suppliers),
    )


def ensure_destinations() -> dict[str, Destination]:
    """The demo destination tree, keyed by code, with each row's parent chain cached.

    The cache matters: ``build_search_text`` walks ``parent`` for every product.
    """
    existing = {d.code: d for d in Destination.objects.filter(code__in=[p.code for p in PLACES])}
    by_id = {d.pk: d for d in existing.values()}
    for place in PLACES:  # parents come before their children in PLACES
        destination = existing.get(place.code)
        if destination is None:
            destination = Destination(
                code=place.code,
                parent=existing[place.parent] if place.parent else None,
                level=place.level,
                name_en=place.name_en,
                name_zh=place.name_zh,
                summary_en=place.summary_en,
                summary_zh=place.summary_zh,
                timezone=place.timezone,
                latitude=Decimal(place.latitude),
                longitude=Decimal(place.longitude),
                is_featured=place.is_featured,
            )
            destination.save()  # computes the materialised path from the parent's
            existing[place.code] = destination
            by_id[destination.pk] = destination
        elif destination.parent_id is not None and destination.parent_id in by_id:
            destination.parent = by_id[destination.parent_id]
    return existing


def ensure_amenities() -> dict[str, Amenity]:
    existing = {a.code: a for a in Amenity.objects.filter(code__in=[a[0] for a in AMENITIES])}
    missing = [
        Amenity(code=code, name_en=en, name_zh=zh)
        for code, en, zh in AMENITIES
        if code not in existing
    ]
    for amenity in Amenity.objects.bulk_create(missing):
        existing[amenity.code] = amenity
    return existing


def ensure_policies() -> dict[str, CancellationPolicy]:
    codes = [p.code for p in POLICIES]
    existing = {p.code: p for p in CancellationPolicy.objects.filter(code__in=codes)}
    missing = [
        CancellationPolicy(
            code=p.code, kind=p.kind, name_en=p.name_en, name_zh=p.name_zh, rules=p.rules_json()
        )
        for p in POLICIES
        if p.code not in existing
    ]
    for policy in CancellationPolicy.objects.bulk_create(missing):
        existing[policy.code] = policy
    return existing


def ensure_suppliers(suppliers: tuple[Supplier, ...]) -> dict[str, Organisation]:
    existing = {
        o.code: o for o in Organisation.objects.filter(code__in=[s.code for s in suppliers])
    }
    missing = [
        Organisation(
            code=s.code,
            kind=OrganisationKind.SUPPLIER,
            name_en=s.name_en,
            name_zh=s.name_zh,
            currency=s.currency,
            contact_email=f"partners@{s.code}.example",
            contact_phone=s.phone,
        )
        for s in suppliers
        if s.code not in existing
    ]
    for organisation in Organisation.objects.bulk_create(missing):
        existing[organisation.code] = organisation
    return existing


def ensure_exchange_rates(as_of: dt.date) -> int:
    """Display rates between every pair of demo currencies on ``as_of``; returns rows added."""
    present = set(ExchangeRate.objects.filter(as_of=as_of).values_list("base", "quote"))
    quantum = Decimal("0.00000001")
    rates = [
        ExchangeRate(
            base=base,
            quote=quote,
            rate=(Decimal(CNY_PER_UNIT[base]) / Decimal(CNY_PER_UNIT[quote])).quantize(quantum),
            as_of=as_of,
        )
        for base, quote in permutations(sorted(CNY_PER_UNIT), 2)
        if (base, quote) not in present
    ]
    ExchangeRate.objects.bulk_create(rates)
    return len(rates)
