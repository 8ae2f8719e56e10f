"""Append-only order events, written in the same transaction as the change they record."""

from __future__ import annotations

from typing import Any

from .models import Order, OrderEvent


def record(
    order: Order,
    kind: str,
    *,
    actor: str,
    reason: str = "",
    from_status: str = "",
    to_status: str = "",
    **data: Any,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        reason=reason[:300],
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def status_recorder(actor: str, reason: str = "", **data: Any):
    """A ``record`` callback for :func:`omnitrip.core.states.transition`."""

    def _record(order: Order, old: str, new: str) -> None:
        record(
            order,
            "status_changed",
            actor=actor,
            reason=reason,
            from_status=old,
            to_status=new,
            **data,
        )

    return _record
