"""Thin Celery tasks over the order services (idempotent: safe to retry)."""

from celery import shared_task
from django.db import OperationalError

from omnitrip.core.errors import Conflict

from .services import lifecycle
from .services import payments as order_payments


@shared_task(name="omnitrip.orders.tasks.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    return lifecycle.expire_unpaid_orders()


@shared_task(name="omnitrip.orders.tasks.complete_delivered_orders")
def complete_delivered_orders() -> int:
    return lifecycle.complete_delivered_orders()


@shared_task(
    name="omnitrip.orders.tasks.process_payment_event",
    bind=True,
    acks_late=True,
    # A lock timeout or a dropped connection is retried; the event stays stored meanwhile.
    autoretry_for=(Conflict, OperationalError),
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=8,
)
def process_payment_event(self, event_id: int) -> str:
    return order_payments.process_payment_event(event_id)


@shared_task(name="omnitrip.orders.tasks.process_stale_notifications")
def process_stale_notifications() -> int:
    """Periodic: process stored notifications still waiting (a worker died or gave up)."""
    return order_payments.process_stale_notifications()
