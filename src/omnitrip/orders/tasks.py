"""Thin Celery tasks over the order services (idempotent: safe to retry)."""

from celery import shared_task

from .services import lifecycle
from .services import payments as order_payments


@shared_task(name="omnitrip.orders.tasks.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    return lifecycle.expire_unpaid_orders()


@shared_task(name="omnitrip.orders.tasks.complete_delivered_orders")
def complete_delivered_orders() -> int:
    return lifecycle.complete_delivered_orders()


@shared_task(
    name="omnitrip.orders.tasks.process_payment_event", bind=True, max_retries=5, acks_late=True
)
def process_payment_event(self, event_id: int) -> str:
    return order_payments.process_payment_event(event_id)
