"""``omnitrip payout_report``: what each supplier earned in a period, as CSV."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnitrip.core.money import Money
from omnitrip.ledger.queries import supplier_payouts


class Command(BaseCommand):
    help = (
        "Supplier payout report for a month (--period YYYY-MM) or a date range "
        "(--start/--end, end exclusive): net amounts earned from confirmed orders, amounts "
        "taken back by refunds, and the net payable, per supplier and currency, as CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="A month, e.g. 2026-11")
        parser.add_argument("--start", type=dt.date.fromisoformat)
        parser.add_argument("--end", type=dt.date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["period"]:
            try:
                start = dt.date.fromisoformat(options["period"] + "-01")
            except ValueError as exc:
                raise CommandError("--period is YYYY-MM") from exc
            end = (start + dt.timedelta(days=32)).replace(day=1)
        elif options["start"] and options["end"]:
            start, end = options["start"], options["end"]
        else:
            raise CommandError("Give --period YYYY-MM or --start and --end")
        writer = csv.writer(self.stdout)
        writer.writerow(["supplier", "name", "currency", "earned", "reversed", "net_payable"])
        for row in supplier_payouts(start, end):
            writer.writerow(
                [
                    row.supplier_code,
                    row.supplier_name,
                    row.currency,
                    Money(row.earned_minor, row.currency).amount,
                    Money(row.reversed_minor, row.currency).amount,
                    Money(row.net_minor, row.currency).amount,
                ]
            )
