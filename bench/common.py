"""What every benchmark shares: databases, the server under test, the load generator,
statistics, the machine description and the report file.

Everything here talks only to 127.0.0.1. Nothing imports Django: the orchestrator drives
several databases, so Django work runs in subprocesses (``python -m bench.tasks``).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
LOGS = VAR / "logs"
PROFILES = VAR / "profiles"
REPORT = ROOT / "docs" / "benchmarks.md"
PY = sys.executable
HOST = "127.0.0.1"

#: Server of the PostgreSQL cluster the benchmarks use (trust auth, user postgres).
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
#: Every database the benchmarks create starts with this name.
DB_PREFIX = "omnitrip_bench"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- PostgreSQL -------------------------------------------------------------------------


def db_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def _admin() -> psycopg.Connection:
    return psycopg.connect(db_url("postgres"), autocommit=True)


def _check_name(name: str) -> str:
    if not name.startswith(DB_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to touch database {name!r}: not a {DB_PREFIX}* name")
    return name


def db_exists(name: str) -> bool:
    with _admin() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def drop_db(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')


def create_db(name: str, template: str | None = None) -> None:
    drop_db(name)
    sql = f'CREATE DATABASE "{_check_name(name)}"'
    if template:
        sql += f' TEMPLATE "{_check_name(template)}"'
    with _admin() as conn:
        conn.execute(sql)


def pg_version() -> str:
    with _admin() as conn:
        row = conn.execute("SELECT version()").fetchone()
    return row[0].split(" on ")[0] if row else "unknown"


def pg_query(name: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        cursor = conn.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


class ActivitySampler:
    """Samples ``pg_stat_activity`` of one database every ``interval`` seconds in a thread:
    how many backends are running a statement and how many of them wait on a lock."""

    def __init__(self, name: str, interval: float = 0.1) -> None:
        self.name, self.interval = name, interval
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        sql = (
            "SELECT count(*) FILTER (WHERE state = 'active'),"
            " count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')"
            " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                row = conn.execute(sql, [self.name]).fetchone()
                if row:
                    self.samples.append((int(row[0]), int(row[1])))

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {"active": float("nan"), "lock_waiting": float("nan")}
        return {
            "active": statistics.mean(a for a, _ in self.samples),
            "lock_waiting": statistics.mean(w for _, w in self.samples),
        }


# --- the application -------------------------------------------------------------------


def app_env(database_url: str, *, port: int = 8000, production: bool = True) -> dict[str, str]:
    """The environment of an omnitrip process under test (server, command or task)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        OMNITRIP_VAR_DIR=str(VAR),
        PUBLIC_BASE_URL=f"http://{HOST}:{port}",
        ALLOWED_HOSTS=HOST,
        # Rendered, then dropped: no console noise, no outbox growing in memory.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    if production:
        env.update(
            OMNITRIP_ENV="production",
            SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
            SECURE_SSL_REDIRECT="false",
        )
    env.setdefault("OMNITRIP_SANDBOX_SECRET", "bench-sandbox-" + secrets.token_hex(16))
    return env


