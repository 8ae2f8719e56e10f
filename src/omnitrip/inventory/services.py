"""Every write to inventory: hold, convert, release, sell and give back units.

The rule that makes overselling impossible: a unit is only ever taken by a guarded
``UPDATE … SET held = held + q WHERE id = … AND capacity - held - sold >= q`` whose row
count is checked, with the database's CheckConstraint ``capacity >= held + sold`` behind it.
Callers that take several slots (a stay, a basket) run inside one transaction, so the
whole basket is all-or-nothing. :func:`hold_inventory` takes the slots in primary-key
order, each guarded UPDATE locking its row until commit, so two baskets never deadlock
and a checkout can lock late: write everything else first, take the slots last
(docs/benchmarks.md, finding C). The other writers lock the slots in primary-key order
first (:func:`omnitrip.inventory.locks.slots_for_update`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from .errors import SoldOut
from .locks import slots_for_update
from .models import Hold, HoldStatus, InventorySlot

#: What pricing reads from a slot besides its counts: if one of these changed between an
#: unlocked read and taking the slot, the price or the bookability computed may be wrong.
PRICED_FIELDS = (
    "price_minor",
    "child_price_minor",
    "is_closed",
    "min_stay",
    "max_stay",
    "closed_to_arrival",
    "closed_to_departure",
)


@dataclass(frozen=True)
class Allocation:
    """``quantity`` units of slot ``slot_id`` for the owner named ``reference``."""

    reference: str
    slot_id: int
    quantity: int


def _take(slot_id: int, quantity: int, *, column: str) -> bool:
    """Guarded increment of ``held`` or ``sold``; False when not enough is left."""
    updated = InventorySlot.objects.filter(
        pk=slot_id, capacity__gte=F("held") + F("sold") + quantity
    ).update(**{column: F(column) + quantity})
    return updated == 1


def _give_back(slot_id: int, quantity: int, *, column: str) -> None:
    updated = InventorySlot.objects.filter(pk=slot_id, **{f"{column}__gte": quantity}).update(
        **{column: F(column) - quantity}
    )
    if updated != 1:  # a bookkeeping bug, never a user error: fail loudly and roll back
        raise AssertionError(f"slot {slot_id}: cannot give back {quantity} {column}")


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("inventory writes must run inside transaction.atomic()")


def release_expired_on_slots(slot_ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Lazily give back expired holds on these slots. Caller holds the slots' locks."""
    _require_transaction()
    now = now or timezone.now()
    expired = list(
        Hold.objects.filter(
            slot_id__in=list(slot_ids), status=HoldStatus.ACTIVE, expires_at__lte=now
        )
        .order_by("pk")
        .values_list("pk", "slot_id", "quantity")
    )
    for pk, slot_id, quantity in expired:
        _release_one(pk, slot_id, quantity, now)
    return len(expired)


def _release_one(hold_id: int, slot_id: int, quantity: int, now: dt.datetime) -> bool:
    # Flip the hold first, guarded on its status: whoever flips it gives the units back,
    # so a racing expiry task and a checkout never release the same hold twice.
    flipped = Hold.objects.filter(pk=hold_id, status=HoldStatus.ACTIVE).update(
        status=HoldStatus.RELEASED, closed_at=now
    )
    if flipped:
        _give_back(slot_id, quantity, column="held")
    return bool(flipped)


def hold_inventory(
    allocations: Sequence[Allocation], *, expires_at: dt.datetime, now: dt.datetime | None = None
) -> list[Hold]:
    """Hold every allocation or none; returns the new holds.

    Caller: inside ``transaction.atomic()``. The slots need not be locked beforehand: the
    slots are taken in primary-key order, each guarded UPDATE locking its row until
    commit, so a checkout calls this last and holds a busy slot's lock only for the end
    of its transaction. A slot short of units is locked and its expired holds released
    (the lazy release the periodic sweep would do) before one more try.
    Raises :class:`SoldOut` naming the first slot short of units; the caller's transaction
    then rolls back every hold already taken. Not idempotent by itself: the order's
    idempotency key protects retries.
    """
    _require_transaction()
    now = now or timezone.now()
    wanted: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        if allocation.quantity < 1:
            raise ValueError("quantity must be positive")
        wanted[allocation.slot_id] += allocation.quantity
    for slot_id in sorted(wanted):
        if _take(slot_id, wanted[slot_id], column="held"):
            continue
        # Short: lapsed holds may be keeping units. Release them under the slot's lock
        # (taken now, still in pk order) and try once more, whoever released them.
        slots_for_update([slot_id])
        release_expired_on_slots([slot_id], now=now)
        if not _take(slot_id, wanted[slot_id], column="held"):
            raise SoldOut("Not enough availability left", slot_id=slot_id)
    return Hold.objects.bulk_create(
        Hold(slot_id=a.slot_id, reference=a.reference, quantity=a.quantity, expires_at=expires_at)
        for a in allocations
    )


def is_short(
    wanted: Mapping[int, int], slots: Iterable[InventorySlot], *, now: dt.datetime | None = None
) -> bool:
    """Whether slots read *without a lock* already show fewer units than ``wanted``.

    ``wanted`` is ``{slot id: units}``. Units of lapsed holds not yet released count as
    free, since taking the slot would release them. A hint to refuse a checkout before it
    starts a transaction; :func:`hold_inventory`'s guarded UPDATE stays the authority.
    """
    remaining = {slot.pk: slot.remaining for slot in slots}
    short = [pk for pk, units in wanted.items() if remaining.get(pk, 0) < units]
    if not short:
        return False
    lapsed = dict(
        Hold.objects.filter(
            slot_id__in=short, status=HoldStatus.ACTIVE, expires_at__lte=now or timezone.now()
        )
        .values("slot_id")
        .annotate(units=Sum("quantity"))
        .values_list("slot_id", "units")
    )
    return any(remaining.get(pk, 0) + lapsed.get(pk, 0) < wanted[pk] for pk in short)


