"""Benchmark 4: requests per second for the product page and search, and worker memory.

``omnitrip serve`` (production settings, default workers, 4 threads) on a fresh
PostgreSQL database with the demo catalogue. ``wrk`` drives the load when it is
installed (``apt-get install wrk``), cycling through every product page or 200 searches
(cities and dates mixed) with a Lua script; otherwise a Python load generator does the
same with threads on keep-alive connections. Afterwards the resident memory of each
gunicorn worker is read from /proc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import Any
from urllib.parse import urlencode

from . import common as c

DEMO_DB = "omnitrip_bench_demo"
PORT = 8103
SECONDS = int(os.environ.get("BENCH_RPS_SECONDS", "10"))
CONNECTIONS = 16
TARGET_PRODUCT_RPS = 500.0
TARGET_RSS_MB = 150.0

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%.3f %%.3f %%.3f %%d %%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _wrk(paths: list[str], name: str) -> dict[str, Any]:
    script = c.VAR / f"wrk-{name}.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    # A 30 s timeout: a slow answer is measured as latency, not counted as an error
    # (wrk's default of 2 s turns a slow search under load into a "socket error").
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s"]
    cmd += ["-s", str(script)]
    cmd.append(f"http://{c.HOST}:{PORT}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    requests, duration_us, p50, p95, p99, non2xx, socket_errors = line.split()[1:]
    return {
        "requests": int(requests),
        "req_per_s": int(requests) / (int(duration_us) / 1e6),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "non_2xx": int(non2xx),
        "socket_errors": int(socket_errors),
        "tool": "wrk " + " ".join(cmd[1:6]),
    }


def _python(paths: list[str]) -> dict[str, Any]:
    requests = [c.Req("GET", p) for p in paths]
    load = c.run_load(
        PORT, c.cycle(requests), clients=CONNECTIONS, deadline=time.monotonic() + SECONDS
    )
    statuses = load.statuses()
    return {
        "requests": len(load.results),
        "req_per_s": len(load.results) / load.wall,
        **c.latency_ms([r.seconds for r in load.results]),
        "non_2xx": sum(n for s, n in statuses.items() if not 200 <= s < 300),
        "socket_errors": statuses.get(0, 0),
        "tool": f"python threads, {CONNECTIONS} keep-alive connections",
    }


def _load(paths: list[str], name: str) -> dict[str, Any]:
    if shutil.which("wrk") and not os.environ.get("BENCH_NO_WRK"):
        return _wrk(paths, name)
    return _python(paths)


def bench(runs: int, profile: bool = True) -> dict[str, Any]:
    c.log(f"rps: fresh database {DEMO_DB} with the demo catalogue")
    c.create_db(DEMO_DB)
    env = c.app_env(c.db_url(DEMO_DB), port=PORT)
    c.omnitrip(["migrate", "--no-input", "-v", "0"], env)
    c.omnitrip(["seed", "--demo"], env)
    c.pg_query(DEMO_DB, "ANALYZE")
    targets = c.task("demo-targets", env)
    products = [f"/api/v1/products/{code}" for code in targets["products"]]
    searches = ["/api/v1/products?" + urlencode(q) for q in targets["searches"]]
    results: dict[str, list[dict[str, Any]]] = {"product": [], "search": []}
    with c.Server(env, PORT, name="rps") as server:
        c.run_load(PORT, [c.Req("GET", p) for p in products + searches[:40]], clients=8)
        for n in range(1, runs + 1):
            for name, paths in (("product", products), ("search", searches)):
                run = _load(paths, name)
                results[name].append(run)
                c.log(
                    f"rps/{name} run {n}: {run['req_per_s']:.0f} req/s, p50 "
                    f"{run['p50_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms, non-2xx "
                    f"{run['non_2xx']}, socket errors {run['socket_errors']}"
                )
        memory = server.memory()
        command = server.command
    product_median = c.medians(results["product"])
    rss_max = max(m["rss_mb"] for m in memory)
    out: dict[str, Any] = {
        "seconds_per_run": SECONDS,
        "connections": CONNECTIONS,
        "tool": results["product"][0]["tool"],
        "product": {"runs": results["product"], "median": product_median},
        "search": {"runs": results["search"], "median": c.medians(results["search"])},
        "distinct_products": len(products),
        "distinct_searches": len(searches),
        "memory": memory,
        "server_command": command,
        "targets": {
            "product_rps": TARGET_PRODUCT_RPS,
            "product_rps_met": product_median["req_per_s"] >= TARGET_PRODUCT_RPS,
            "rss_mb": TARGET_RSS_MB,
            "rss_met": rss_max <= TARGET_RSS_MB,
        },
    }
    if profile and not out["targets"]["product_rps_met"]:
        c.log("rps: product page below target; profiling it in-process with pyinstrument")
        out["profile"] = c.task("product-profile", env, str(c.PROFILES), "300")
    c.drop_db(DEMO_DB)
    return out
