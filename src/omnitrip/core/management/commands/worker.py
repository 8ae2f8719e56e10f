"""``omnitrip worker``: a Celery worker (and optionally the beat scheduler)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker on CELERY_BROKER_URL; --beat also runs the periodic task scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--beat",
            action="store_true",
            help="Embed the beat scheduler (run it in one worker only)",
        )
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="info")
        parser.add_argument("--queues", default="celery")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        from omnitrip.celery import app

        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "Set CELERY_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672// or "
                "redis://127.0.0.1:6379/1); without it tasks already run in-process."
            )
        argv = [
            "worker",
            f"--concurrency={opts['concurrency']}",
            f"--loglevel={opts['loglevel']}",
            f"--queues={opts['queues']}",
        ]
        if opts["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
