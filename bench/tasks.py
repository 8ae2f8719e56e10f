"""Django-side helpers of the benchmarks, run in a subprocess with the bench database:

    python -m bench.tasks <task> [args…]

Each task prints one line of JSON (the last line of its output). The orchestrator
(:mod:`bench.run`) never sets Django up itself, because it drives several databases.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitrip.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from omnitrip.catalog.models import Destination, Offer, Product, ProductKind  # noqa: E402
from omnitrip.inventory.models import Hold, HoldStatus, InventorySlot  # noqa: E402
from omnitrip.orders.models import Order, OrderItem  # noqa: E402
from omnitrip.pricing.requests import local_today  # noqa: E402
from omnitrip.pricing.search import SearchQuery, search  # noqa: E402

CONTENTION_CAPACITY = 1000
SPREAD_KINDS = (ProductKind.TOUR, ProductKind.ATTRACTION, ProductKind.TRANSPORT)


def _single_unit_offers() -> Any:
    """Dated offers of one-unit bookings (a seat, a ticket) with their own inventory."""
    return Offer.objects.filter(
        is_active=True,
        is_open_dated=False,
        inventory_pool__isnull=True,
        product__status="published",
        product__kind__in=SPREAD_KINDS,
        min_party__lte=1,
        max_party__gte=1,
    )


def prepare_orders(spread: str = "2000") -> dict[str, Any]:
    """On the order template database: one tour slot of 1,000 units (contention), and
    ``spread`` distinct open slots of other offers (one order each, no contention)."""
    offers = _single_unit_offers()
    tour = offers.filter(product__kind=ProductKind.TOUR).select_related("product").order_by("code")
    offer = tour.first()
    if offer is None:
        raise SystemExit("no single-seat tour offer in the catalogue")
    day = local_today(offer.product.timezone) + dt.timedelta(days=30)
    updated = InventorySlot.objects.filter(offer=offer, date=day).update(
        capacity=CONTENTION_CAPACITY, held=0, sold=0, is_closed=False
    )
    if updated != 1:
        raise SystemExit(f"no slot of {offer.code} on {day}")
    slot = InventorySlot.objects.get(offer=offer, date=day)

    chosen, kinds = _spread_slots(int(spread), exclude=offer.pk)
    return {
        "contention": {
            "offer": offer.code,
            "product": offer.product.code,
            "date": day.isoformat(),
            "slot": slot.pk,
            "capacity": slot.capacity,
        },
        "spread": chosen,
        "spread_offers": len({c for c, _ in chosen}),
        "spread_kinds": {
            k: sum(1 for c, _ in chosen if kinds[c] == k) for k in sorted(set(kinds.values()))
        },
    }


def _spread_slots(wanted: int, exclude: int | None = None) -> tuple[list[list[str]], dict]:
    """``wanted`` distinct open (offer code, date) slots 3 to 53 days ahead, shuffled."""
    first = local_today("UTC") + dt.timedelta(days=3)
    candidates = list(
        InventorySlot.objects.filter(
            offer__in=_single_unit_offers().exclude(pk=exclude),
            date__gte=first,
            date__lte=first + dt.timedelta(days=50),
            is_closed=False,
        )
        .filter(capacity__gte=5)
        .values_list("offer__code", "date")
        .order_by("offer__code", "date")
    )
    if len(candidates) < wanted:
        raise SystemExit(f"only {len(candidates)} distinct slots for {wanted} orders")
    random.Random(7).shuffle(candidates)
    chosen = candidates[:wanted]
    kinds = dict(
        Offer.objects.filter(code__in={c for c, _ in chosen}).values_list("code", "product__kind")
    )
    return [[code, day.isoformat()] for code, day in chosen], kinds


def soak_targets(out_path: str) -> dict[str, Any]:
    """What the soak's simulated travellers browse, search and book (written to a file)."""
    slots, _ = _spread_slots(2000)
    targets = {
        "products": sorted(
            Product.objects.filter(status="published").values_list("code", flat=True)
        ),
        "searches": _search_params(_cities_with_products(), 200, 5),
        "slots": slots,
    }
    Path(out_path).write_text(json.dumps(targets))
    return {k: len(v) for k, v in targets.items()}


