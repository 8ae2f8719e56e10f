"""Talking to a real `omnitrip serve` over loopback: start it, wait for it, call it as JSON."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVE = (sys.executable, "-m", "omnitrip.cli", "serve", "--host", "127.0.0.1")


def http_json(
    method: str, url: str, body: dict | None = None, headers: dict | None = None
) -> tuple[int, dict]:
    """``(status, parsed body)``; error answers are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw.decode(errors="replace")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def omnitrip(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "omnitrip.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_until_serving(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        try:  # pause between attempts by waiting on the server itself: it may have died
            server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
    pytest.fail(f"the server did not answer within 30 s:\n{log.read_text()}")


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`omnitrip serve` as `make demo` runs it (two workers of four threads, no scheduler)
    on a free loopback port; yields its base URL once it answers, stops it afterwards."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [*SERVE, "--port", str(port), "--workers", "2", "--threads", "4", "--no-scheduler"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
