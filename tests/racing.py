"""Running the same operation in many threads released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection


def race(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """Run ``attempt(n)`` in ``count`` threads released at once; each result or exception.

    Each thread closes its own database connection, so the test database can be dropped.
    """
    start = threading.Barrier(count, timeout=30)

    def run(number: int) -> Any:
        try:
            start.wait()
            return attempt(number)
        except Exception as error:  # every outcome is asserted on by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
