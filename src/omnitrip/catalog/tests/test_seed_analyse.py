"""A bulk seed leaves the planner statistics of what it loaded (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from omnitrip.catalog.seeding.scale import seed_scale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def planner_row_estimate(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


def test_a_scale_seed_analyses_the_slots_it_loaded_so_the_planner_knows_their_number(
    require_postgres,
):
    seed_scale(3, days=20)

    # Without ANALYZE a freshly filled table reads as never analysed (-1) or empty.
    slots = planner_row_estimate("inventory_inventoryslot")
    offers = planner_row_estimate("catalog_offer")
    assert slots >= 3 * 20
    assert offers >= 3