def verify_contention(offer: str, day: str) -> dict[str, Any]:
    """Proof of no oversell on the contention slot, straight from the database."""
    slot = InventorySlot.objects.get(offer__code=offer, date=dt.date.fromisoformat(day))
    items = OrderItem.objects.filter(offer__code=offer, start_date=slot.date)
    by_status = dict(items.values_list("order__status").annotate(n=Count("id")))
    units = items.aggregate(units=Sum("quantity"))["units"] or 0
    holds = Hold.objects.filter(slot=slot).aggregate(
        live=Sum("quantity", filter=Q(status=HoldStatus.ACTIVE)),
        sold=Sum("quantity", filter=Q(status=HoldStatus.CONVERTED)),
    )
    return {
        "capacity": slot.capacity,
        "held": slot.held,
        "sold": slot.sold,
        "orders": items.values("order").distinct().count(),
        "units_ordered": units,
        "orders_by_status": by_status,
        "live_hold_units": holds["live"] or 0,
        "sold_hold_units": holds["sold"] or 0,
        "oversold": slot.held + slot.sold > slot.capacity,
    }


def order_counts() -> dict[str, Any]:
    return {
        "orders": Order.objects.count(),
        "by_status": dict(Order.objects.values_list("status").annotate(n=Count("id"))),
    }


def scale_status(prefix: str = "sc") -> dict[str, Any]:
    """How many benchmark hotels the database holds, and the cities that have some."""
    hotels = Product.objects.filter(code__startswith=f"{prefix.lower()}-hotel-").count()
    return {"hotels": hotels, "cities": _cities_with_products()}


def _cities_with_products() -> list[str]:
    cities = []
    for code, path in Destination.objects.filter(level=Destination.Level.CITY).values_list(
        "code", "path"
    ):
        if Product.objects.filter(destination_path__startswith=path).exists():
            cities.append(code)
    return sorted(cities)


def demo_targets() -> dict[str, Any]:
    """Product codes and search queries of the demo catalogue, for the requests/s runs."""
    products = sorted(Product.objects.filter(status="published").values_list("code", flat=True))
    return {"products": products, "searches": _search_params(_cities_with_products(), 200, 11)}


