"""``make soak``: a bounded, steady mixed load against the demo server, then the invariants.

    python -m bench.soak [--seconds 120] [--users 10] [--spawn-rate 2] [--no-report]

1. Prepare the demo database: a fresh SQLite file under var/bench/ by default, or the
   database in ``DATABASE_URL`` when it is set (``omnitrip demo --no-serve``: migrate and
   load the demo catalogue once).
2. Start ``omnitrip serve`` (embedded settings, default workers, 4 threads, with the
   embedded scheduler) on 127.0.0.1:8150 with an explicit ``OMNITRIP_SANDBOX_SECRET``.
3. Run locust headless (``bench/locustfile.py``) for ``--seconds`` with ``--users`` users,
   each doing one task per second: browse, search, quote, book, pay (sandbox callback
   signed with the same secret) and cancel. Only loopback traffic; locust stops itself.
4. Stop the server, run ``omnitrip check-invariants`` on the same database (must exit 0),
   summarise errors and latency per 10-second window from locust's CSV history, print it
   and append it to docs/benchmarks.md.

Exit status 1 if the invariants fail or any request failed.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import common as c

PORT = int(os.environ.get("SOAK_PORT", "8150"))
SOAK_DIR = c.VAR / "soak"
WINDOW = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 120)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS", 10)))
    parser.add_argument(
        "--spawn-rate", type=float, default=float(os.environ.get("SOAK_SPAWN_RATE", 2))
    )
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600 (the soak is bounded)")

    started = time.monotonic()
    SOAK_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        database = database_url.split("@")[-1]
    else:
        sqlite = SOAK_DIR / "soak.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{sqlite}"
        database = f"SQLite (fresh file {sqlite.relative_to(c.ROOT)})"
    env = c.app_env(database_url, port=PORT, production=False)
    env["OMNITRIP_SANDBOX_SECRET"] = os.environ.get(
        "OMNITRIP_SANDBOX_SECRET", "soak-" + secrets.token_hex(16)
    )
    c.log(f"soak: preparing the demo catalogue on {database}")
    c.omnitrip(["demo", "--no-serve"], env)
    targets = SOAK_DIR / "targets.json"
    c.task("soak-targets", env, str(targets))
    prefix = SOAK_DIR / "locust"
    for old in SOAK_DIR.glob("locust_*.csv"):
        old.unlink()

    load_start = c.load_average()
    with c.Server(env, PORT, scheduler=True, name="soak") as server:
        cmd = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(c.ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.seconds}s",
            "--host",
            f"http://{c.HOST}:{PORT}",
            "--csv",
            str(prefix),
            "--csv-full-history",
            "--only-summary",
            "--stop-timeout",
            "10",
        ]
        locust_env = {**env, "SOAK_TARGETS": str(targets)}
        c.log(f"soak: locust for {args.seconds} s with {args.users} users against {server.command}")
        with (SOAK_DIR / "locust.log").open("w") as out:
            locust = subprocess.run(
                cmd,
                env=locust_env,
                cwd=c.ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=args.seconds + 120,
            )
        memory = server.memory()
        command = server.command
    c.log("soak: server stopped; checking invariants")
    invariants = c.omnitrip(["check-invariants"], env, check=False)
    counts = c.task("order-counts", env)
    result = {
        "date": c.today(),
        "machine": c.machine(),
        "database": database,
        "server_command": command,
        "locust_command": "locust "
        + " ".join(
            a if not a.startswith(str(c.ROOT)) else os.path.relpath(a, c.ROOT) for a in cmd[1:]
        ),
        "locust_exit": locust.returncode,
        "args": vars(args),
        "windows": windows(prefix),
        "endpoints": endpoints(prefix),
        "failures": failures(prefix),
        "invariants_exit": invariants.returncode,
        "invariants_output": (invariants.stdout + invariants.stderr).strip(),
        "orders": counts,
        "memory": memory,
        "load": {"start": load_start, "end": c.load_average()},
        "wall_seconds": time.monotonic() - started,
    }
    markdown = render(result)
    print("\n" + markdown)
    if not args.no_report:
        c.append_report(markdown)
        c.log(f"appended to {c.REPORT.relative_to(c.ROOT)}")
    total = result["endpoints"][-1] if result["endpoints"] else {}
    ok = invariants.returncode == 0 and total.get("failures", 1) == 0
    if not ok:
        c.log("FAILED: invariants or request failures (see above)")
    return 0 if ok else 1


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def windows(prefix: Path) -> list[dict[str, Any]]:
    """Per 10-second window of the run: requests, failures, rate and latency.

    Counts are differences of locust's cumulative totals; the percentiles are locust's
    "current" ones at the window's end, which cover the last 10 seconds.
    """
    rows = [
        r
        for r in _rows(Path(f"{prefix}_stats_history.csv"))
        if r["Name"] == "Aggregated" and r["Total Request Count"] not in ("", "0")
    ]
    if not rows:
        return []
    start = int(rows[0]["Timestamp"])
    out, previous = [], {"requests": 0.0, "failures": 0.0}
    buckets: dict[int, dict[str, str]] = {}
    for row in rows:
        buckets[(int(row["Timestamp"]) - start) // WINDOW] = row  # the last row of each
    for index in sorted(buckets):
        row = buckets[index]
        requests = _num(row["Total Request Count"])
        failed = _num(row["Total Failure Count"])
        n, f = requests - previous["requests"], failed - previous["failures"]
        out.append(
            {
                "from_s": index * WINDOW,
                "to_s": index * WINDOW + WINDOW,
                "users": int(_num(row["User Count"])),
                "requests": int(n),
                "failures": int(f),
                "error_rate_pct": f / n * 100 if n else 0.0,
                "req_per_s": n / WINDOW,
                "p50_ms": _num(row["50%"]),
                "p95_ms": _num(row["95%"]),
                "p99_ms": _num(row["99%"]),
            }
        )
        previous = {"requests": requests, "failures": failed}
    return out


def endpoints(prefix: Path) -> list[dict[str, Any]]:
    out = []
    for row in _rows(Path(f"{prefix}_stats.csv")):
        out.append(
            {
                "name": f"{row['Type']} {row['Name']}".strip(),
                "requests": int(_num(row["Request Count"])),
                "failures": int(_num(row["Failure Count"])),
                "p50_ms": _num(row["50%"]),
                "p95_ms": _num(row["95%"]),
                "p99_ms": _num(row["99%"]),
                "req_per_s": _num(row["Requests/s"]),
            }
        )
    return out


def failures(prefix: Path) -> list[dict[str, str]]:
    return [
        {"name": f"{r['Method']} {r['Name']}", "error": r["Error"], "count": r["Occurrences"]}
        for r in _rows(Path(f"{prefix}_failures.csv"))
    ]


def render(r: dict[str, Any]) -> str:
    f = c.fmt
    m = r["machine"]
    total = r["endpoints"][-1] if r["endpoints"] else {"requests": 0, "failures": 0}
    rate = total["failures"] / total["requests"] * 100 if total["requests"] else float("nan")
    lines = [
        f"## make soak — {r['date']}",
        "",
        f"- Machine: {m['nproc']} CPUs (nproc), {m['memory']} memory, {m['cpu']}",
        f"- Database: {r['database']}",
        f"- Command: `make soak` (`python -m bench.soak --seconds {r['args']['seconds']} "
        f"--users {r['args']['users']} --spawn-rate {r['args']['spawn_rate']}`): "
        f"`{r['server_command']}` (embedded settings, scheduler on), then `{r['locust_command']}`",
        f"- Load average at start {r['load']['start']}, at end {r['load']['end']}; wall time "
        f"{r['wall_seconds'] / 60:.1f} min",
        f"- Result: {total['requests']:,} requests, {total['failures']:,} failed "
        f"({f(rate, 2)} %); `omnitrip check-invariants` exit {r['invariants_exit']} "
        f"({r['invariants_output'].replace(chr(10), '; ')}); orders by status "
        f"{r['orders']['by_status']}",
        "",
        "Per 10-second window (percentiles are locust's, over the window's last 10 s):",
        "",
        c.table(
            (
                "window s",
                "users",
                "requests",
                "req/s",
                "failures",
                "error %",
                "p50 ms",
                "p95 ms",
                "p99 ms",
            ),
            (
                (
                    f"{w['from_s']}–{w['to_s']}",
                    w["users"],
                    w["requests"],
                    f(w["req_per_s"]),
                    w["failures"],
                    f(w["error_rate_pct"], 2),
                    f(w["p50_ms"], 0),
                    f(w["p95_ms"], 0),
                    f(w["p99_ms"], 0),
                )
                for w in r["windows"]
            ),
        ),
        "",
        "Per endpoint over the whole run:",
        "",
        c.table(
            ("endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms"),
            (
                (
                    e["name"],
                    e["requests"],
                    e["failures"],
                    f(e["req_per_s"]),
                    f(e["p50_ms"], 0),
                    f(e["p95_ms"], 0),
                    f(e["p99_ms"], 0),
                )
                for e in r["endpoints"]
            ),
        ),
        "",
        "Worker memory at the end: "
        + ", ".join(f"RSS {f(x['rss_mb'])} MB (PSS {f(x['pss_mb'])} MB)" for x in r["memory"])
        + ".",
    ]
    if r["failures"]:
        lines += ["", "Failures:", ""]
        lines += [f"- {x['name']}: {x['error']} × {x['count']}" for x in r["failures"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
