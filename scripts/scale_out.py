#!/usr/bin/env python3
"""Rehearse a scaled-out omnitrip on one machine, then prove nothing was oversold.

Starts, on this machine:
  * a fresh database ``omnitrip_scale_<pid>`` on a running PostgreSQL server;
  * Redis as the cache (and, unless ``--broker`` says otherwise, as the Celery broker);
  * N web processes (``omnitrip serve``) on different ports, in production mode;
  * M Celery workers (``omnitrip worker``), the first with the beat scheduler embedded.

Then it books ``--orders`` single tickets for a slot of ``--units`` tickets, all at once and
round-robin across the web processes; pays ``--pay`` of the winners through signed sandbox
callbacks (each delivered twice, as a provider retrying would); waits for the workers; and
checks: ``held + sold <= capacity``, exactly ``--units`` orders won, every callback processed
once, and ``omnitrip check-invariants`` exits 0. It prints a summary and exits 1 if any check
failed. Every process it started and the database are removed on exit, Ctrl-C included.

Run it from the repository with the project's virtualenv:

    .venv/bin/python scripts/scale_out.py
    .venv/bin/python scripts/scale_out.py --orders 600 --units 150 --clients 64 \\
        --broker amqp://guest:guest@127.0.0.1:5672//

It owns the Redis database it is given (``--redis``, default db 8) and empties it before and
after. With an AMQP broker it uses the default ``celery`` queue of that virtual host (left
declared and empty) and starts the workers with Celery's own command line, because
``omnitrip worker`` has no ``--hostname`` and two same-named workers on one host collide there.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

EXAMPLES = """examples:
  .venv/bin/python scripts/scale_out.py
  .venv/bin/python scripts/scale_out.py --orders 600 --units 150 --clients 64 \\
      --broker amqp://guest:guest@127.0.0.1:5672//

The Redis database given by --redis is owned by the run: emptied before and after.
"""

CATALOGUE = """
import datetime as dt, json
from omnitrip.accounts.models import Organisation, OrganisationKind
from omnitrip.catalog.models import (
    CancellationPolicy, Destination, Offer, Product, ProductKind, ProductStatus)
from omnitrip.inventory.models import InventorySlot
day = dt.date.today() + dt.timedelta(days=30)
supplier = Organisation.objects.create(
    code="scale-supplier", kind=OrganisationKind.SUPPLIER, name_en="Scale-out Theatre",
    name_zh="压测剧院", currency="CNY")
china = Destination.objects.create(
    code="cn", level=Destination.Level.COUNTRY, name_en="China", name_zh="中国",
    timezone="Asia/Shanghai")
free = CancellationPolicy.objects.create(
    code="free", kind="free", name_en="Free cancellation", name_zh="免费取消",
    rules=[{"days_before": 1, "penalty_percent": "0"},
           {"days_before": 0, "penalty_percent": "100"}])
show = Product.objects.create(
    code="scale-show", kind=ProductKind.ATTRACTION, status=ProductStatus.PUBLISHED,
    supplier=supplier, destination=china, title_en="Opening night", title_zh="首演之夜",
    timezone="Asia/Shanghai", currency="CNY")
offer = Offer.objects.create(
    product=show, code="SCALE1", name_en="Stalls", name_zh="池座", cancellation_policy=free)
