"""Payment builders for tests: an order row to pay, and payments in each state."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.utils import timezone

from omnitrip.core.ids import public_code
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment
from omnitrip.payments.states import PaymentStatus

_keys = count(1)


def order_to_pay(*, total_minor: int = 128_000, currency: str = "CNY") -> Order:
    """An order row awaiting payment; payments need nothing else from the order app."""
    return Order.objects.create(
        code=public_code("OT", 10),
        currency=currency,
        total_minor=total_minor,
        access_digest="0" * 64,
        hold_expires_at=timezone.now() + dt.timedelta(minutes=15),
        contact_name="Li Wei",
        contact_email="li.wei@example.com",
    )


def payment_for(
    order: Order | None = None,
    *,
    provider: str = "sandbox",
    status: str = PaymentStatus.CREATED,
    external_id: str = "",
) -> Payment:
    """A payment row written directly (no service), in ``status``."""
    order = order or order_to_pay()
    return Payment.objects.create(
        code=public_code("PAY", 12),
        order=order,
        provider=provider,
        status=status,
        amount_minor=order.total_minor,
        currency=order.currency,
        idempotency_key=f"test-key-{next(_keys)}",
        external_id=external_id,
        captured_at=timezone.now() if status == PaymentStatus.CAPTURED else None,
    )


def captured_payment(
    *, total_minor: int = 10_000, currency: str = "CNY", external_id: str = ""
) -> Payment:
    return payment_for(
        order_to_pay(total_minor=total_minor, currency=currency),
        status=PaymentStatus.CAPTURED,
        external_id=external_id,
    )
