"""Payment background work: thin, idempotent wrappers around the services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import services
from .errors import ProviderError


# celery ships no type hints, so mypy --strict calls the decorator untyped
@shared_task(  # type: ignore[untyped-decorator]
    bind=True, max_retries=5, autoretry_for=(ProviderError,), retry_backoff=True
)
def execute_refund_task(self: Any, refund_id: int) -> str:
    """Send one refund to its provider; retried with back-off while the provider is down.

    Safe to run twice: a succeeded refund is not sent again (see ``execute_refund``).
    """
    return services.execute_refund(refund_id).status


@shared_task(name="omnitrip.payments.tasks.retry_unfinished_refunds")  # type: ignore[untyped-decorator]
def retry_unfinished_refunds() -> int:
    """Periodic: send again refunds still pending or failed after a while.

    A vendor that answered "processing" is asked again (the same refund code returns its
    current status), and one that was unreachable gets another try. Returns how many
    were sent.
    """
    return services.retry_unfinished_refunds()
