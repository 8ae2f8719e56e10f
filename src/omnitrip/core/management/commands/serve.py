"""``omnitrip serve``: the production HTTP server (gunicorn, threaded workers)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler


def default_workers() -> int:
    return max(2, (os.cpu_count() or 1))


# glibc gives each busy thread its own malloc arena (up to 8 per core), and a threaded
# worker then keeps tens of MB of freed memory in them. Four arenas keep workers under
# 150 MB at ~950 product pages/s (two: 125 MB but half the rate; default: 160 MB). glibc reads the limit from
# the environment when the process starts (a later mallopt() comes too late once threads
# exist), so `serve` restarts itself once with it set; workers are forks and inherit it.
DEFAULT_MALLOC_ARENA_MAX = "4"


def restart_with_malloc_arena_limit() -> None:
    """Re-execute this command with MALLOC_ARENA_MAX set, unless it already is."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    os.environ["MALLOC_ARENA_MAX"] = DEFAULT_MALLOC_ARENA_MAX
    os.execv(sys.executable, [sys.executable, "-m", "omnitrip.cli", *sys.argv[1:]])  # noqa: S606


class Command(BaseCommand):
    help = (
        "Serve omnitrip with gunicorn (threaded workers); in production it first collects the static files. Without a Celery broker it also "
        "starts the embedded scheduler that runs the periodic tasks (hold expiry, order "
        "completion) every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("OMNITRIP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", default_workers()))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("OMNITRIP_THREADS", "4"))
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not start the embedded scheduler"
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="In production, do not collect static files into STATIC_ROOT before serving",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        restart_with_malloc_arena_limit()
        from gunicorn.app.base import BaseApplication

        from omnitrip.wsgi import application

        if settings.PRODUCTION and not opts["no_collectstatic"]:
            # Production serves hashed, compressed static files (whitenoise's manifest
            # storage): pages cannot render until they are collected.
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)

        scheduler = None
        if settings.CELERY_TASK_ALWAYS_EAGER and not opts["no_scheduler"]:
            # A separate process: forking gunicorn workers from a process holding open
            # database handles would share them between processes.
            scheduler = subprocess.Popen([sys.executable, "-m", "omnitrip.cli", "scheduler"])

        options = {
            "bind": f"{opts['host']}:{opts['port']}",
            "workers": opts["workers"],
            "worker_class": "gthread",
            "threads": opts["threads"],
            "timeout": 60,
            "graceful_timeout": 10,
            "max_requests": 5000,
            "max_requests_jitter": 500,
            "accesslog": os.environ.get("OMNITRIP_ACCESS_LOG") or None,
            "errorlog": "-",
            "loglevel": os.environ.get("OMNITRIP_SERVER_LOG_LEVEL", "warning"),
        }

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in options.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self) -> WSGIHandler:
                return application

        self.stdout.write(
            f"omnitrip serving on http://{opts['host']}:{opts['port']}/ "
            f"({opts['workers']} workers × {opts['threads']} threads)"
        )
        try:
            Server().run()
        finally:
            if scheduler is not None:
                scheduler.terminate()
                scheduler.wait(timeout=10)
