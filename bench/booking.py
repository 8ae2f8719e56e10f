"""Benchmarks 1 and 2: ``POST /api/v1/orders`` against ``omnitrip serve`` on PostgreSQL.

1. Contention: 64 clients send 2,000 one-unit orders for one tour slot of 1,000 units.
   Exactly 1,000 must succeed, the rest be refused with 409, nothing answer 5xx, and the
   database must show held + sold <= capacity and ``omnitrip check-invariants`` pass.
2. No contention: 64 clients send 2,000 one-unit orders, each for a different slot
   (tours, tickets and seats over 50 days): the peak rate of order placement.

Every run starts from a fresh copy of a template database (migrated, demo catalogue with
60 days of inventory, the contention slot set to 1,000 units) and a freshly started server.
"""

from __future__ import annotations

import json
from typing import Any

from . import common as c

TEMPLATE = "omnitrip_bench_orders_tpl"
RUN_DB = "omnitrip_bench_orders"
PORT = 8101
CLIENTS = 64
ORDERS = 2000


def prepare() -> dict[str, Any]:
    """The template database every order run is copied from, and what to book."""
    c.log(f"orders: building template database {TEMPLATE} (migrate, demo catalogue, 60 days)")
    c.create_db(TEMPLATE)
    env = c.app_env(c.db_url(TEMPLATE))
    c.omnitrip(["migrate", "--no-input", "-v", "0"], env)
    c.omnitrip(["seed", "--demo", "--days", "60"], env)
    plan = c.task("prepare-orders", env, str(ORDERS))
    c.pg_query(TEMPLATE, "VACUUM ANALYZE")  # planner statistics, as after any bulk load
    contention = plan["contention"]
    c.log(
        f"orders: contention slot {contention['offer']} on {contention['date']} "
        f"({contention['capacity']} units); {len(plan['spread'])} spread slots over "
        f"{plan['spread_offers']} offers"
    )
    return plan


def _order(offer: str, day: str, n: int, run: str) -> c.Req:
    body = {
        "items": [{"offer": offer, "start_date": day, "adults": 1}],
        "contact": {"name": "Bench Client", "email": f"bench{n}@example.com"},
    }
    return c.Req(
        "POST",
        "/api/v1/orders",
        json.dumps(body).encode(),
        {"Idempotency-Key": f"bench-{run}-{n}"},
    )


def _warm_up(plan: dict[str, Any]) -> None:
    """Load every worker's code paths (quotes hold nothing) before measuring."""
    contention = plan["contention"]
    quote = json.dumps(
        {"items": [{"offer": contention["offer"], "start_date": contention["date"], "adults": 1}]}
    ).encode()
    warm = [c.Req("POST", "/api/v1/quotes", quote)] * 64
    warm += [c.Req("GET", f"/api/v1/products/{contention['product']}")] * 64
    c.run_load(PORT, warm, clients=16)


def _figures(load: c.Load, created_window: bool) -> dict[str, Any]:
    results = load.results
    created = [r for r in results if r.status == 201]
    statuses = load.statuses()
    codes: dict[str, int] = {}
    for r in results:
        if r.status >= 400:
            codes[f"{r.status} {r.code}"] = codes.get(f"{r.status} {r.code}", 0) + 1
    # Orders per second while units were left: up to the last successful answer.
    window = max((r.finished for r in created), default=load.started) - load.started
    seconds = window if created_window and created else load.wall
    return {
        "requests": len(results),
        "wall_s": load.wall,
        "requests_per_s": len(results) / load.wall,
        "orders_per_s": len(created) / seconds if seconds else 0.0,
        "created_201": len(created),
        "refused_409": statuses.get(409, 0),
        "other_4xx": sum(n for s, n in statuses.items() if 400 <= s < 500 and s != 409),
        "server_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "no_answer": statuses.get(0, 0),
        "other_2xx": sum(n for s, n in statuses.items() if 200 <= s < 300 and s != 201),
        "answers": codes,
        **c.latency_ms([r.seconds for r in results]),
        **{f"created_{k}": v for k, v in c.latency_ms([r.seconds for r in created]).items()},
    }


def _run(plan: dict[str, Any], kind: str, number: int) -> dict[str, Any]:
    c.create_db(RUN_DB, template=TEMPLATE)
    env = c.app_env(c.db_url(RUN_DB), port=PORT)
    run = f"{kind}{number}"
    if kind == "contention":
        slot = plan["contention"]
        requests = [_order(slot["offer"], slot["date"], n, run) for n in range(ORDERS)]
    else:
        requests = [_order(o, d, n, run) for n, (o, d) in enumerate(plan["spread"][:ORDERS])]
    with c.Server(env, PORT, name="orders") as server:
        _warm_up(plan)
        with c.ActivitySampler(RUN_DB) as activity:
            load = c.run_load(PORT, requests, clients=CLIENTS)
        memory = server.memory()
        workers = len(server.worker_pids())
        command = server.command
    figures = _figures(load, created_window=kind == "contention")
    figures["workers"] = workers
    figures["pg_active"] = activity.summary()["active"]
    figures["pg_lock_waiting"] = activity.summary()["lock_waiting"]
    figures["rss_mb_max"] = max((m["rss_mb"] for m in memory), default=float("nan"))
    figures["server_command"] = command
    if kind == "contention":
        slot = plan["contention"]
        proof = c.task("verify-contention", env, slot["offer"], slot["date"])
        figures["proof"] = proof
        figures["oversold"] = proof["oversold"]
    invariants = c.omnitrip(["check-invariants"], env, check=False)
    figures["invariants_exit"] = invariants.returncode
    figures["invariants_output"] = (invariants.stdout + invariants.stderr).strip()
    figures["counts"] = c.task("order-counts", env)
    c.log(
        f"orders/{kind} run {number}: {figures['orders_per_s']:.1f} orders/s, "
        f"{figures['requests_per_s']:.1f} req/s, p50 {figures['p50_ms']:.0f} ms, "
        f"p95 {figures['p95_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms; "
        f"201={figures['created_201']} 409={figures['refused_409']} "
        f"5xx={figures['server_5xx']} other={figures['other_4xx'] + figures['no_answer']}; "
        f"check-invariants exit {figures['invariants_exit']}"
    )
    return figures


def _verdict_contention(runs: list[dict[str, Any]], capacity: int) -> dict[str, Any]:
    ok = all(
        r["created_201"] == capacity
        and r["server_5xx"] == 0
        and r["no_answer"] == 0
        and r["invariants_exit"] == 0
        and not r["oversold"]
        and r["proof"]["held"] + r["proof"]["sold"] <= r["proof"]["capacity"]
        and r["proof"]["orders"] == capacity
        for r in runs
    )
    return {"zero_oversell_and_no_5xx": ok}


def bench(plan: dict[str, Any], runs: int) -> dict[str, Any]:
    contention = [_run(plan, "contention", n + 1) for n in range(runs)]
    spread = [_run(plan, "spread", n + 1) for n in range(runs)]
    c.drop_db(RUN_DB)
    c.drop_db(TEMPLATE)
    return {
        "plan": {k: v for k, v in plan.items() if k != "spread"},
        "contention": {
            "runs": contention,
            "median": c.medians(contention),
            **_verdict_contention(contention, plan["contention"]["capacity"]),
        },
        "spread": {
            "runs": spread,
            "median": c.medians(spread),
            "no_5xx_and_invariants": all(
                r["server_5xx"] == 0 and r["invariants_exit"] == 0 and r["no_answer"] == 0
                for r in spread
            ),
        },
    }
