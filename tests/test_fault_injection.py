"""Fault injection on PostgreSQL: processes killed in the middle of the work.

One omnitrip installation of its own (database ``omnitrip_fault_<pid>``, a Redis database as
the Celery broker, ``omnitrip serve`` with two gunicorn workers and one ``omnitrip worker``)
is driven over HTTP through one scenario, act by act:

1. a burst of checkouts, and a gunicorn worker SIGKILLed while it serves one (after the
   Nth answer); cut-off clients retry with their Idempotency-Key;
2. payment callbacks, and the Celery worker SIGKILLed while processing tasks are in flight
   and queued; a pool process killed; a task whose database connection is dropped; every
   callback delivered again;
3. the expiry sweeps (``release_expired_holds``, ``expire_unpaid_orders``), each SIGKILLed
   in the middle of a run, run again; late payments for expired orders;
4. at the end every order is settled and ``omnitrip check-invariants`` passes.

A fault is injected at a point the test has observed — an answer count and an open client
connection, or a task blocked on a row lock the test holds (seen in ``pg_stat_activity``) —
never after a sleep. Waiting is bounded polling for readiness or progress. The acts share
one installation and build on each other, so they are steps of one test (pytest-xdist's
``xdist_group`` does not group tests under pytest 9.2, so separate tests could be split).

Two checks are about recovery without re-delivery: a stored payment callback whose
processing task is lost — the Redis-broker worker killed under it, or the task failing on a
dropped database connection — must still be processed, by a retry, a starting worker or the
periodic tasks (time is compressed: the waiting events are aged ten minutes and the beat
schedule's tasks sent once). A broken promise there is collected and reported at the end,
after the replay path has recovered the callbacks, so every other check still runs.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
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
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings

from omnitrip.payments.models import Payment
from omnitrip.plugins.payment_sandbox.provider import build_notification
from tests.live_http import http_json

pytestmark = pytest.mark.postgres


def _broker_url() -> str:
    """Database 7 of the Redis server the suite uses (REDIS_URL), or of 127.0.0.1:6379."""
    if os.environ.get("OMNITRIP_FAULT_BROKER_URL"):
        return os.environ["OMNITRIP_FAULT_BROKER_URL"]
    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((server.scheme, server.netloc, "/7", "", ""))


#: The Celery broker: a Redis database of the test's own, emptied before and after.
BROKER_URL = _broker_url()
TICKETS = 10  # one dated ticket slot: the scarce bucket
ROOMS = 4  # rooms on each of two nights
TICKET_BUYERS = 30
ROOM_BUYERS = 8
CLIENTS = 12  # concurrent HTTP clients: more than the server's 2 × 4 threads
KILL_AFTER_ANSWERS = 12
PAID_TICKETS = 8  # tickets paid in act 2: six, then one each in two single-callback tests
PROGRESS_TIMEOUT = 20.0  # seconds a healthy installation needs, with room to spare
RECOVERY_TIMEOUT = 15.0  # for a lost task to run again (with a fix it takes about 2 s)

CATALOGUE = f"""
import datetime as dt, json
from omnitrip.catalog.tests import factories as cf
day = dt.date.today() + dt.timedelta(days=20)
tickets = cf.dated_offer(start=day, days=1, capacity={TICKETS}, price_minor=12000)
rooms = cf.hotel_offer(start=day, days=2, capacity={ROOMS}, price_minor=50000)
print(json.dumps({{"tickets": tickets.code, "rooms": rooms.code, "day": day.isoformat(),
                  "checkout": (day + dt.timedelta(days=2)).isoformat()}}))
"""


# --- the installation ---------------------------------------------------------------------


@dataclass
class Placed:
    key: str
    offer: str  # "tickets" or "rooms"
    code: str
    token: str


@dataclass
class Callback:
    payment: str
    body: bytes
    headers: dict[str, str]


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(FileNotFoundError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _serving(pid: int, port: int) -> int:
    """How many client connections to ``port`` process ``pid`` holds open right now."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                sockets.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                established = state == "01"
                count += (
                    established and int(local.rsplit(":", 1)[1], 16) == port and (inode in sockets)
                )
    return count


