"""Builders for reconciliation tests: our rows at fixed times, and sandbox bills to edit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import count
from typing import Any

from django.contrib.auth.models import Permission

from omnitrip.accounts.models import User
from omnitrip.accounts.tests.factories import with_totp
from omnitrip.core.ids import public_code
from omnitrip.payments.models import Payment, Refund
from omnitrip.payments.states import PaymentStatus, RefundStatus
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_sandbox.provider import SETTLEMENT_COLUMNS, sandbox_settlement_csv

# The sandbox plug-in writes the bills these tests read. Domain packages (tests included)
# may not import plug-ins (import-linter contract in pyproject.toml), so it is loaded the
# way Django loads it, by name; the reconciliation code itself only sees the registry.

#: The day most tests reconcile, and a time well inside it (UTC).
DAY = dt.date(2026, 3, 1)
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

_refund_keys = count(1)
_users = count(1)


def paid(
    *,
    amount_minor: int = 10_000,
    currency: str = "CNY",
    provider: str = "sandbox",
    status: str = PaymentStatus.CAPTURED,
    at: dt.datetime = NOON,
) -> Payment:
    """A payment in ``status``; captured (or last changed) at ``at``."""
    payment = payment_for(
        order_to_pay(total_minor=amount_minor, currency=currency),
        provider=provider,
        status=status,
    )
    captured_at = at if status == PaymentStatus.CAPTURED else None
    # update(): auto_now would otherwise stamp the real clock on updated_at.
    Payment.objects.filter(pk=payment.pk).update(captured_at=captured_at, updated_at=at)
    return Payment.objects.get(pk=payment.pk)


def refunded(
    payment: Payment,
    *,
    amount_minor: int = 2_500,
    status: str = RefundStatus.SUCCEEDED,
    destination: str = Refund.Destination.ORIGINAL,
    at: dt.datetime = NOON,
) -> Refund:
    """A refund of ``payment`` in ``status``, last changed at ``at``."""
    refund = Refund.objects.create(
        code=public_code("RF", 12),
        payment=payment,
        amount_minor=amount_minor,
        currency=payment.currency,
        status=status,
        destination=destination,
        idempotency_key=f"test-refund-{next(_refund_keys)}",
    )
    Payment.objects.filter(pk=payment.pk).update(refunded_minor=amount_minor)
    Refund.objects.filter(pk=refund.pk).update(updated_at=at)
    return Refund.objects.select_related("payment").get(pk=refund.pk)


def bill(payments: list[Payment], refunds: list[Refund] | None = None) -> bytes:
    """The sandbox bill the sandbox would send for exactly these rows."""
    return bytes(sandbox_settlement_csv(payments, refunds or []))


def bill_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def bill_from_rows(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=SETTLEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def edit_line(content: bytes, reference: str, **changes: str) -> bytes:
    """``content`` with the line of payment or refund ``reference`` changed."""
    rows = bill_rows(content)
    hits = [row for row in rows if reference in (row["payment"], row["refund"])]
    assert hits, f"no line for {reference}"
    target = next((row for row in hits if row["refund"] == reference), hits[0])
    target.update(changes)
    return bill_from_rows(rows)


def add_line(content: bytes, **fields: str) -> bytes:
    row = {
        "date": NOON.isoformat(),
        "type": "payment",
        "payment": "",
        "refund": "",
        "transaction_id": "sbx_extra",
        "amount": "1.00",
        "currency": "CNY",
        "fee": "0.00",
    }
    row.update(fields)
    return bill_from_rows([*bill_rows(content), row])


def staff_user(*permissions: str, is_staff: bool = True, **extra: Any) -> User:
    """A user (staff by default) holding ``permissions`` (codenames of this app)."""
    number = next(_users)
    user = User.objects.create_user(
        username=f"clerk{number}",
        email=f"clerk{number}@example.com",
        password="not-used",
        is_staff=is_staff,
        **extra,
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="reconciliation", codename__in=permissions
        )
    )
    if is_staff:
        with_totp(user)  # staff reach /admin/ only with two-factor set up
    return user
