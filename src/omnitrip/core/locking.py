"""Row locks that work the same on PostgreSQL and SQLite.

PostgreSQL: ``SELECT … FOR UPDATE`` (optionally ``NOWAIT``) with a short ``lock_timeout``
so a stuck peer turns into a quick 409 instead of a hung request.
SQLite: the database runs transactions as ``BEGIN IMMEDIATE`` (see settings), so the
writer already holds the database's single write lock; ``FOR UPDATE`` is a no-op there
and other writers queue behind the busy timeout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models, transaction

from .errors import Conflict, NotFound

M = TypeVar("M", bound=models.Model)

LOCK_TIMEOUT_MS = 3000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def set_lock_timeout(ms: int = LOCK_TIMEOUT_MS) -> None:
    """Bound how long this transaction waits for row locks (PostgreSQL only)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(ms)}ms"])


def lock_row(model: type[M], pk: Any, *, nowait: bool = False) -> M:
    """Lock and re-read one row; ``nowait`` turns a held lock into :class:`Conflict`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_row needs an open transaction")
    try:
        return model._default_manager.select_for_update(nowait=nowait).get(pk=pk)
    # The django-stubs plugin only adds ``DoesNotExist`` to concrete models, not to the
    # ``type[M]`` bound; at run time every concrete model has it.
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise NotFound(f"{model.__name__} not found") from exc
    except DatabaseError as exc:  # NOWAIT or lock_timeout on PostgreSQL
        raise Conflict("This record is being changed by another request") from exc


def lock_rows(queryset: models.QuerySet[M], *, nowait: bool = False) -> list[M]:
    """Lock several rows in primary-key order (a global order prevents deadlocks)."""
    try:
        return list(queryset.select_for_update(nowait=nowait).order_by("pk"))
    except DatabaseError as exc:
        raise Conflict("These records are being changed by another request") from exc


def ids_sorted(ids: Iterable[int]) -> list[int]:
    return sorted(set(ids))
