"""A covering index for search's availability aggregate (PostgreSQL only).

Search reads, for each offer of the matching products, its slots on the stay's dates:
``(offer_id, date)`` is the key and the columns below are everything it reads, so with
this index the whole aggregate is answered from the index (an index-only scan) without
visiting the 10-million-row table at 10,000 hotels (docs/benchmarks.md, finding A).

PostgreSQL only: ``INCLUDE`` does not exist on SQLite, where the unique
``(offer_id, date)`` index already serves the same lookups. The cost: ``held`` and
``sold`` are in an index, so a hold's ``UPDATE`` writes new index entries instead of a
heap-only (HOT) update. On a large live database an operator can build the index first
with ``CREATE INDEX CONCURRENTLY`` under the same name; this migration then does nothing.
"""

from django.db import migrations

INDEX = "slot_offer_date_cover"
COLUMNS = (
    "capacity, held, sold, price_minor, is_closed, min_stay, max_stay, "
    "closed_to_arrival, closed_to_departure"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON inventory_inventoryslot (offer_id, date) "
        f"INCLUDE ({COLUMNS})"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
