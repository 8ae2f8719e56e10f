"""One path for every status change: lock, re-read, treat 'already there' as success.

Domain apps declare ``TRANSITIONS = {from_status: {to_status, ...}}`` in ``states.py`` and
call :func:`transition` from their services, inside ``transaction.atomic()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models

from .errors import IllegalTransition
from .locking import lock_row

M = TypeVar("M", bound=models.Model)


def transition(
    obj: M,
    to: str,
    *,
    table: Mapping[str, set[str]],
    field: str = "status",
    record: Callable[[M, str, str], Any] | None = None,
    nowait: bool = False,
) -> tuple[M, bool]:
    """Move ``obj`` to status ``to``; returns ``(fresh_obj, changed)``.

    Must run inside ``transaction.atomic()``. Locks the row and re-reads it, so a racing
    caller sees the committed status. If the row is already in ``to`` nothing happens and
    ``changed`` is False (retries and duplicate webhooks are harmless). An illegal move
    raises :class:`IllegalTransition`. ``record(obj, from, to)`` writes the audit event in
    the same transaction.
    """
    fresh = lock_row(type(obj), obj.pk, nowait=nowait)
    current = getattr(fresh, field)
    if current == to:
        return fresh, False
    if to not in table.get(current, set()):
        raise IllegalTransition(
            f"{type(obj).__name__} cannot go from {current} to {to}", current=current, to=to
        )
    setattr(fresh, field, to)
    fresh.save(update_fields=[field, *(["updated_at"] if hasattr(fresh, "updated_at") else [])])
    if record is not None:
        record(fresh, current, to)
    return fresh, True