InventorySlot.objects.create(offer=offer, date=day, capacity=UNITS, price_minor=12000)
print(json.dumps({"offer": offer.code, "day": day.isoformat()}))
"""

#: The key that marks the Redis database as in use by a rehearsal.
LOCK = "omnitrip-scale-out:lock"

SLOT = (
    "SELECT s.capacity, s.held, s.sold FROM inventory_inventoryslot s "
    "JOIN catalog_offer o ON o.id = s.offer_id WHERE o.code = %s"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Start PostgreSQL-backed omnitrip as several web processes and Celery workers on "
            "this machine, book more tickets than exist from all of them at once, pay some, "
            "and check that nothing was oversold. Cleans up everything on exit."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="a running PostgreSQL server; a fresh database omnitrip_scale_<pid> is created "
        "on it and dropped at the end (default: %(default)s)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/8",
        help="Redis for the cache (and the broker unless --broker); this database number is "
        "emptied before and after the run (default: %(default)s)",
    )
    parser.add_argument(
        "--broker",
        default=None,
        help="Celery broker URL, e.g. amqp://guest:guest@127.0.0.1:5672// (default: --redis)",
    )
    parser.add_argument(
        "--ports",
        default="8250,8251,8252",
        help="one web process per port, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn workers per web process (2)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument(
        "--celery-workers", type=int, default=2, help="Celery workers; the first runs beat (2)"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="processes per Celery worker")
    parser.add_argument("--orders", type=int, default=300, help="checkouts to send (300)")
    parser.add_argument("--units", type=int, default=100, help="tickets on sale (100)")
    parser.add_argument("--clients", type=int, default=48, help="concurrent HTTP clients (48)")
    parser.add_argument(
        "--pay", type=int, default=40, help="winning orders to pay by sandbox callback (40)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds to wait for any one phase (120)"
    )
    parser.add_argument(
        "--collectstatic",
        action="store_true",
        help="also run collectstatic (production storage compresses every file: about 100 s "
        "on two cores; the API needs none of it)",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the logs directory (printed at the end)"
    )
    args = parser.parse_args(argv)
    args.ports = [int(p) for p in args.ports.split(",") if p.strip()]
    args.broker = args.broker or args.redis
    if not args.ports:
        parser.error("--ports needs at least one port")
    if args.pay > args.units:
        parser.error("--pay cannot exceed --units")
    return args


def with_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    # Only ever http://127.0.0.1:<port>/… built by this script.
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null") or {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw.decode(errors="replace")[:300]}


def post_json(url: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    return http(
        "POST",
        url,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def sandbox_callback(
    secret: str, payment: str, amount_minor: int, currency: str
) -> tuple[bytes, dict[str, str]]:
    """A signed sandbox notification, as the sandbox's hosted page would send it.

    ``Omnitrip-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>." + body)>``.
    """
    created = int(time.time())
    body = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(10)}",
            "type": "payment.succeeded",
            "payment": payment,
            "amount_minor": amount_minor,
            "currency": currency,
            "created": created,
        },
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(secret.encode(), f"{created}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "Omnitrip-Signature": f"t={created},v1={mac}"}


def wait_for(condition: Callable[[], Any], what: str, timeout: float) -> Any:
    """Poll until ``condition()`` is truthy; raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


