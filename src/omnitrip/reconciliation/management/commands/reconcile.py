"""``omnitrip reconcile``: import a provider's settlement file and compare it with ours."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnitrip.core.errors import DomainError
from omnitrip.reconciliation.queries import file_digest, previous_run
from omnitrip.reconciliation.reports import report_csv
from omnitrip.reconciliation.services import reconcile_file
from omnitrip.reconciliation.states import Outcome

EXIT_DISCREPANCIES = 1
EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import PROVIDER's settlement (bill) FILE and compare it with our captured payments "
        "and succeeded refunds of that provider family (alipay and alipay_wap share one "
        "bill): prints the run and its counts per outcome, and writes the item list as CSV "
        "with --csv. Importing the same file again shows the first run. The period "
        "defaults to the first and last dates in the file. Exit status: 0 when every item "
        "matched, 1 when anything did not, 2 when the file or the arguments were refused "
        "(nothing stored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="Provider name, e.g. sandbox, alipay, stripe")
        parser.add_argument("file", type=Path, help="The settlement file as downloaded")
        parser.add_argument(
            "--period-start",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="First day the file covers (default: its earliest date)",
        )
        parser.add_argument(
            "--period-end",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Last day the file covers, inclusive (default: its latest date)",
        )
        parser.add_argument(
            "--csv",
            type=Path,
            metavar="OUT",
            help="Write the report (one row per item) to OUT; '-' for standard output",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}", returncode=EXIT_REFUSED) from exc
        already = previous_run(options["provider"], file_digest(content))
        try:
            run = reconcile_file(
                options["provider"],
                content,
                file_name=path.name,
                period_start=options["period_start"],
                period_end=options["period_end"],
            )
        except DomainError as exc:
            raise CommandError(exc.detail, returncode=EXIT_REFUSED) from exc
        report = report_csv(run)
        out: Path | None = options["csv"]
        if out is not None and str(out) == "-":
            self.stdout.write(report.decode(), ending="")
            # The summary goes to standard error so the CSV stays clean.
            summary = self.stderr
        else:
            if out is not None:
                out.write_bytes(report)
            summary = self.stdout
        if already is not None:
            summary.write(f"This file was imported before, on {run.created_at:%Y-%m-%d %H:%M} UTC.")
        summary.write(
            f"run {run.code}: {run.provider} {run.period_start}..{run.period_end}, "
            f"{run.line_count} lines in {run.file_name}"
        )
        for outcome in Outcome:
            summary.write(f"{outcome.value:<18} {run.count(outcome.value):>7}")
        summary.write(f"status {run.status}")
        if run.discrepancy_count:
            sys.exit(EXIT_DISCREPANCIES)
