"""``omnitrip scheduler``: run the periodic tasks in-process when no Celery beat runs."""

from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

log = logging.getLogger("omnitrip.scheduler")


class Command(BaseCommand):
    help = (
        "Run CELERY_BEAT_SCHEDULE's tasks on their intervals in this process (embedded mode). "
        "With a broker, run `omnitrip worker --beat` instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every task once and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        from omnitrip.celery import app

        app.loader.import_default_modules()  # autodiscovery is lazy; the loop needs the tasks now
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        schedule = {
            name: (entry["task"], entry["schedule"].total_seconds())
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        due = dict.fromkeys(schedule, 0.0)
        while not stop.is_set():
            now = time.monotonic()
            for name, (task, every) in schedule.items():
                if now >= due[name]:
                    due[name] = now + every
                    try:
                        result = app.tasks[task].apply().get(propagate=True)
                        if result:
                            log.info("%s: %s", name, result)
                    except Exception:  # keep the loop alive; the next run retries
                        log.exception("periodic task %s failed", name)
                    finally:
                        close_old_connections()
            if opts["once"]:
                return
            stop.wait(5)
