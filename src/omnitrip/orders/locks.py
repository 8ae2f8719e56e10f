from __future__ import annotations

from omnitrip.core.locking import lock_row

from .models import Order


def order_for_update(order_id: int, *, nowait: bool = False) -> Order:
    """Lock one order row. ``nowait`` turns a concurrent change into a 409 at once."""
    return lock_row(Order, order_id, nowait=nowait)
