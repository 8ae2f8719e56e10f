"""Row locks on inventory, always taken in primary-key order."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from omnitrip.core.locking import lock_rows

from .models import InventorySlot


def slots_for_update(slot_ids: Iterable[int]) -> list[InventorySlot]:
    """Lock these slots (sorted by pk, so two checkouts never deadlock)."""
    qs: QuerySet[InventorySlot] = InventorySlot.objects.filter(pk__in=sorted(set(slot_ids)))
    return lock_rows(qs)