def _search_params(cities: list[str], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` city + 2-night + 2-guest searches sorted by price, cities and dates mixed."""
    rng = random.Random(seed)
    today = local_today("UTC")
    out = []
    for n in range(count):
        check_in = today + dt.timedelta(days=rng.randint(7, 180))
        out.append(
            {
                "destination": cities[n % len(cities)],
                "check_in": check_in.isoformat(),
                "check_out": (check_in + dt.timedelta(days=2)).isoformat(),
                "adults": 2,
                "sort": "price",
            }
        )
    rng.shuffle(out)
    return out


def _query(params: dict[str, Any]) -> SearchQuery:
    return SearchQuery(
        destination=params["destination"],
        check_in=dt.date.fromisoformat(params["check_in"]),
        check_out=dt.date.fromisoformat(params["check_out"]),
        adults=params["adults"],
        sort=params["sort"],
    )


def search_queries(count: str = "200", seed: str = "1") -> dict[str, Any]:
    return {"queries": _search_params(_cities_with_products(), int(count), int(seed))}


def search_inproc(count: str = "200", seed: str = "1") -> dict[str, Any]:
    """Time ``pricing.search.search`` in this process: one call per query, after a warm-up."""
    queries = _search_params(_cities_with_products(), int(count), int(seed))
    for params in queries[:5]:
        search(_query(params))
    seconds, totals, sql = [], [], []
    for params in queries:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            page = search(_query(params))
            seconds.append(time.perf_counter() - started)
        totals.append(page.total)
        sql.append(len(captured.captured_queries))
    return {"seconds": seconds, "totals": totals, "sql_queries": sql}


def search_profile(out_dir: str, count: str = "40") -> dict[str, Any]:
    """Profile searches with pyinstrument and time each SQL statement of one search."""
    from pyinstrument import Profiler

    queries = _search_params(_cities_with_products(), int(count), 99)
    search(_query(queries[0]))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for params in queries:
        search(_query(params))
    profiler.stop()
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    (target / "search.html").write_text(profiler.output_html())
    tree = profiler.output_text(unicode=False, color=False)
    flat = profiler.output_text(flat=True, time="percent_of_total")
    (target / "search-tree.txt").write_text(tree)
    (target / "search-flat.txt").write_text(flat)
    with CaptureQueriesContext(connection) as captured:
        search(_query(queries[1]))
    statements = sorted(
        ({"ms": float(q["time"]) * 1000, "sql": q["sql"]} for q in captured.captured_queries),
        key=lambda s: -s["ms"],
    )
    plans = []
    for statement in statements[:3]:
        if statement["sql"].lstrip().upper().startswith("SELECT") and connection.vendor == (
            "postgresql"
        ):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            statement["plan_ms"] = {
                line.split(":")[0].strip(): float(line.split(":")[1].split()[0])
                for line in plan
                if line.startswith(("Planning Time", "Execution Time"))
            }
            plans.append("\n".join(plan))
    (target / "search-sql.txt").write_text(
        "\n\n".join(f"{s['ms']:.1f} ms  {s['sql']}" for s in statements)
        + "\n\nPLANS OF THE THREE SLOWEST\n\n"
        + "\n\n".join(plans)
    )
    return {
        "flat": flat.splitlines()[:40],
        "statements": [
            {"ms": s["ms"], "sql": s["sql"][:300], "plan_ms": s.get("plan_ms")} for s in statements
        ],
        "query": queries[1],
        "files": [str(target / n) for n in ("search.html", "search-flat.txt", "search-sql.txt")],
    }


def product_profile(out_dir: str, count: str = "200") -> dict[str, Any]:
    """Profile ``GET /api/v1/products/{code}`` in-process (Django's test client)."""
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    codes = sorted(Product.objects.filter(status="published").values_list("code", flat=True))
    for code in codes[:20]:
        client.get(f"/api/v1/products/{code}")
    timings: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(time.perf_counter() - started)

    with connection.execute_wrapper(timed):
        client.get(f"/api/v1/products/{codes[0]}")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for n in range(int(count)):
        client.get(f"/api/v1/products/{codes[n % len(codes)]}")
    profiler.stop()
    wall = time.perf_counter() - started
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    (target / "product.html").write_text(profiler.output_html())
    flat = profiler.output_text(flat=True, time="percent_of_total")
    flat_total = profiler.output_text(flat=True, flat_time="total", time="percent_of_total")
    (target / "product-flat.txt").write_text(flat + "\n\n" + flat_total)
    return {
        "ms_per_request": wall / int(count) * 1000,
        "sql_queries": len(timings),
        "sql_ms": sum(timings) * 1000,
        "flat": flat.splitlines()[:30],
        "flat_total": flat_total.splitlines()[:60],
        "files": [str(target / n) for n in ("product.html", "product-flat.txt")],
    }


TASKS: dict[str, Callable[..., Any]] = {
    "prepare-orders": prepare_orders,
    "soak-targets": soak_targets,
    "verify-contention": verify_contention,
    "order-counts": order_counts,
    "scale-status": scale_status,
    "demo-targets": demo_targets,
    "search-queries": search_queries,
    "search-inproc": search_inproc,
    "search-profile": search_profile,
    "product-profile": product_profile,
}


if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(TASKS[name](*args), default=str))
