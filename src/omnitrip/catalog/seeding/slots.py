"""Inventory slots in bulk: a compact description per offer, expanded and written in one go.

A year of slots for every offer is the bulk of a seed (about 100,000 rows for the demo, ten
million for ``--scale 10000``), so rows are generated lazily and written without model
instances: PostgreSQL gets them through ``COPY``; other databases (SQLite) through
``executemany`` of a plain ``INSERT``, in batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice

from django.db import connection
from django.db.models import Field

from omnitrip.catalog.models import Offer
from omnitrip.catalog.seeding.seasons import PriceCalendar, round_price
from omnitrip.inventory.models import InventorySlot

# Every column of the slot table, in the order ``SlotSeries.rows`` yields them.
SLOT_FIELDS = (
    "offer",
    "date",
    "capacity",
    "held",
    "sold",
    "price_minor",
    "child_price_minor",
    "is_closed",
    "min_stay",
    "max_stay",
    "closed_to_arrival",
    "closed_to_departure",
)


@dataclass
class SlotSeries:
    """The slots of one offer: a base price moved by a price calendar, or one open quota.

    ``calendar`` None makes the single date-less slot of an open-dated ticket. Day sets
    (``closed``, ``closed_to_arrival``) hold day indexes into the calendar.
    """

    offer: Offer
    calendar: PriceCalendar | None
    base_minor: int
    step: int
    capacity: int
    child_base_minor: int | None = None
    weekdays: frozenset[int] | None = None  # only these weekdays get a slot (tour departures)
    closed: frozenset[int] = frozenset()
    closed_to_arrival: frozenset[int] = frozenset()
    uses_min_stay: bool = False  # ask for two nights on the calendar's peak days

    def __len__(self) -> int:
        if self.calendar is None:
            return 1
        if self.weekdays is None:
            return len(self.calendar.multipliers)
        return sum(1 for weekday in self.calendar.weekdays if weekday in self.weekdays)

    def rows(self) -> Iterator[tuple]:
        offer_id = self.offer.pk
        child = self.child_base_minor
        if self.calendar is None:
            yield (
                offer_id,
                None,
                self.capacity,
                0,
                0,
                self.base_minor,
                child,
                False,
                1,
                None,
                False,
                False,
            )
            return
        start, base, step = self.calendar.start, self.base_minor, self.step
        peak = self.calendar.peak_days if self.uses_min_stay else frozenset()
        for i, (factor, weekday) in enumerate(
            zip(self.calendar.multipliers, self.calendar.weekdays, strict=True)
        ):
            if self.weekdays is not None and weekday not in self.weekdays:
                continue
            yield (
                offer_id,
                start + dt.timedelta(days=i),
                self.capacity,
                0,
                0,
                round_price(base * factor, step),
                None if child is None else round_price(child * factor, step),
                i in self.closed,
                2 if i in peak else 1,
                None,
                i in self.closed_to_arrival,
                False,
            )


def write_slots(series: Iterable[SlotSeries], *, batch_size: int = 5000) -> int:
    """Insert the slots of every series (their offers must be saved); returns the row count.

    Runs inside the caller's transaction. Not idempotent: the unique (offer, date)
    constraint rejects a second write of the same series.
    """
    rows = chain.from_iterable(s.rows() for s in series)
    if connection.vendor == "postgresql":
        return _copy(rows)
    return _insert(rows, batch_size)


def _columns() -> list[str]:
    fields = [InventorySlot._meta.get_field(name) for name in SLOT_FIELDS]
    return [f.column for f in fields if isinstance(f, Field) and f.column]


def _copy(rows: Iterator[tuple]) -> int:
    table = connection.ops.quote_name(InventorySlot._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns())
    count = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _insert(rows: Iterator[tuple], batch_size: int) -> int:
    table = connection.ops.quote_name(InventorySlot._meta.db_table)
    columns = _columns()
    placeholders = ", ".join(["%s"] * len(columns))
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Only quoted identifiers from the model's metadata are interpolated; values are bound.
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    adapt_date = connection.ops.adapt_datefield_value
    count = 0
    with connection.cursor() as cursor:
        while batch := list(islice(rows, batch_size)):
            # Dates go in the form the backend stores (ISO text on SQLite).
            cursor.executemany(sql, [(r[0], adapt_date(r[1]), *r[2:]) for r in batch])
            count += len(batch)
    return count
