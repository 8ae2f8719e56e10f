"""``omnitrip check-invariants``: verify inventory, orders, payments and the ledger."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from omnitrip.orders.invariants import check_all


class Command(BaseCommand):
    help = (
        "Verify on any database: held + sold <= capacity and held/sold equal the live/sold "
        "holds of every slot; every confirmed order fully captured and vouchered; no valid "
        "voucher on a cancelled order; no captured payment kept for an order that is not "
        "delivered; no units held by finished orders; the ledger balanced. Lists what is wrong "
        "and exits 1 if anything is."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for name, problems in check_all().items():
            if problems:
                failed = True
                self.stderr.write(f"{name}: {len(problems)} problem(s)")
                for problem in problems:
                    self.stderr.write(f"  - {problem}")
            else:
                self.stdout.write(f"{name}: OK")
        if failed:
            sys.exit(1)