@dataclass
class Cluster:
    args: argparse.Namespace
    home: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="omnitrip-scale-")))
    database: str = field(default_factory=lambda: f"omnitrip_scale_{os.getpid()}")
    processes: list[tuple[str, subprocess.Popen, Path]] = field(default_factory=list)
    sandbox_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    created_database: bool = False
    redis_lock: Any = None

    @property
    def database_url(self) -> str:
        return with_database(self.args.postgres, self.database)

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "OMNITRIP_ENV": "production",
            "SECRET_KEY": self._secret_key,
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1: no TLS proxy here
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.args.ports[0]}",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.args.redis,
            "CELERY_BROKER_URL": self.args.broker,
            "OMNITRIP_VAR_DIR": str(self.home / "var"),
            "OMNITRIP_SANDBOX_SECRET": self.sandbox_secret,
            "DJANGO_SETTINGS_MODULE": "omnitrip.settings",
        }
        env.pop("DEBUG", None)
        return env

    def __post_init__(self) -> None:
        self._secret_key = secrets.token_urlsafe(64)

    # life cycle ---------------------------------------------------------------------
    def connect(self, database: str | None = None) -> psycopg.Connection:
        url = with_database(self.args.postgres, database or self.database)
        return psycopg.connect(url, autocommit=True)

    def create_database(self) -> None:
        with self.connect("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.created_database = True

    def claim_redis(self) -> None:
        """Hold the Redis database for this run: a second rehearsal on the same database
        would consume this one's tasks. Refuses at once if another run holds it."""
        self.redis_lock = redis.Redis.from_url(self.args.redis).lock(LOCK, timeout=3600)
        if not self.redis_lock.acquire(blocking=False):
            self.redis_lock = None
            raise RuntimeError(
                f"another rehearsal is using {self.args.redis}; pass --redis with another "
                f"database number (or delete the key {LOCK!r} if that run is gone)"
            )

    def flush_redis(self) -> None:
        """Empty the cache and broker databases, all but this run's lock."""
        for url in {self.args.redis, self.args.broker}:
            if url.startswith("redis"):
                client = redis.Redis.from_url(url)
                for key in client.scan_iter():
                    if key != LOCK.encode():
                        client.delete(key)

    def omnitrip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "omnitrip.cli", *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"omnitrip {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def spawn(self, name: str, *args: str, module: str = "omnitrip.cli") -> subprocess.Popen:
        log = self.home / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", module, *args],
                env=self.env,
                cwd=self.home,  # beat writes its schedule file here, not in the repository
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches this script only; it stops them in order
            )
        self.processes.append((name, process, log))
        return process

    def start_web(self, port: int) -> None:
        self.spawn(
            f"web-{port}",
            *("serve", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(self.args.web_workers), "--threads", str(self.args.threads)),
            "--no-scheduler",
        )

    def start_worker(self, number: int, *, beat: bool) -> None:
        name = f"worker-{number}" + ("-beat" if beat else "")
        options = ["--concurrency", str(self.args.concurrency), *(["--beat"] if beat else [])]
        if self.args.broker.startswith("redis"):
            self.spawn(name, "worker", *options)
            return
        # `omnitrip worker` names every worker celery@<host>. Over AMQP two workers with one
        # name on one host collide on their exclusive remote-control queue and the second
        # exits, so here they run from Celery's own command line with distinct names.
        self.spawn(
            name,
            *("-A", "omnitrip.celery", "worker", f"--hostname=worker{number}@%h"),
            *("--loglevel=info", *options),
            module="celery",
        )

    def check_alive(self) -> None:
        for name, process, log in self.processes:
            if process.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def wait_ready(self) -> None:
        def ready() -> bool:
            self.check_alive()
            for port in self.args.ports:
                try:
                    url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status != 200:
                            return False
                except OSError:
                    return False
            return all(
                " ready." in log.read_text(errors="replace")
                for name, _, log in self.processes
                if name.startswith("worker")
            )

        wait_for(ready, "the web processes and workers to be ready", self.args.timeout)

    def stop(self) -> None:
        """Stop every process this script started (gunicorn quickly, Celery warm), then
        kill whatever is left of their process groups."""
        for name, process, _ in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    process.send_signal(signal.SIGINT if name.startswith("web") else signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, process, _ in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        for _, process, _ in self.processes:
            # start_new_session made each process the leader of its own group.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    def cleanup(self) -> None:
        self.stop()
        if self.created_database:
            with self.connect("postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if self.redis_lock is not None:
            with suppress(Exception):
                self.flush_redis()
            with suppress(redis.exceptions.LockError):
                self.redis_lock.release()
        if not self.args.keep_logs:
            shutil.rmtree(self.home, ignore_errors=True)

    # database -------------------------------------------------------------------------
    def rows(self, query: str, *params: Any) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query: str, *params: Any) -> Any:
        return self.rows(query, *params)[0][0]


#: Set on Ctrl-C or SIGTERM: client threads give up at once instead of retrying.
STOP = threading.Event()


@contextmanager
def clients(count: int) -> Iterator[ThreadPoolExecutor]:
    """A pool of client threads whose queued work is dropped if the run is interrupted."""
    pool = ThreadPoolExecutor(max_workers=count)
    try:
        yield pool
    except BaseException:
        STOP.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@dataclass
class Attempt:
    number: int
    port: int
    status: int = 0
    body: dict = field(default_factory=dict)
    retries: int = 0
    seconds: float = 0.0


def book(args: argparse.Namespace, codes: dict[str, str], go: threading.Event, n: int) -> Attempt:
    """One buyer: a ticket through one web process; retried with the same Idempotency-Key
    when the connection fails or the slot's row lock timed out (409 ``conflict``)."""
    port = args.ports[n % len(args.ports)]
    attempt = Attempt(n, port)
    payload = {
        "items": [{"offer": codes["offer"], "start_date": codes["day"], "quantity": 1}],
        "contact": {"name": f"Buyer {n}", "email": f"buyer{n}@example.com"},
    }
    while not go.wait(0.1):
        if STOP.is_set():
            return attempt
    started = time.monotonic()
    deadline = started + args.timeout
    while True:
        try:
            attempt.status, attempt.body = post_json(
                f"http://127.0.0.1:{port}/api/v1/orders",
                payload,
                {"Idempotency-Key": f"scale-{n}"},
            )
        except OSError:
            attempt.status, attempt.body = 0, {}
        retry = attempt.status == 0 or attempt.body.get("code") == "conflict"
        if not retry or time.monotonic() > deadline or STOP.is_set():
            break
        attempt.retries += 1
        time.sleep(0.1)
    attempt.seconds = time.monotonic() - started
    return attempt


def pay(cluster: Cluster, n: int, won: Attempt) -> tuple[str, list[int]]:
    """Start a sandbox payment on one web process, deliver its callback to two others."""
    ports = cluster.args.ports
    order = won.body["order"]["code"]
    status, started = post_json(
        f"http://127.0.0.1:{ports[n % len(ports)]}/api/v1/orders/{order}/payments",
        {"provider": "sandbox"},
        {"X-Order-Token": won.body["access_token"], "Idempotency-Key": f"pay-{order}"},
    )
    if status != 201:
        raise RuntimeError(f"starting the payment of {order} answered {status}: {started}")
    payment = started["payment"]["code"]
    amount, currency = cluster.rows(
        "SELECT amount_minor, currency FROM payments_payment WHERE code = %s", payment
    )[0]
    body, headers = sandbox_callback(cluster.sandbox_secret, payment, amount, currency)
    answers = [
        http("POST", f"http://127.0.0.1:{port}/api/v1/payments/sandbox/notify", body, headers)[0]
        for port in (ports[(n + 1) % len(ports)], ports[(n + 2) % len(ports)])
    ]
    return payment, answers


def run(cluster: Cluster) -> int:
    args = cluster.args
    report: list[str] = []
    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        report.append(f"  [{'ok' if ok else 'FAIL'}] {text}")
        if not ok:
            failures.append(text)

    timings: dict[str, float] = {}

    def step(name: str, action: Callable[[], Any]) -> Any:
        print(f"{name} …", end=" ", flush=True)
        started = time.monotonic()
        result = action()
        timings[name] = time.monotonic() - started
        print(f"{timings[name]:.1f} s", flush=True)
        return result

    def start_all() -> None:
        for port in args.ports:
            cluster.start_web(port)
        for number in range(1, args.celery_workers + 1):
            cluster.start_worker(number, beat=number == 1)
        cluster.wait_ready()

    print(f"logs in {cluster.home}", flush=True)
    cluster.claim_redis()
    cluster.flush_redis()
    step(f"create database {cluster.database}", cluster.create_database)
    step("migrate", lambda: cluster.omnitrip("migrate", "--no-input", "-v", "0"))
    if args.collectstatic:
        step("collectstatic", lambda: cluster.omnitrip("collectstatic", "--no-input", "-v", "0"))
    seeded = step(
        f"seed one slot of {args.units} tickets",
        lambda: cluster.omnitrip("shell", "-c", CATALOGUE.replace("UNITS", str(args.units))),
    )
    codes = json.loads(seeded.stdout.splitlines()[-1])
    deploy = step("check --deploy", lambda: cluster.omnitrip("check", "--deploy", check=False))
    step(
        f"start {len(args.ports)} web processes and {args.celery_workers} Celery workers",
        start_all,
    )
    setup_seconds = sum(timings.values())

    # 1. Everyone books at once, round-robin over the web processes.
    go = threading.Event()
    with clients(args.clients) as pool:
        futures = [pool.submit(book, args, codes, go, n) for n in range(args.orders)]
        clock = time.monotonic()
        go.set()
        attempts = [f.result() for f in futures]
    booking_seconds = time.monotonic() - clock
    cluster.check_alive()
    won = [a for a in attempts if a.status in (200, 201)]
    statuses = Counter(
        a.status if a.status != 409 else f"409 {a.body.get('code')}" for a in attempts
    )
    by_port = Counter((a.port, a.status) for a in attempts)

    # 2. Some winners pay; every callback arrives twice.
    paying = won[: args.pay]
    clock = time.monotonic()
    with clients(min(args.clients, 16)) as pool:
        paid = list(pool.map(lambda pair: pay(cluster, *pair), enumerate(paying)))
    wait_for(
        lambda: (
            cluster.value("SELECT count(*) FROM payments_webhookevent WHERE status = 'processed'")
            >= len(paid)
        ),
        "the Celery workers to process the callbacks",
        args.timeout,
    )
    wait_for(
        lambda: (
            cluster.value("SELECT count(*) FROM orders_order WHERE status = 'confirmed'")
            >= len(paid)
        ),
        "the paid orders to be confirmed",
        args.timeout,
    )
    paying_seconds = time.monotonic() - clock
    cluster.check_alive()

    # 3. The books.
    capacity, held, sold = cluster.rows(SLOT, codes["offer"])[0]
    orders = Counter(dict(cluster.rows("SELECT status, count(*) FROM orders_order GROUP BY 1")))
    events = Counter(
        dict(cluster.rows("SELECT status, count(*) FROM payments_webhookevent GROUP BY 1"))
    )
    captures = cluster.value("SELECT count(*) FROM payments_paymentevent WHERE kind = 'captured'")
    invariants = cluster.omnitrip("check-invariants", check=False)
    codes_won = {a.body["order"]["code"] for a in won}
    codes_db = {c for (c,) in cluster.rows("SELECT code FROM orders_order")}
    tasks_by_worker = {
        name: log.read_text(errors="replace").count("succeeded in")
        for name, _, log in cluster.processes
        if name.startswith("worker")
    }

    check(held + sold <= capacity, f"held {held} + sold {sold} <= capacity {capacity}")
    check(len(won) == min(args.units, args.orders), f"{len(won)} orders won for {args.units} units")
    check(codes_won == codes_db, f"{len(codes_db)} orders in the database, each answered once")
    check(
        statuses.get("409 sold_out", 0) == args.orders - len(won),
        f"{statuses.get('409 sold_out', 0)} buyers told sold_out",
    )
    check(not [a for a in attempts if a.status >= 500 or a.status == 0], "no 5xx, no lost request")
    check(
        all(answers == [200, 200] for _, answers in paid),
        f"{2 * len(paid)} callbacks acknowledged (each sent twice)",
    )
    check(
        events == Counter({"processed": len(paid)}),
        f"{len(paid)} stored events, all processed: {dict(events)}",
    )
    check(captures == len(paid), f"{captures} captures for {len(paid)} payments")
    check(
        (held, sold) == (len(won) - len(paid), len(paid)),
        f"sold {sold} = paid, held {held} = unpaid winners",
    )
    check(invariants.returncode == 0, "omnitrip check-invariants exits 0")

    latencies = sorted(a.seconds for a in attempts)

    def p(q: float) -> float:
        return latencies[min(int(q * len(latencies)), len(latencies) - 1)]

    print()
    print("omnitrip scale-out rehearsal")
    print(f"  PostgreSQL  {cluster.database} on {urlsplit(args.postgres).netloc}")
    print(f"  cache       {args.redis}")
    print(f"  broker      {args.broker}")
    print(
        f"  web         {len(args.ports)} × omnitrip serve ({args.web_workers} workers × "
        f"{args.threads} threads) on ports {', '.join(map(str, args.ports))}"
    )
    print(
        f"  workers     {args.celery_workers} × "
        + ("omnitrip worker" if args.broker.startswith("redis") else "celery worker -n workerN@%h")
        + f" (concurrency {args.concurrency}), beat in worker-1"
    )
    print(
        f"  set-up      {setup_seconds:.1f} s: "
        + ", ".join(f"{name.split()[0]} {seconds:.1f} s" for name, seconds in timings.items())
    )
    print(
        f"  check --deploy: exit {deploy.returncode}; "
        + (
            "; ".join(
                line.strip() for line in deploy.stderr.splitlines() if line.strip().startswith("?")
            )
            or "no issues"
        )
    )
    print()
    print(
        f"bookings: {args.orders} buyers, {args.clients} at a time, for {args.units} tickets: "
        f"{booking_seconds:.1f} s ({args.orders / booking_seconds:.0f} checkouts/s), "
        f"latency p50 {p(0.5) * 1000:.0f} ms, p95 {p(0.95) * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"  answers: {dict(sorted(statuses.items(), key=str))}")
    print(
        f"  retried after a lock time-out or a dropped connection: {sum(a.retries for a in attempts)}"
    )
    for port in args.ports:
        mine = {s: n for (p_, s), n in by_port.items() if p_ == port}
        print(f"  port {port}: {dict(sorted(mine.items()))}")
    print(
        f"payments: {len(paid)} paid, {2 * len(paid)} callbacks in {paying_seconds:.1f} s; "
        f"tasks run per worker: {tasks_by_worker}"
    )
    print(f"slot: capacity {capacity}, held {held}, sold {sold}, free {capacity - held - sold}")
    print(f"orders: {dict(orders)}")
    print("check-invariants:")
    for line in (invariants.stdout + invariants.stderr).strip().splitlines():
        print(f"    {line}")
    print()
    print("\n".join(report))
    print()
    print(
        "RESULT: "
        + (
            "zero oversell, all checks passed"
            if not failures
            else f"{len(failures)} check(s) FAILED"
        )
    )
    return 1 if failures else 0


def _interrupt(signum: int, frame: Any) -> None:
    """A plain ``kill`` (SIGTERM) cleans up as Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cluster = Cluster(args)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(cluster)
    except KeyboardInterrupt:
        STOP.set()
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    finally:
        cluster.cleanup()
        if args.keep_logs:
            print(f"logs kept in {cluster.home}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
