"""The production server on SQLite under 32 simultaneous requests: no 5xx, no oversell.

It runs what ``make demo`` runs (gunicorn, two workers of four threads) against its own
SQLite file in a temporary directory, whatever database the rest of the suite uses.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.live_http import http_json as call
from tests.live_http import omnitrip, serving

pytestmark = pytest.mark.sqlite_too

REQUESTS = 32
UNITS = 10

CATALOGUE = """
import datetime as dt, json
from omnitrip.catalog.tests import factories as cf
day = dt.date.today() + dt.timedelta(days=7)
scarce = cf.dated_offer(start=day, days=1, capacity=10)
plentiful = cf.dated_offer(start=day, days=1, capacity=500)
hotel = cf.hotel_offer(start=day, days=3, capacity=500)
retried = cf.dated_offer(start=day, days=1, capacity=500)
print(json.dumps({"scarce": scarce.code, "plentiful": plentiful.code, "hotel": hotel.code,
                  "retried": retried.code,
                  "day": day.isoformat(), "next_day": (day + dt.timedelta(days=1)).isoformat()}))
"""


def all_at_once(calls: list[tuple]) -> list[tuple[int, dict]]:
    """Send every call from its own thread, all released at the same moment."""
    start = threading.Barrier(len(calls), timeout=30)

    def send(spec):
        start.wait()
        return call(*spec)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def order(offer: str, day: str, email: str) -> dict:
    return {
        "items": [{"offer": offer, "start_date": day, "quantity": 1, "adults": 1}],
        "contact": {"name": "Li Wei", "email": email},
    }


def slot_counts(database: Path, offer_code: str) -> tuple[int, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT s.held, s.sold FROM inventory_inventoryslot s "
            "JOIN catalog_offer o ON o.id = s.offer_id WHERE o.code = ?",
            [offer_code],
        ).fetchone()
    return row


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A migrated SQLite database with a small catalogue, served by ``omnitrip serve``."""
    tmp_path = tmp_path_factory.mktemp("served")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "OMNITRIP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "omnitrip.settings",
    }
    omnitrip(env, "migrate", "--no-input", "-v", "0")
    codes = json.loads(omnitrip(env, "shell", "-c", CATALOGUE).strip().splitlines()[-1])
    log = tmp_path / "server.log"
    with serving(env, log) as base:
        yield base, codes, tmp_path / "demo.db", log


def test_thirty_two_buyers_of_ten_tickets_get_ten_orders_and_twenty_two_sold_out(served):
    base, codes, database, log = served
    calls = [
        ("POST", f"{base}/api/v1/orders", order(codes["scarce"], codes["day"], f"b{n}@example.com"))
        for n in range(REQUESTS)
    ]

    answers = all_at_once(calls)

    statuses = Counter(status for status, _ in answers)
    assert not [a for a in answers if a[0] >= 500], log.read_text()
    assert statuses == Counter({201: UNITS, 409: REQUESTS - UNITS}), answers
    assert {body["code"] for status, body in answers if status == 409} == {"sold_out"}
    assert len({body["order"]["code"] for status, body in answers if status == 201}) == UNITS
    assert slot_counts(database, codes["scarce"]) == (UNITS, 0)


def test_a_mix_of_orders_quotes_and_searches_at_once_never_fails_on_the_server(served):
    base, codes, database, log = served
    day = codes["day"]
    stay = {"offer": codes["hotel"], "start_date": day, "end_date": codes["next_day"], "adults": 2}
    kinds = ["order", "quote", "search", "hotel-order"]
    calls = []
    for n in range(REQUESTS):
        kind = kinds[n % len(kinds)]
        if kind == "order":
            body = order(codes["plentiful"], day, f"m{n}@example.com")
            calls.append(("POST", f"{base}/api/v1/orders", body))
        elif kind == "hotel-order":
            body = {"items": [stay], "contact": {"name": "Li Wei", "email": f"h{n}@example.com"}}
            calls.append(("POST", f"{base}/api/v1/orders", body))
        elif kind == "quote":
            calls.append(("POST", f"{base}/api/v1/quotes", {"items": [stay]}))
        else:
            calls.append(("GET", f"{base}/api/v1/products?check_in={day}&kind=attraction", None))

    answers = all_at_once(calls)

    assert not [a for a in answers if a[0] >= 500], log.read_text()
    by_kind = Counter((kinds[n % len(kinds)], status) for n, (status, _) in enumerate(answers))
    assert by_kind == Counter(
        {("order", 201): 8, ("hotel-order", 201): 8, ("quote", 200): 8, ("search", 200): 8}
    )
    assert slot_counts(database, codes["plentiful"]) == (8, 0)


def test_sixteen_simultaneous_retries_with_one_idempotency_key_make_one_order(served):
    base, codes, database, log = served
    body = order(codes["retried"], codes["day"], "retry@example.com")
    calls = [("POST", f"{base}/api/v1/orders", body, {"Idempotency-Key": "same-1"})] * 16

    answers = all_at_once(calls)

    assert not [a for a in answers if a[0] >= 500], log.read_text()
    assert Counter(status for status, _ in answers) == Counter({201: 1, 200: 15}), answers
    assert len({body["order"]["code"] for _, body in answers}) == 1
    assert len({body["access_token"] for _, body in answers}) == 1
    assert slot_counts(database, codes["retried"]) == (1, 0)