def omnitrip(
    args: Sequence[str], env: dict[str, str], *, check: bool = True, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``omnitrip <args>``; output is captured (and shown if it fails)."""
    done = subprocess.run(
        [PY, "-m", "omnitrip.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if not quiet:
        sys.stdout.write(done.stdout)
    if check and done.returncode != 0:
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"omnitrip {' '.join(args)} exited {done.returncode}")
    return done


def task(name: str, env: dict[str, str], *args: str) -> Any:
    """Run a Django-side helper of :mod:`bench.tasks` and return what it printed (JSON)."""
    done = subprocess.run(
        [PY, "-m", "bench.tasks", name, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"bench.tasks {name} exited {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


class Server:
    """``omnitrip serve`` on 127.0.0.1:``port`` for the duration of a ``with`` block."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        *,
        workers: int | None = None,
        threads: int = 4,
        scheduler: bool = False,
        name: str = "server",
    ) -> None:
        self.env, self.port, self.threads = env, port, threads
        self.workers = workers or int(os.environ.get("BENCH_WORKERS", "0")) or None
        self.scheduler = scheduler
        self.log_path = LOGS / f"{name}-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        if not port_is_free(self.port):
            raise RuntimeError(f"port {self.port} is busy: stop whatever listens there first")
        LOGS.mkdir(parents=True, exist_ok=True)
        cmd = [PY, "-m", "omnitrip.cli", "serve", "--host", HOST, "--port", str(self.port)]
        cmd += ["--threads", str(self.threads)]
        if self.workers:
            cmd += ["--workers", str(self.workers)]
        if not self.scheduler:
            cmd.append("--no-scheduler")
        self.command = " ".join(["omnitrip", *cmd[3:]])
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                cmd, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/api/v1/products/bench-readiness-probe")
                conn.getresponse().read()
                conn.close()
                if len(self.worker_pids()) >= (self.workers or 1):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the arbiter (the scheduler is not one)."""
        assert self.process is not None
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master and b"scheduler" not in cmdline.split(b"\0"):
                pids.append(int(entry.name))
        return sorted(pids)

    def memory(self) -> list[dict[str, float]]:
        """RSS and PSS (MB) of each worker, from /proc."""
        out = []
        for pid in self.worker_pids():
            out.append({"pid": pid, "rss_mb": _proc_kb(pid, "status", "VmRSS") / 1024})
            out[-1]["pss_mb"] = _proc_kb(pid, "smaps_rollup", "Pss") / 1024
        return out

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _proc_kb(pid: int, file: str, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


# --- load generation --------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    finished: float  # monotonic time the answer arrived
    code: str = ""  # the problem's ``code`` for error answers


@dataclass
class Load:
    results: list[Result]
    started: float  # monotonic
    wall: float  # seconds

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts


def _problem_code(body: bytes) -> str:
    try:
        return str(json.loads(body).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def run_load(
    port: int,
    requests: Iterable[Req],
    *,
    clients: int,
    deadline: float | None = None,
    timeout: float = 60,
) -> Load:
    """Send ``requests`` with ``clients`` threads, each on its own keep-alive connection.

    Returns every answer, when the load started and its wall time. With ``deadline`` (monotonic), clients stop
    taking new requests once it passes. A client whose connection fails reconnects.
    """
    source: Iterator[Req] = iter(requests)
    lock = threading.Lock()
    results: list[Result] = []

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        mine: list[Result] = []
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                break
            with lock:
                req = next(source, None)
            if req is None:
                break
            headers = {"Host": f"{HOST}:{port}", **req.headers}
            if req.body is not None:
                headers.setdefault("Content-Type", "application/json")
            started = time.monotonic()
            try:
                conn.request(req.method, req.path, body=req.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                status, body = 0, b""
            finished = time.monotonic()
            code = _problem_code(body) if status >= 400 else ""
            mine.append(Result(status, finished - started, finished, code))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(results, started, time.monotonic() - started)


def cycle(items: Sequence[Req]) -> Iterator[Req]:
    while True:
        yield from items


# --- statistics -------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else float("nan"),
    }


def median_of(runs: Sequence[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def medians(runs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The median over runs of every numeric figure the runs share."""
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return {k: median_of(runs, k) for k in keys if all(k in r for r in runs)}


# --- the machine and the report ----------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = _meminfo_gib()
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{memory:.1f} GiB",
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def _meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def append_report(markdown: str) -> None:
    """Append a section to docs/benchmarks.md (created with its header if missing)."""
    if not REPORT.exists():
        REPORT.write_text(
            "# Benchmarks\n\nFigures from `make bench` and `make soak` (see `bench/README.md`). "
            "Each run appends a dated section; the newest is at the bottom.\n"
        )
    with REPORT.open("a") as out:
        out.write("\n" + markdown.rstrip() + "\n")


def fmt(value: float, digits: int = 1) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
