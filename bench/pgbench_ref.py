"""Benchmark 5: what this PostgreSQL does on its own, as a yardstick for the order rates.

``pgbench -i -s 10`` on a fresh ``omnitrip_bench_pgbench``, then per run
``pgbench -c 16 -j 2 -T 15`` (TPC-B-like: 5 statements, 3 updates, in one transaction)
and the same with ``-S`` (select only).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any
from urllib.parse import urlparse

from . import common as c

DB = "omnitrip_bench_pgbench"
SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "15"))


def _args() -> list[str]:
    url = urlparse(c.PG_SERVER)
    return [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]


def _run(extra: list[str]) -> dict[str, Any]:
    cmd = ["pgbench", *_args(), "-c", "16", "-j", "2", "-T", str(SECONDS), *extra, DB]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {
        "tps": float(tps.group(1)) if tps else float("nan"),
        "latency_avg_ms": float(latency.group(1)) if latency else float("nan"),
        "failed": int(failed.group(1)) if failed else 0,
        "command": "pgbench " + " ".join(cmd[1 + len(_args()) :]),
    }


def bench(runs: int) -> dict[str, Any] | None:
    if not shutil.which("pgbench"):
        c.log("pgbench: not installed (apt-get install postgresql-client); skipped")
        return None
    c.create_db(DB)
    init = ["pgbench", *_args(), "-i", "-s", "10", "-q", DB]
    subprocess.run(init, capture_output=True, text=True, check=True)
    out: dict[str, list[dict[str, Any]]] = {"tpcb": [], "select_only": []}
    for n in range(1, runs + 1):
        for name, extra in (("tpcb", []), ("select_only", ["-S"])):
            run = _run(extra)
            out[name].append(run)
            c.log(f"pgbench/{name} run {n}: {run['tps']:.0f} tps, {run['latency_avg_ms']:.1f} ms")
    c.drop_db(DB)
    return {
        "init": "pgbench " + " ".join(init[1 + len(_args()) :]),
        "tpcb": {"runs": out["tpcb"], "median": c.medians(out["tpcb"])},
        "select_only": {"runs": out["select_only"], "median": c.medians(out["select_only"])},
    }
