"""Concurrent refunds of one payment, on PostgreSQL with real parallel transactions."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection

from omnitrip.payments import services
from omnitrip.payments.errors import RefundTooLarge
from omnitrip.payments.models import Payment, Refund

from .factories import captured_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
CAPTURED = 10_000
SIXTY_PERCENT = 6_000


def refund_in_parallel(payment: Payment) -> Counter[str]:
    """Every thread asks for 60% of the payment at the same moment, each with its own key."""
    start = threading.Barrier(THREADS, timeout=30)
    outcomes: Counter[str] = Counter()
    guard = threading.Lock()

    def attempt(number: int) -> None:
        try:
            start.wait()
            try:
                services.request_refund(
                    Payment.objects.get(pk=payment.pk),
                    SIXTY_PERCENT,
                    reason="parallel",
                    idempotency_key=f"parallel-{number}",
                )
                outcome = "refunded"
            except RefundTooLarge as error:
                outcome = error.code
            except IntegrityError:
                outcome = "integrity_error"
            with guard:
                outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_refunds_never_exceed_the_captured_amount(require_postgres):
    payment = captured_payment(total_minor=CAPTURED)

    outcomes = refund_in_parallel(payment)

    assert outcomes == Counter({"refunded": 1, "refund_exceeds_captured": THREADS - 1})
    assert Payment.objects.get(pk=payment.pk).refunded_minor == SIXTY_PERCENT
    assert list(Refund.objects.values_list("amount_minor", "status")) == [
        (SIXTY_PERCENT, "succeeded")
    ]


def test_control_without_the_row_lock_every_thread_passes_the_check(require_postgres, monkeypatch):
    """Turn the lock off: all eight read "nothing refunded yet" and go on to write.

    Only the database's CheckConstraint then stops the over-refund, with a raw integrity
    error instead of a clean refusal: the lock is what makes the check itself safe.
    """
    payment = captured_payment(total_minor=CAPTURED)
    everyone_has_read = threading.Barrier(THREADS, timeout=30)

    def read_without_locking(model, pk, *, nowait=False):
        row = model._default_manager.get(pk=pk)
        if model is Payment:
            everyone_has_read.wait()  # nobody writes until all have checked the old balance
        return row

    monkeypatch.setattr(services, "lock_row", read_without_locking)

    outcomes = refund_in_parallel(payment)

    assert outcomes == Counter({"refunded": 1, "integrity_error": THREADS - 1})
    assert Payment.objects.get(pk=payment.pk).refunded_minor == SIXTY_PERCENT
    assert list(Refund.objects.values_list("amount_minor", "status")) == [
        (SIXTY_PERCENT, "succeeded")
    ]