def _kill_survivors(pids: set[int]) -> None:
    """SIGKILL whichever of ``pids`` still runs and wait until none does."""
    for pid in pids:
        with suppress(ProcessLookupError):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


#: Runs of this test on one machine share the broker database, so they take turns.
BROKER_LOCK = "omnitrip-fault-injection:lock"


def _claim_broker() -> Any:
    """Wait until no other run of this test uses the broker, then hold it. The lock lapses
    after 7 minutes (a run takes 2), so a run that was killed cannot block the next."""
    if not BROKER_URL.startswith("redis"):
        return None
    lock = redis.Redis.from_url(BROKER_URL).lock(BROKER_LOCK, timeout=420, blocking_timeout=450)
    if not lock.acquire():
        pytest.fail(f"another fault-injection run has held {BROKER_URL} for 7 minutes")
    return lock


def _empty_broker() -> None:
    """Empty the test's broker: its Redis database but the lock, or (AMQP, for experiments)
    its queue."""
    if BROKER_URL.startswith("redis"):
        client = redis.Redis.from_url(BROKER_URL)
        for key in client.scan_iter():
            if key != BROKER_LOCK.encode():
                client.delete(key)
        return
    app = Celery("fault-injection", broker=BROKER_URL, set_as_current=False)
    try:
        app.control.purge()
    finally:
        app.close()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@dataclass
