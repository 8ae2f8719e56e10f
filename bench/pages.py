"""Server time of the storefront's home, search and product pages on the demo catalogue.

    python -m bench.pages [--runs 3] [--requests 200] [--database sqlite,postgres] [--no-report]

Each database gets a fresh copy of the demo catalogue (`omnitrip migrate` + `seed --demo`).
The pages are then requested in-process through Django's test client with production
settings — what a web worker spends on the request from middleware to response, without
the network or the load generator — `--requests` times each after a warm-up, in every run.
Prints median and p95 per page (median over the runs) and appends them to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from typing import Any

from bench import common as c

PAGES = ("home", "search", "product")
SQLITE_DIR = c.VAR / "pages"
PG_DB = f"{c.DB_PREFIX}_pages"

# Runs inside a Django process (python -c); prints one JSON line of timings in ms.
MEASURE = r"""
import datetime as dt, json, statistics, sys, time
import django
django.setup()
from django.db.models import Count
from django.test import Client
from omnitrip.catalog.models import Destination, Product, ProductKind, ProductStatus

requests = int(sys.argv[1])
city = (Destination.objects.filter(level=Destination.Level.CITY)
        .annotate(n=Count("products")).order_by("-n").values_list("code", flat=True).first())
hotel = (Product.objects.filter(kind=ProductKind.HOTEL, status=ProductStatus.PUBLISHED,
         destination__code=city).order_by("-popularity").values_list("code", flat=True).first())
check_in = dt.date.today() + dt.timedelta(days=30)
stay = f"check_in={check_in}&check_out={check_in + dt.timedelta(days=2)}&adults=2"
urls = {
    "home": "/en/",
    "search": f"/en/search/?destination={city}&{stay}&sort=price",
    "product": f"/en/p/{hotel}/?{stay}",
}
client = Client(HTTP_HOST="127.0.0.1")
out = {"city": city, "product": hotel, "urls": urls}
for name, url in urls.items():
    for _ in range(10):  # warm-up: imports, template loading, caches
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    out[name] = {"median": statistics.median(times),
                 "p95": times[max(0, int(len(times) * 0.95) - 1)]}
print(json.dumps(out))
"""


def _prepare(database: str) -> dict[str, str]:
    if database == "sqlite":
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        db_file = SQLITE_DIR / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{db_file}"
    else:
        c.drop_db(PG_DB)
        c.create_db(PG_DB)
        url = c.db_url(PG_DB)
    env = c.app_env(url)
    c.log(f"{database}: migrate and seed the demo catalogue")
    c.omnitrip(["migrate", "--no-input", "-v", "0"], env)
    c.omnitrip(["seed", "--demo"], env)
    c.omnitrip(["collectstatic", "--no-input", "-v", "0"], env)  # production static manifest
    return env


def _measure(env: dict[str, str], requests: int) -> dict[str, Any]:
    env = {**env, "DJANGO_SETTINGS_MODULE": "omnitrip.settings"}
    done = subprocess.run(
        [c.PY, "-c", MEASURE, str(requests)], env=env, cwd=c.ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise RuntimeError("page timing failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(databases: list[str], runs: int, requests: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for database in databases:
        env = _prepare(database)
        measured = [_measure(env, requests) for _ in range(runs)]
        results[database] = {
            "urls": measured[0]["urls"],
            "runs": measured,
            "median": {
                page: {
                    stat: statistics.median(m[page][stat] for m in measured)
                    for stat in ("median", "p95")
                }
                for page in PAGES
            },
        }
        for page in PAGES:
            m = results[database]["median"][page]
            c.log(f"{database} {page}: median {m['median']:.1f} ms, p95 {m['p95']:.1f} ms")
    return results


def render(results: dict[str, Any], runs: int, requests: int, command: str) -> str:
    m = c.machine()
    lines = [
        f"## Storefront page server time — {c.today()}",
        "",
        f"Machine: {m['nproc']} CPUs, {m['memory']}, {m['cpu']}; Python {m['python']}; "
        f"load average at the end {c.load_average()}. Command: `{command}`.",
        f"In-process (Django test client, production settings, demo catalogue), {requests} "
        f"requests per page after 10 warm-up requests; medians of {runs} runs.",
        "",
    ]
    rows = []
    for database, result in results.items():
        for page in PAGES:
            stats = result["median"][page]
            rows.append(
                (
                    database,
                    page,
                    f"`{result['urls'][page]}`",
                    c.fmt(stats["median"]) + " ms",
                    c.fmt(stats["p95"]) + " ms",
                )
            )
    lines.append(c.table(("database", "page", "URL", "median", "p95"), rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    databases = [d for d in args.database.split(",") if d in ("sqlite", "postgres")]
    results = run(databases, args.runs, args.requests)
    command = "python -m bench.pages " + " ".join(argv if argv is not None else sys.argv[1:])
    if not args.no_report:
        c.append_report(render(results, args.runs, args.requests, command.strip()))
        c.log(f"appended to {c.REPORT.relative_to(c.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
