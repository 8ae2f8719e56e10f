"""``omnitrip demo``: migrate, load the demo catalogue once, and serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from .serve import restart_with_malloc_arena_limit


class Command(BaseCommand):
    help = (
        "Migrate the database, load the demo catalogue if it is not there yet (running it "
        "again keeps the data), and serve the platform (API at /api/v1/, docs at /api/v1/docs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        restart_with_malloc_arena_limit()  # before any work: the server inherits it
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", demo=True)
        if opts["no_serve"]:
            return
        base = f"http://{opts['host']}:{opts['port']}"
        self.stdout.write(
            f"API docs:  {base}/api/v1/docs\nOpenAPI:   {base}/api/v1/openapi.json\n"
            f"Products:  {base}/api/v1/products?destination=cn"
        )
        call_command("serve", host=opts["host"], port=opts["port"])