def slots_unchanged(slots: Sequence[InventorySlot]) -> bool:
    """Whether these slots still have the prices and rules (``PRICED_FIELDS``) read earlier.

    Call it after taking the slots: the rows taken are locked by this transaction, so
    what it reads of them holds until commit.
    """
    current = {
        pk: tuple(values)
        for pk, *values in InventorySlot.objects.filter(pk__in=[s.pk for s in slots]).values_list(
            "pk", *PRICED_FIELDS
        )
    }
    return all(
        current.get(slot.pk) == tuple(getattr(slot, name) for name in PRICED_FIELDS)
        for slot in slots
    )


def active_holds(references: Iterable[str]) -> list[Hold]:
    return list(
        Hold.objects.filter(reference__in=list(references), status=HoldStatus.ACTIVE).order_by("pk")
    )


def convert_holds(references: Sequence[str], *, now: dt.datetime | None = None) -> bool:
    """Turn the live holds of these owners into sales (held → sold).

    Returns False, changing nothing, unless every hold of every owner is still live. A
    stay holds one row per night and the expiry sweep gives nights back one slot at a
    time, so "each owner has some live hold" is not enough: one lapsed night means the
    whole basket must be sold again (the caller then tries :func:`sell_directly`).
    Caller holds the order lock inside a transaction. Idempotent per hold.
    """
    _require_transaction()
    now = now or timezone.now()
    if (
        Hold.objects.filter(reference__in=list(references))
        .exclude(status=HoldStatus.ACTIVE)
        .exists()
    ):
        return False
    holds = active_holds(references)
    if {h.reference for h in holds} != set(references):
        return False
    for hold in holds:
        flipped = Hold.objects.filter(pk=hold.pk, status=HoldStatus.ACTIVE).update(
            status=HoldStatus.CONVERTED, closed_at=now
        )
        if not flipped:
            raise SoldOut("A hold changed while converting", hold=hold.pk)
        updated = InventorySlot.objects.filter(pk=hold.slot_id, held__gte=hold.quantity).update(
            held=F("held") - hold.quantity, sold=F("sold") + hold.quantity
        )
        if updated != 1:
            raise AssertionError(f"slot {hold.slot_id}: held is below its live holds")
    return True


def release_holds(references: Iterable[str], *, now: dt.datetime | None = None) -> int:
    """Give back the live holds of these owners (order cancelled or expired). Idempotent."""
    _require_transaction()
    now = now or timezone.now()
    released = 0
    for hold in active_holds(references):
        released += _release_one(hold.pk, hold.slot_id, hold.quantity, now)
    return released


def sell_directly(allocations: Sequence[Allocation], *, now: dt.datetime | None = None) -> bool:
    """Sell units with no hold (a payment that arrived after its hold expired).

    All or nothing: returns False and takes nothing if any slot is short. Records the sale
    as converted holds so ``sold`` always equals the sum of converted holds. Caller locks
    the slots (``slots_for_update``) inside a transaction.
    """
    _require_transaction()
    now = now or timezone.now()
    release_expired_on_slots({a.slot_id for a in allocations}, now=now)
    taken: list[Allocation] = []
    for allocation in sorted(allocations, key=lambda a: a.slot_id):
        if not _take(allocation.slot_id, allocation.quantity, column="sold"):
            for done in taken:  # undo inside the same transaction: nothing half-sold
                _give_back(done.slot_id, done.quantity, column="sold")
            return False
        taken.append(allocation)
    Hold.objects.bulk_create(
        Hold(
            slot_id=a.slot_id,
            reference=a.reference,
            quantity=a.quantity,
            expires_at=now,
            status=HoldStatus.CONVERTED,
            closed_at=now,
        )
        for a in allocations
    )
    return True


def return_sold(references: Iterable[str], *, now: dt.datetime | None = None) -> int:
    """Give back sold units of these owners (a confirmed order cancelled). Idempotent."""
    _require_transaction()
    now = now or timezone.now()
    returned = 0
    holds = Hold.objects.filter(
        reference__in=list(references), status=HoldStatus.CONVERTED
    ).order_by("pk")
    for hold in holds:
        flipped = Hold.objects.filter(pk=hold.pk, status=HoldStatus.CONVERTED).update(
            status=HoldStatus.RELEASED, closed_at=now
        )
        if flipped:
            _give_back(hold.slot_id, hold.quantity, column="sold")
            returned += 1
    return returned


def release_expired_holds(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Periodic sweep: give back every hold past its expiry. Safe to run anywhere, any time.

    Works in small transactions, one slot at a time under its lock, so it never blocks
    checkouts for long. Returns how many holds it released.
    """
    now = now or timezone.now()
    total = 0
    while True:
        slot_ids = list(
            Hold.objects.filter(status=HoldStatus.ACTIVE, expires_at__lte=now)
            .values_list("slot_id", flat=True)
            .distinct()[:batch]
        )
        if not slot_ids:
            return total
        for slot_id in slot_ids:
            with transaction.atomic():
                slots_for_update([slot_id])
                total += release_expired_on_slots([slot_id], now=now)
