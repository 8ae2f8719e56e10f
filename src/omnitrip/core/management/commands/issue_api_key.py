"""``omnitrip issue_api_key``: create an API key for an organisation (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Issue an API key for an organisation. The secret is printed once; "
        "only its SHA-256 is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="Organisation code")
        parser.add_argument("--scope", choices=["supplier", "partner"], default="supplier")
        parser.add_argument("--name", default="default")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.apps import apps

        organisation_model = apps.get_model("accounts", "Organisation")
        api_key_model = apps.get_model("accounts", "ApiKey")
        organisation = organisation_model.objects.filter(code=opts["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {opts['organisation']!r}")
        _, secret = api_key_model.issue(organisation, opts["scope"], opts["name"])
        self.stdout.write(secret)