class Installation:
    """omnitrip on its own PostgreSQL database, Redis broker, web server and Celery worker."""

    home: Path
    database: str = field(default_factory=lambda: f"omnitrip_fault_{os.getpid()}")
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    worker_starts: int = 0
    codes: dict[str, str] = field(default_factory=dict)
    placed: list[Placed] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    started: bool = False
    broker_lock: Any = None
    port: int = 0

    # configuration ------------------------------------------------------------------
    def _server_params(self) -> dict[str, Any]:
        db = settings.DATABASES["default"]
        return {
            "host": db.get("HOST") or "127.0.0.1",
            "port": int(db.get("PORT") or 5432),
            "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None,
        }

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            dbname=dbname or self.database, autocommit=True, **self._server_params()
        )

    @property
    def database_url(self) -> str:
        p = self._server_params()
        auth = quote(p["user"], safe="") + (
            ":" + quote(p["password"], safe="") if p["password"] else ""
        )
        return f"postgres://{auth}@{p['host']}:{p['port']}/{self.database}"

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": BROKER_URL,
            "OMNITRIP_VAR_DIR": str(self.home),
            "OMNITRIP_SANDBOX_SECRET": settings.SANDBOX_PAYMENT_SECRET,
            "DJANGO_SETTINGS_MODULE": "omnitrip.settings",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
        }
        env.pop("REDIS_URL", None)  # the cache stays in-process: nothing here needs it
        return env

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # life cycle ---------------------------------------------------------------------
    def up(self) -> Installation:
        if self.started:
            return self
        self.broker_lock = _claim_broker()
        self.started = True
        _empty_broker()
        with self.connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.setup_command("migrate", "--no-input", "-v", "0")
        catalogue = self.setup_command("shell", "-c", CATALOGUE)
        self.codes = json.loads(catalogue.strip().splitlines()[-1])
        self.port = _free_port()
        self.start_server()
        self.start_worker()
        return self

    def down(self) -> None:
        # SIGINT: gunicorn's quick shutdown; SIGQUIT: Celery's cold one. Nothing is in flight.
        running = []
        for process, stop in ((self.server, signal.SIGINT), (self.worker, signal.SIGQUIT)):
            if process is not None and process.poll() is None:
                running.append((process, _children(process.pid)))
                process.send_signal(stop)
        for process, family in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            _kill_survivors(family)
        if self.started:
            with suppress(Exception):
                _empty_broker()
            with self.connect("postgres") as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            if self.broker_lock is not None:
                with suppress(redis.exceptions.LockError):
                    self.broker_lock.release()

    def omnitrip(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "omnitrip.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def setup_command(self, *args: str) -> str:
        done = self.omnitrip(*args)
        assert done.returncode == 0, f"omnitrip {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done.stdout

    def start_server(self) -> None:
        log = self.home / "server.log"
        with log.open("a") as output:
            self.server = subprocess.Popen(
                [
                    *(sys.executable, "-m", "omnitrip.cli", "serve", "--host", "127.0.0.1"),
                    *("--port", str(self.port), "--workers", "2", "--threads", "4"),
                    "--no-scheduler",
                ],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

        def serving() -> bool:
            if self.server.poll() is not None:
                pytest.fail(f"the server exited with {self.server.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/openapi.json", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(serving, "the web server to answer", timeout=60, log=log)

    def start_worker(self) -> None:
        self.worker_starts += 1
        log = self.home / f"worker-{self.worker_starts}.log"
        with log.open("w") as output:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "omnitrip.cli", "worker", "--concurrency", "2"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

        def ready() -> bool:
            if self.worker.poll() is not None:
                pytest.fail(f"the worker exited with {self.worker.returncode}:\n{_tail(log)}")
            return " ready." in log.read_text(errors="replace")

        wait_for(ready, "the Celery worker to be ready", timeout=60, log=log)

    def kill_worker(self) -> None:
        """SIGKILL the Celery worker, as the kernel's OOM killer or a lost machine would."""
        assert self.worker is not None
        assert self.worker.poll() is None
        pool = _children(self.worker.pid)
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        _kill_survivors(pool)  # the prefork children die with it (PR_SET_PDEATHSIG)

    def web_workers(self) -> set[int]:
        assert self.server is not None
        return _children(self.server.pid)

    @property
    def worker_log(self) -> Path:
        return self.home / f"worker-{self.worker_starts}.log"

    # database -------------------------------------------------------------------------
    def rows(self, query: str, *params: Any) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query: str, *params: Any) -> Any:
        return self.rows(query, *params)[0][0]

    def lock_waiters(self) -> list[int]:
        """Backend pids of this database that wait for a row lock right now."""
        return [
            pid
            for (pid,) in self.rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                self.database,
            )
        ]

    @contextmanager
    def row_locks(self, table: str, ids: list[int]) -> Iterator[None]:
        """Hold ``SELECT … FOR UPDATE`` on rows of ``table`` until the block ends."""
        with self.connect() as conn:
            conn.execute("BEGIN")
            locked = conn.execute(
                f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608
                (ids,),
            ).fetchall()
            assert len(locked) == len(set(ids))
            try:
                yield
            finally:
                conn.execute("COMMIT")

    def order_id(self, code: str) -> int:
        return self.value("SELECT id FROM orders_order WHERE code = %s", code)

    def statuses(self, codes: list[str]) -> dict[str, str]:
        return dict(self.rows("SELECT code, status FROM orders_order WHERE code = ANY(%s)", codes))

    def inventory_problems(self) -> list[tuple]:
        """Slots oversold, or whose held/sold differ from their live/sold hold rows."""
        return self.rows(
            """
            SELECT s.id, s.capacity, s.held, s.sold, live.n, converted.n
            FROM inventory_inventoryslot s,
            LATERAL (SELECT COALESCE(SUM(quantity), 0) n FROM inventory_hold
                     WHERE slot_id = s.id AND status = 'active') live,
            LATERAL (SELECT COALESCE(SUM(quantity), 0) n FROM inventory_hold
                     WHERE slot_id = s.id AND status = 'converted') converted
            WHERE s.held + s.sold > s.capacity OR s.held <> live.n OR s.sold <> converted.n
            """
        )

    def unprocessed_events(self) -> list[tuple]:
        return self.rows(
            "SELECT payment_code, status, error FROM payments_webhookevent "
            "WHERE status <> 'processed' ORDER BY id"
        )

    # HTTP -----------------------------------------------------------------------------
    def place(self, offer: str, key: str) -> tuple[int, dict, int]:
        """Checkout over HTTP, retrying interrupted or lock-timed-out attempts with the same
        key. Returns the final status, body and how many attempts were interrupted."""
        if offer == "tickets":
            item = {"offer": self.codes["tickets"], "start_date": self.codes["day"]}
        else:
            item = {
                "offer": self.codes["rooms"],
                "start_date": self.codes["day"],
                "end_date": self.codes["checkout"],
                "adults": 2,
            }
        body = {"items": [item], "contact": {"name": "Li Wei", "email": f"{key}@example.com"}}
        interrupted = 0
        deadline = time.monotonic() + 60
        while True:
            try:
                status, answer = http_json(
                    "POST", f"{self.base}/api/v1/orders", body, {"Idempotency-Key": key}
                )
            except (OSError, http.client.HTTPException):
                # The worker serving us died: the checkout committed or rolled back as a
                # whole; the same key tells which.
                status, answer = 0, {}
                interrupted += 1
            if status in (200, 201) or (status == 409 and answer.get("code") == "sold_out"):
                return status, answer, interrupted
            if status >= 500 or (status and status != 409) or time.monotonic() > deadline:
                return status, answer, interrupted
            time.sleep(0.05)  # a short pause before the retry, as any client would

    def start_payment(self, placed: Placed) -> Callback:
        status, answer = http_json(
            "POST",
            f"{self.base}/api/v1/orders/{placed.code}/payments",
            {"provider": "sandbox"},
            {"X-Order-Token": placed.token, "Idempotency-Key": f"pay-{placed.key}"},
        )
        assert status == 201, answer
        code = answer["payment"]["code"]
        amount, currency = self.rows(
            "SELECT amount_minor, currency FROM payments_payment WHERE code = %s", code
        )[0]
        payment = Payment(code=code, amount_minor=amount, currency=currency)
        body, headers = build_notification(payment, "captured")
        callback = Callback(code, body, headers)
        self.callbacks.append(callback)
        return callback

    def notify(self, callback: Callback) -> int:
        request = urllib.request.Request(
            f"{self.base}/api/v1/payments/sandbox/notify",
            data=callback.body,
            method="POST",
            headers=callback.headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def send_task(self, *names: str) -> None:
        """What ``celery call`` does: put tasks on the broker."""
        app = Celery("fault-injection", broker=BROKER_URL, set_as_current=False)
        try:
            for name in names:
                app.send_task(name)
        finally:
            app.close()

    def recovers(self, condition: Callable[[], Any]) -> bool:
        """Whether ``condition`` comes true with no callback sent again: by itself (a task
        retried, a worker that starts) or through the periodic tasks. Time is compressed as
        for the holds in act 3: events still stored unprocessed are aged ten minutes, then
        every task of the beat schedule is sent once, as beat would on its next ticks."""
        with self.connect() as conn:
            conn.execute(
                "UPDATE payments_webhookevent SET received_at = received_at - interval "
                "'10 minutes' WHERE status = 'received'"
            )
        self.send_task(*(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()))
        return bool(settles(condition))

    def orders(self, offer: str) -> list[Placed]:
        return [p for p in self.placed if p.offer == offer]


def _free_port() -> int:
    """A free port in 8200–8299 (the range this test may use)."""
    for port in range(8200 + os.getpid() % 50, 8300):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8200–8299")


def wait_for(
    condition: Callable[[], Any],
    what: str,
    *,
    timeout: float = PROGRESS_TIMEOUT,
    log: Path | None = None,
) -> Any:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out after {timeout:.0f} s waiting for {what}"
                + (f"\n{_tail(log)}" if log else "")
            )
        time.sleep(0.05)


def settles(condition: Callable[[], Any], timeout: float = RECOVERY_TIMEOUT) -> Any:
    """Poll ``condition`` until it is truthy or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@pytest.fixture
def installation(require_postgres, tmp_path) -> Iterator[Installation]:
    inst = Installation(home=tmp_path)
    try:
        yield inst.up()
    finally:
        inst.down()


def test_processes_killed_mid_work_leave_every_order_settled_and_every_payment_processed(
    installation,
):
    """The whole scenario; each step below asserts what it proves. The two recovery
    promises are collected and asserted at the end (see the module's docstring)."""
    inst = installation
    broken: list[str] = []
    checkouts_survive_a_web_worker_killed_in_the_middle_of_the_burst(inst)
    broken += callbacks_stored_before_the_celery_worker_was_killed_are_processed_after_restart(inst)
    a_callback_whose_pool_process_was_killed_is_run_again_by_the_worker(inst)
    broken += a_callback_whose_task_lost_its_database_connection_is_processed_later(inst)
    every_callback_delivered_again_is_acknowledged_and_captured_exactly_once(inst)
    expiry_sweeps_killed_half_way_finish_when_run_again_and_late_payments_settle(inst)
    after_every_fault_each_order_is_settled_and_the_invariants_hold(inst)
    assert not broken, "\n\n".join(broken)


# --- act 1: checkouts while a web worker dies -------------------------------------------


def checkouts_survive_a_web_worker_killed_in_the_middle_of_the_burst(inst: Installation) -> None:
    before = inst.web_workers()
    assert len(before) == 2
    victim = min(before)
    jobs = [("tickets", f"t{n}") for n in range(TICKET_BUYERS)]
    jobs += [("rooms", f"r{n}") for n in range(ROOM_BUYERS)]
    answered = 0
    counter = threading.Lock()
    killed = threading.Event()

    def checkout(job: tuple[str, str]) -> tuple[str, str, int, dict, int]:
        nonlocal answered
        offer, key = job
        status, body, interrupted = inst.place(offer, key)
        with counter:
            answered += 1
            # After N answers, the first time the victim is seen holding a client connection
            # (a checkout in progress there), it dies.
            if (
                answered >= KILL_AFTER_ANSWERS
                and not killed.is_set()
                and _serving(victim, inst.port)
            ):
                os.kill(victim, signal.SIGKILL)
                killed.set()
        return offer, key, status, body, interrupted

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(checkout, jobs))

    assert killed.is_set(), "the victim never held a connection after the countdown"
    # gunicorn's master replaces the dead worker.
    wait_for(
        lambda: victim not in inst.web_workers() and len(inst.web_workers()) == 2,
        "gunicorn to replace the killed worker",
    )
    log = inst.home / "server.log"
    assert not [r for r in results if r[2] >= 500 or r[2] == 0], _tail(log)
    outcomes = Counter((offer, status == 409) for offer, _, status, _, _ in results)
    assert outcomes == Counter(
        {
            ("tickets", False): TICKETS,
            ("tickets", True): TICKET_BUYERS - TICKETS,
            ("rooms", False): ROOMS,
            ("rooms", True): ROOM_BUYERS - ROOMS,
        }
    ), results
    won = [r for r in results if r[2] in (200, 201)]
    inst.placed = [
        Placed(key, offer, b["order"]["code"], b["access_token"]) for offer, key, _, b, _ in won
    ]
    # Every order in the database was answered to exactly one client: a checkout cut off
    # by the kill either rolled back or was handed back to its retry by the same key.
    codes = [p.code for p in inst.placed]
    assert len(set(codes)) == TICKETS + ROOMS
    assert sorted(codes) == sorted(c for (c,) in inst.rows("SELECT code FROM orders_order"))
    assert inst.inventory_problems() == []
    counts = inst.rows(
        "SELECT o.code, s.held, s.sold FROM inventory_inventoryslot s "
        "JOIN catalog_offer o ON o.id = s.offer_id ORDER BY s.id"
    )
    assert [(held, sold) for _, held, sold in counts] == [(TICKETS, 0), (ROOMS, 0), (ROOMS, 0)]
    print(f"interrupted attempts retried: {sum(r[4] for r in results)}")


# --- act 2: payment callbacks while the Celery worker dies ------------------------------


def callbacks_stored_before_the_celery_worker_was_killed_are_processed_after_restart(
    inst: Installation,
) -> list[str]:
    paying = inst.orders("tickets")[:6] + inst.orders("rooms")[:2]
    callbacks = [inst.start_payment(p) for p in paying]
    first = 4

    # The test holds the orders' row locks, so the tasks that start wait inside the
    # database, in flight, until the worker is killed under them.
    with inst.row_locks("orders_order", [inst.order_id(p.code) for p in paying]):
        assert [inst.notify(c) for c in callbacks[:first]] == [200] * first
        wait_for(inst.lock_waiters, "a payment task to start")
        settles(lambda: len(inst.lock_waiters()) >= 2, timeout=1)
        inst.kill_worker()
        # With no worker running, callbacks are still stored first and acknowledged.
        assert [inst.notify(c) for c in callbacks[first:]] == [200] * (len(callbacks) - first)
    stored = inst.value("SELECT count(*) FROM payments_webhookevent")
    assert stored == len(callbacks)
    assert inst.value("SELECT count(*) FROM payments_webhookevent WHERE status='processed'") == 0

    inst.start_worker()

    # Nobody re-sends these callbacks: the provider was answered 200 for every one.
    done = inst.recovers(lambda: not inst.unprocessed_events())
    stuck = inst.unprocessed_events()
    unacked = (
        redis.Redis.from_url(BROKER_URL).hlen("unacked") if BROKER_URL.startswith("redis") else "?"
    )
    if not done:
        return [
            f"{len(stuck)} of {stored} stored callbacks were still unprocessed "
            f"{RECOVERY_TIMEOUT:.0f} s after the Celery worker restarted and the periodic "
            f"tasks ran: {stuck}. Their tasks were in flight when the worker died; {unacked} "
            "message(s) wait in the Redis 'unacked' hash until the broker's visibility timeout "
            "(1 h by default), and nothing else re-queues a stored event still 'received'."
        ]
    assert set(inst.statuses([p.code for p in paying]).values()) == {"confirmed"}
    return []


def a_callback_whose_pool_process_was_killed_is_run_again_by_the_worker(inst: Installation) -> None:
    order = inst.orders("tickets")[6]
    callback = inst.start_payment(order)
    pool = _children(inst.worker.pid)

    with inst.row_locks("orders_order", [inst.order_id(order.code)]):
        assert inst.notify(callback) == 200
        wait_for(inst.lock_waiters, "the payment task to start")
        # Only the pool processes die; the worker's main process sees the job lost and,
        # with acks_late and reject_on_worker_lost, gives the message back to the queue.
        _kill_survivors(pool)

    wait_for(
        lambda: (
            inst.value(
                "SELECT status FROM payments_webhookevent WHERE payment_code = %s", callback.payment
            )
            == "processed"
        ),
        "the re-queued task to process the callback",
        log=inst.worker_log,
    )
    assert inst.statuses([order.code]) == {order.code: "confirmed"}
    assert inst.worker.poll() is None
    assert not pool & _children(inst.worker.pid)


def a_callback_whose_task_lost_its_database_connection_is_processed_later(
    inst: Installation,
) -> list[str]:
    order = inst.orders("tickets")[7]
    callback = inst.start_payment(order)

    with inst.row_locks("orders_order", [inst.order_id(order.code)]):
        assert inst.notify(callback) == 200
        [backend] = wait_for(inst.lock_waiters, "the payment task to start")
        # The database drops the task's connection (a failover, a restart, an idle kill).
        assert inst.value("SELECT pg_terminate_backend(%s)", backend) is True
        wait_for(lambda: not inst.lock_waiters(), "the task's connection to close")

    processed = inst.recovers(
        lambda: (
            inst.value(
                "SELECT status FROM payments_webhookevent WHERE payment_code = %s", callback.payment
            )
            == "processed"
        )
    )
    if not processed:
        return [
            f"the callback for {callback.payment} was still 'received' {RECOVERY_TIMEOUT:.0f} s "
            "after its task failed on a dropped database connection (and the periodic tasks "
            "ran): the task is not retried and nothing re-queues a stored event. The worker's "
            "log:\n" + _tail(inst.worker_log, 12)
        ]
    assert inst.statuses([order.code]) == {order.code: "confirmed"}
    return []


def every_callback_delivered_again_is_acknowledged_and_captured_exactly_once(
    inst: Installation,
) -> None:
    assert inst.callbacks, "needs the payments of the earlier acts"

    # A provider re-sends what it is unsure of; for an event still 'received' this is
    # the replay path that queues its processing again.
    assert [inst.notify(c) for c in inst.callbacks] == [200] * len(inst.callbacks)

    wait_for(lambda: not inst.unprocessed_events(), "every stored callback to be processed")
    codes = [c.payment for c in inst.callbacks]
    assert inst.value("SELECT count(*) FROM payments_webhookevent") == len(codes)
    captures = dict(
        inst.rows(
            "SELECT p.code, count(e.id) FROM payments_payment p JOIN payments_paymentevent e "
            "ON e.payment_id = p.id AND e.kind = 'captured' WHERE p.code = ANY(%s) "
            "GROUP BY p.code",
            codes,
        )
    )
    assert captures == dict.fromkeys(codes, 1)
    entries = inst.value(
        "SELECT count(*) FROM ledger_journalentry WHERE idempotency_key = ANY(%s)",
        [f"capture:{c}" for c in codes],
    )
    assert entries == len(codes)
    paid = inst.rows(
        "SELECT o.code FROM orders_order o JOIN payments_payment p ON p.order_id = o.id "
        "WHERE p.code = ANY(%s)",
        codes,
    )
    assert set(inst.statuses([c for (c,) in paid]).values()) == {"confirmed"}


# --- act 3: the expiry sweeps die half-way ----------------------------------------------


def expiry_sweeps_killed_half_way_finish_when_run_again_and_late_payments_settle(
    inst: Installation,
) -> None:
    pending = [p for p in inst.placed if inst.statuses([p.code])[p.code] == "pending_payment"]
    assert len(pending) == (TICKETS - PAID_TICKETS) + (ROOMS - 2)
    # Two payers start paying before their holds lapse and come back after.
    late_ticket = next(p for p in pending if p.offer == "tickets")
    late_room = next(p for p in pending if p.offer == "rooms")
    late = {
        late_ticket.code: inst.start_payment(late_ticket),
        late_room.code: inst.start_payment(late_room),
    }
    codes = [p.code for p in pending]
    with inst.connect() as conn:
        conn.execute(
            "UPDATE orders_order SET hold_expires_at = now() - interval '1 minute' "
            "WHERE code = ANY(%s)",
            (codes,),
        )
        conn.execute(
            "UPDATE inventory_hold SET expires_at = now() - interval '1 minute' "
            "WHERE status = 'active' AND reference IN (SELECT i.hold_reference FROM "
            "orders_orderitem i JOIN orders_order o ON o.id = i.order_id WHERE o.code = ANY(%s))",
            (codes,),
        )

    # The hold sweep blocks on the second night's slot, which the test holds, and dies.
    second_night = inst.value(
        "SELECT s.id FROM inventory_inventoryslot s JOIN catalog_offer o ON o.id = s.offer_id "
        "WHERE o.code = %s ORDER BY s.date DESC LIMIT 1",
        inst.codes["rooms"],
    )
    with inst.row_locks("inventory_inventoryslot", [second_night]):
        inst.send_task("omnitrip.inventory.tasks.release_expired_holds")
        wait_for(inst.lock_waiters, "release_expired_holds to reach the locked slot")
        inst.kill_worker()
    assert inst.inventory_problems() == []

    # The order sweep blocks on the last pending order, which the test holds, and dies.
    inst.start_worker()
    last = max(inst.order_id(c) for c in codes)
    with inst.row_locks("orders_order", [last]):
        inst.send_task("omnitrip.orders.tasks.expire_unpaid_orders")
        wait_for(inst.lock_waiters, "expire_unpaid_orders to reach the locked order")
        inst.kill_worker()
    assert inst.inventory_problems() == []
    [last_code] = [c for c in codes if inst.order_id(c) == last]
    assert inst.statuses([last_code]) == {last_code: "pending_payment"}

    # Run both again on a fresh worker: they finish the job.
    inst.start_worker()
    inst.send_task("omnitrip.inventory.tasks.release_expired_holds")
    inst.send_task("omnitrip.orders.tasks.expire_unpaid_orders")
    wait_for(
        lambda: (
            set(inst.statuses(codes).values()) == {"expired"}
            and inst.value(
                "SELECT count(*) FROM inventory_hold WHERE status = 'active' AND expires_at <= now()"
            )
            == 0
        ),
        "every lapsed order to be expired and its holds released",
        log=inst.worker_log,
    )
    assert inst.inventory_problems() == []

    # New buyers take the tickets that came back; the rooms stay free.
    freed = TICKETS - PAID_TICKETS
    results = [inst.place("tickets", f"again{n}") for n in range(freed + 1)]
    assert sorted(status for status, _, _ in results) == [201] * freed + [409]
    inst.placed += [
        Placed(f"again{n}", "tickets", body["order"]["code"], body["access_token"])
        for n, (status, body, _) in enumerate(results)
        if status == 201
    ]

    # The late payments arrive: the room is sold again, the ticket is gone and refunded.
    assert [inst.notify(c) for c in late.values()] == [200, 200]
    wait_for(lambda: not inst.unprocessed_events(), "the late callbacks to be processed")
    wait_for(
        lambda: inst.value("SELECT count(*) FROM payments_refund WHERE status <> 'succeeded'") == 0,
        "the refund to be executed",
        log=inst.worker_log,
    )
    assert inst.statuses([late_room.code, late_ticket.code]) == {
        late_room.code: "confirmed",
        late_ticket.code: "expired",
    }
    refunded = inst.rows(
        "SELECT p.amount_minor, p.refunded_minor, r.amount_minor, r.status "
        "FROM payments_payment p JOIN payments_refund r ON r.payment_id = p.id "
        "WHERE p.code = %s",
        late[late_ticket.code].payment,
    )
    [(amount, refunded_minor, refund, refund_status)] = refunded
    assert (refunded_minor, refund, refund_status) == (amount, amount, "succeeded")


# --- act 4: the books ---------------------------------------------------------------------


def after_every_fault_each_order_is_settled_and_the_invariants_hold(inst: Installation) -> None:
    assert inst.placed, "needs the orders of the earlier acts"

    checked = inst.omnitrip("check-invariants")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    by_status = Counter(s for (s,) in inst.rows("SELECT status FROM orders_order"))
    assert set(by_status) <= {"confirmed", "expired", "pending_payment"}, by_status
    # Nobody stuck half-way: a confirmed order sold every unit it holds and was paid in full.
    half_way = inst.rows(
        """
        SELECT o.code, o.status, h.status FROM orders_order o
        JOIN orders_orderitem i ON i.order_id = o.id
        JOIN inventory_hold h ON h.reference = i.hold_reference
        WHERE (o.status = 'confirmed' AND h.status = 'active')
           OR (o.status = 'expired' AND h.status IN ('active', 'converted'))
           OR (o.status = 'pending_payment' AND h.status = 'active' AND h.expires_at <= now())
        """
    )
    assert half_way == []
    # Money taken is for a confirmed order, or all of it went back.
    kept = inst.rows(
        "SELECT p.code, o.status, p.amount_minor, p.refunded_minor FROM payments_payment p "
        "JOIN orders_order o ON o.id = p.order_id WHERE p.status = 'captured' "
        "AND o.status <> 'confirmed' AND p.refunded_minor <> p.amount_minor"
    )
    assert kept == []
    assert inst.unprocessed_events() == []
    assert inst.value("SELECT count(*) FROM payments_refund WHERE status <> 'succeeded'") == 0
    slots = inst.rows("SELECT capacity, held, sold FROM inventory_inventoryslot ORDER BY id")
    # tickets: paid in act 2, held again by new buyers in act 3; rooms: 2 paid + 1 sold late.
    assert slots == [(TICKETS, TICKETS - PAID_TICKETS, PAID_TICKETS), (ROOMS, 0, 3), (ROOMS, 0, 3)]
    assert by_status == Counter(
        {
            "confirmed": PAID_TICKETS + 2 + 1,
            "expired": (TICKETS - PAID_TICKETS) + 1,
            "pending_payment": TICKETS - PAID_TICKETS,
        }
    )
