"""``make bench``: run every benchmark (each at least three times), print the figures and
append a dated section to docs/benchmarks.md.

    python -m bench.run [--runs 3] [--only orders,search,rps,pgbench] [--no-report]

Exit status 1 when a correctness check fails (an oversell, a 5xx, ``check-invariants``);
a missed speed or memory target is reported, not a failure.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import booking, pgbench_ref, search, throughput
from . import common as c

ALL = ("orders", "search", "rps", "pgbench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark (median)")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma list of {', '.join(ALL)}")
    parser.add_argument("--no-report", action="store_true", help="do not touch docs/")
    parser.add_argument("--no-profile", action="store_true", help="skip profiles of misses")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(chosen) - set(ALL):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if args.runs < 3:
        c.log(f"warning: --runs {args.runs}: the published figures need at least 3 runs")

    c.VAR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    report: dict[str, Any] = {
        "date": c.today(),
        "machine": c.machine(),
        "database": c.pg_version(),
        "command": _command(),
        "commit": _commit(),
        "runs": args.runs,
        "load": {"start": c.load_average()},
    }
    c.log(f"bench: {report['machine']} / {report['database']}; load {report['load']['start']}")
    profile = not args.no_profile
    if "orders" in chosen:
        plan = booking.prepare()
        report["orders"] = booking.bench(plan, args.runs)
        report["load"]["after_orders"] = c.load_average()
    if "search" in chosen:
        report["search"] = search.bench(args.runs, profile=profile)
        report["load"]["after_search"] = c.load_average()
    if "rps" in chosen:
        report["rps"] = throughput.bench(args.runs, profile=profile)
        report["load"]["after_rps"] = c.load_average()
    if "pgbench" in chosen:
        report["pgbench"] = pgbench_ref.bench(args.runs)
        report["load"]["after_pgbench"] = c.load_average()
    report["wall_seconds"] = time.monotonic() - started

    stamp = time.strftime("%Y%m%d-%H%M%S")
    raw = c.VAR / f"results-{stamp}.json"
    raw.write_text(json.dumps(report, indent=2, default=str))
    markdown = render(report)
    print("\n" + markdown)
    if not args.no_report:
        c.append_report(markdown)
        c.log(f"appended to {c.REPORT.relative_to(c.ROOT)}; raw figures in {raw}")
    failures = correctness_failures(report)
    for failure in failures:
        c.log(f"FAILED: {failure}")
    return 1 if failures else 0


def _command() -> str:
    return "make bench  # " + shlex.join(["python", "-m", "bench.run", *sys.argv[1:]])


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=c.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return commit + (" with uncommitted changes in src/" if dirty else "")


def correctness_failures(report: dict[str, Any]) -> list[str]:
    failures = []
    orders = report.get("orders")
    if orders:
        if not orders["contention"]["zero_oversell_and_no_5xx"]:
            failures.append("booking under contention: oversell, 5xx or invariants")
        if not orders["spread"]["no_5xx_and_invariants"]:
            failures.append("order throughput: 5xx or invariants")
    for name in ("product", "search"):
        runs = report.get("rps", {}).get(name, {}).get("runs", [])
        if any(r["non_2xx"] or r["socket_errors"] for r in runs):
            failures.append(f"requests/s {name}: non-2xx answers or socket errors")
    http = report.get("search", {}).get("http", {}).get("runs", [])
    if any(r["errors"] for r in http):
        failures.append("search over HTTP: answers other than 200")
    return failures


# --- the report -------------------------------------------------------------------------

f = c.fmt


def _yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    out = [
        f"## make bench — {r['date']}",
        "",
        f"- Machine: {m['nproc']} CPUs (nproc), {m['memory']} memory, {m['cpu']}; "
        f"Linux {m['kernel']}; Python {m['python']}",
        f"- Database: {r['database']} on 127.0.0.1 (default configuration)",
        f"- Command: `{r['command']}`; {r['runs']} runs per benchmark, figures are medians",
        f"- Code: commit {r['commit']}",
        f"- Load average (1/5/15 min) at start {r['load']['start']}, "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in r["load"].items() if k != "start")
        + " (the machine may be shared: other processes count in these figures)",
        f"- Total wall time: {r['wall_seconds'] / 60:.1f} min",
        "",
    ]
    out += _targets(r)
    if "orders" in r:
        out += _orders(r["orders"], r.get("pgbench"))
    if "search" in r:
        out += _search(r["search"])
    if "rps" in r:
        out += _rps(r["rps"])
    if r.get("pgbench"):
        out += _pgbench(r["pgbench"])
    return "\n".join(out)


def _targets(r: dict[str, Any]) -> list[str]:
    rows = []
    if "orders" in r:
        o = r["orders"]
        med = o["contention"]["median"]
        rows.append(
            (
                "contention: exactly 1,000 orders, no oversell, no 5xx, invariants pass",
                f"{f(med['created_201'], 0)} created, 5xx {f(med['server_5xx'], 0)}",
                _yes(o["contention"]["zero_oversell_and_no_5xx"]),
            )
        )
        rows.append(
            (
                "no contention: no 5xx, invariants pass",
                f"5xx {f(o['spread']['median']['server_5xx'], 0)}",
                _yes(o["spread"]["no_5xx_and_invariants"]),
            )
        )
    if "search" in r:
        s = r["search"]
        rows.append(
            (
                "search p95 <= 50 ms (in-process, 10,000 hotels)",
                f"{f(s['in_process']['median']['p95_ms'])} ms",
                _yes(s["target_met"]),
            )
        )
    if "rps" in r:
        t = r["rps"]["targets"]
        rows.append(
            (
                "product page >= 500 req/s",
                f"{f(r['rps']['product']['median']['req_per_s'], 0)} req/s",
                _yes(t["product_rps_met"]),
            )
        )
        rss = max(x["rss_mb"] for x in r["rps"]["memory"])
        rows.append(("<= 150 MB RSS per worker", f"{f(rss)} MB (largest)", _yes(t["rss_met"])))
    if not rows:
        return []
    return ["### Targets", "", c.table(("target", "measured (median)", ""), rows), ""]


def _orders(o: dict[str, Any], pg: dict[str, Any] | None) -> list[str]:
    plan = o["plan"]
    slot = plan["contention"]
    header = (
        "run",
        "orders/s",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "201",
        "409",
        "other 4xx",
        "5xx",
        "no answer",
        "invariants",
    )

    def rows(runs: list[dict[str, Any]], median: dict[str, Any]) -> list[tuple[Any, ...]]:
        out = []
        for n, x in enumerate(runs, 1):
            out.append(
                (
                    n,
                    f(x["orders_per_s"]),
                    f(x["requests_per_s"]),
                    f(x["p50_ms"], 0),
                    f(x["p95_ms"], 0),
                    f(x["p99_ms"], 0),
                    x["created_201"],
                    x["refused_409"],
                    x["other_4xx"],
                    x["server_5xx"],
                    x["no_answer"],
                    f"exit {x['invariants_exit']}",
                )
            )
        out.append(
            (
                "**median**",
                f"**{f(median['orders_per_s'])}**",
                f(median["requests_per_s"]),
                f(median["p50_ms"], 0),
                f(median["p95_ms"], 0),
                f(median["p99_ms"], 0),
                f(median["created_201"], 0),
                f(median["refused_409"], 0),
                f(median["other_4xx"], 0),
                f(median["server_5xx"], 0),
                f(median["no_answer"], 0),
                "",
            )
        )
        return out

    con = o["contention"]
    first = con["runs"][0]
    lines = [
        "### 1. Booking under contention (PostgreSQL)",
        "",
        f"`{first['server_command']}` ({first['workers']} workers × 4 threads, production "
        f"settings) on a fresh copy of a database with the demo catalogue; offer "
        f"`{slot['offer']}` holds {slot['capacity']:,} units on {slot['date']}. 64 client "
        f"threads on keep-alive connections send 2,000 `POST /api/v1/orders` of 1 unit "
        "each (with an `Idempotency-Key`). Orders/s counts the 201s up to the last one "
        "(the selling phase); req/s counts every answer over the whole run. Latencies are "
        "over all 2,000 requests.",
        "",
        c.table(header, rows(con["runs"], con["median"])),
        "",
        "Proof of no oversell, from the database after each run:",
        "",
    ]
    for n, x in enumerate(con["runs"], 1):
        p = x["proof"]
        lines.append(
            f"- run {n}: capacity {p['capacity']}, held {p['held']} + sold {p['sold']} = "
            f"{p['held'] + p['sold']} ≤ {p['capacity']}; {p['orders']} orders hold "
            f"{p['units_ordered']} units ({p['orders_by_status']}); live holds "
            f"{p['live_hold_units']}; answers {x['answers']}; `omnitrip check-invariants` "
            f"exit {x['invariants_exit']} ({x['invariants_output'].replace(chr(10), '; ')})"
        )
    lines += [
        "",
        "PostgreSQL backends of the run's database sampled every 100 ms during the load "
        "(`pg_stat_activity`): running a statement / of those waiting on a lock: "
        + "; ".join(
            f"run {n} {f(x['pg_active'])} / {f(x['pg_lock_waiting'])}"
            for n, x in enumerate(con["runs"], 1)
        )
        + ".",
    ]
    spread = o["spread"]
    lines += [
        "",
        "### 2. Peak order throughput without contention",
        "",
        f"Same server and clients; 2,000 one-unit orders, each on a different slot "
        f"({plan['spread_offers']} offers over 50 days: {plan['spread_kinds']}).",
        "",
        c.table(header, rows(spread["runs"], spread["median"])),
        "",
        "Backends running a statement / waiting on a lock: "
        + "; ".join(
            f"run {n} {f(x['pg_active'])} / {f(x['pg_lock_waiting'])}"
            for n, x in enumerate(spread["runs"], 1)
        )
        + ".",
        "",
    ]
    if pg:
        tps = pg["tpcb"]["median"]["tps"]
        lines.append(
            f"Against pgbench TPC-B on the same machine ({f(tps, 0)} tps, below): orders "
            f"without contention run at {f(spread['median']['orders_per_s'] / tps * 100)} % "
            f"of it, orders on one slot at {f(con['median']['orders_per_s'] / tps * 100)} %."
        )
        lines.append("")
    return lines


def _search(s: dict[str, Any]) -> list[str]:
    seed = s["seed"]
    header = ("run", "queries", "p50 ms", "p95 ms", "p99 ms", "max ms")

    def rows(part: dict[str, Any]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = [
            (n, x["queries"], f(x["p50_ms"]), f(x["p95_ms"]), f(x["p99_ms"]), f(x["max_ms"]))
            for n, x in enumerate(part["runs"], 1)
        ]
        med, pooled = part["median"], part["pooled"]
        out.append(
            (
                "**median**",
                "",
                f"**{f(med['p50_ms'])}**",
                f"**{f(med['p95_ms'])}**",
                f(med["p99_ms"]),
                f(med["max_ms"]),
            )
        )
        out.append(
            (
                "all runs pooled",
                pooled["queries"],
                f(pooled["p50_ms"]),
                f(pooled["p95_ms"]),
                f(pooled["p99_ms"]),
                f(pooled["max_ms"]),
            )
        )
        return out

    reused = "reused" if seed["reused"] else "seeded by this run"
    mean_found = s["in_process"]["median"].get("mean_results", float("nan"))
    lines = [
        "### 3. Search latency at scale",
        "",
        f"`omnitrip seed --scale {seed['hotels']}` on PostgreSQL ({seed['seed_output']}; "
        f"seed {seed['seed_seconds']} s, then `VACUUM ANALYZE` {seed['analyze_seconds']} s; "
        f"{reused}, seeded on {seed['seeded_on']}). Query: a city, check-in 7–180 days "
        f"ahead, 2 nights, 2 adults, sorted by price; each run a different mix of the 13 "
        f"cities and dates; on average {f(mean_found, 0)} hotels match.",
        "",
        "In-process (`omnitrip.pricing.search.search`, Django set up, one query at a time):",
        "",
        c.table(header, rows(s["in_process"])),
        "",
        f"Over HTTP (`GET /api/v1/products?destination=…&check_in=…&check_out=…&adults=2"
        f"&sort=price`, one keep-alive client, `{s['server_command']}`):",
        "",
        c.table(header, rows(s["http"])),
        "",
        f"Target p95 ≤ {f(s['target_p95_ms'], 0)} ms in-process: {_yes(s['target_met'])}.",
        "",
    ]
    if "profile" in s:
        lines += _search_profile(s["profile"])
    return lines


def _search_profile(p: dict[str, Any]) -> list[str]:
    statements = [f"{x['ms']:7.1f} ms  {x['sql'][:150]}" for x in p["statements"][:10]]
    explained = [
        f"- {x['ms']:.0f} ms timed by Django; PostgreSQL (`EXPLAIN ANALYZE`): planning "
        f"{x['plan_ms'].get('Planning Time', float('nan')):.1f} ms, execution "
        f"{x['plan_ms'].get('Execution Time', float('nan')):.1f} ms — `{x['sql'][:90]}…`"
        for x in p["statements"][:3]
        if x.get("plan_ms")
    ]
    return [
        "Profile (pyinstrument, 20 searches; functions by own time, % of total):",
        "",
        "```",
        *[line for line in p["flat"] if line.strip()][4:26],
        "```",
        "",
        f"SQL of one search ({p['query']['destination']}, {p['query']['check_in']}), slowest "
        "first, as timed by Django around `cursor.execute` (the database's work plus sending the "
        "parameters and receiving the rows; building model objects comes after):",
        "",
        "```",
        *statements,
        "```",
        "",
        "The three slowest statements, client side against server side:",
        "",
        *explained,
        "",
        "Full profiles: " + ", ".join(f"`{_rel(x)}`" for x in p["files"]),
        "",
    ]


def _rel(path: str) -> str:
    return str(Path(path).relative_to(c.ROOT)) if path.startswith(str(c.ROOT)) else path


def _rps(r: dict[str, Any]) -> list[str]:
    header = ("endpoint", "run", "req/s", "p50 ms", "p95 ms", "p99 ms", "non-2xx", "errors")
    rows = []
    for name, label in (("product", "`GET /api/v1/products/{code}`"), ("search", "search")):
        for n, x in enumerate(r[name]["runs"], 1):
            rows.append(
                (
                    label,
                    n,
                    f(x["req_per_s"], 0),
                    f(x["p50_ms"]),
                    f(x["p95_ms"]),
                    f(x["p99_ms"]),
                    x["non_2xx"],
                    x["socket_errors"],
                )
            )
        med = r[name]["median"]
        rows.append(
            (
                label,
                "**median**",
                f"**{f(med['req_per_s'], 0)}**",
                f(med["p50_ms"]),
                f(med["p95_ms"]),
                f(med["p99_ms"]),
                f(med["non_2xx"], 0),
                f(med["socket_errors"], 0),
            )
        )
    memory = ", ".join(
        f"pid {x['pid']}: RSS {f(x['rss_mb'])} MB (PSS {f(x['pss_mb'])} MB)" for x in r["memory"]
    )
    lines = [
        "### 4. Requests per second (demo catalogue)",
        "",
        f"`{r['server_command']}` on a fresh PostgreSQL database with `omnitrip seed --demo`; "
        f"{r['tool']}, {r['seconds_per_run']} s per run, cycling through "
        f"{r['distinct_products']} product pages or {r['distinct_searches']} searches (city, "
        "2 nights, 2 adults, by price).",
        "",
        c.table(header, rows),
        "",
        f"Worker memory after the runs: {memory}. Targets: ≥ {f(r['targets']['product_rps'], 0)} "
        f"product-page req/s {_yes(r['targets']['product_rps_met'])}; ≤ "
        f"{f(r['targets']['rss_mb'], 0)} MB per worker {_yes(r['targets']['rss_met'])}.",
        "",
    ]
    if "profile" in r:
        p = r["profile"]
        lines += [
            f"Product page profiled in-process (Django test client, 300 requests): "
            f"{f(p['ms_per_request'])} ms per request, {p['sql_queries']} SQL queries "
            f"({f(p['sql_ms'])} ms in the database as timed by Django). Functions by own "
            "time, % of total:",
            "",
            "```",
            *[line for line in p["flat"] if line.strip()][4:24],
            "```",
            "",
            "Full profile: " + ", ".join(f"`{_rel(x)}`" for x in p["files"]),
            "",
        ]
    return lines


def _pgbench(p: dict[str, Any]) -> list[str]:
    header = ("workload", "run", "tps", "latency avg ms", "failed")
    rows = []
    for name, label in (("tpcb", "TPC-B-like"), ("select_only", "select-only (-S)")):
        for n, x in enumerate(p[name]["runs"], 1):
            rows.append((label, n, f(x["tps"], 0), f(x["latency_avg_ms"], 2), x["failed"]))
        med = p[name]["median"]
        rows.append(
            (label, "**median**", f"**{f(med['tps'], 0)}**", f(med["latency_avg_ms"], 2), "")
        )
    return [
        "### 5. pgbench reference",
        "",
        f"`{p['init']}`, then `{p['tpcb']['runs'][0]['command']}` and "
        f"`{p['select_only']['runs'][0]['command']}`.",
        "",
        c.table(header, rows),
        "",
    ]


if __name__ == "__main__":
    sys.exit(main())
