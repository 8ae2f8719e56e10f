"""``omnitrip check-ledger``: print the trial balance; exit non-zero if anything is off."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from omnitrip.core.money import Money
from omnitrip.ledger.queries import check_ledger, trial_balance


class Command(BaseCommand):
    help = (
        "Print the trial balance (debits and credits per accounting subject and currency) and "
        "check the ledger: every entry and currency balanced, cached balances equal to their "
        "lines, wallets and deposits not overdrawn, credit within limits. Exits 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print only problems")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = trial_balance()
        if not options["quiet"]:
            self.stdout.write(
                f"{'subject':<28} {'cur':<4} {'debit':>16} {'credit':>16} {'balance':>16}"
            )
            by_currency: dict[str, list[int]] = {}
            for row in rows:
                fmt = [
                    str(Money(v, row.currency).amount)
                    for v in (row.debit_minor, row.credit_minor, row.balance_minor)
                ]
                self.stdout.write(
                    f"{row.subject:<28} {row.currency:<4} {fmt[0]:>16} {fmt[1]:>16} {fmt[2]:>16}"
                )
                totals = by_currency.setdefault(row.currency, [0, 0])
                totals[0] += row.debit_minor
                totals[1] += row.credit_minor
            for currency, (debits, credits) in sorted(by_currency.items()):
                self.stdout.write(
                    f"{'TOTAL':<28} {currency:<4} {Money(debits, currency).amount!s:>16} "
                    f"{Money(credits, currency).amount!s:>16} {Money(debits - credits, currency).amount!s:>16}"
                )
        result = check_ledger()
        if result.is_ok:
            self.stdout.write(self.style.SUCCESS("ledger OK"))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        sys.exit(1)
