"""Simultaneous redemptions of one voucher on PostgreSQL, with real threads and connections."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from omnitrip.core.errors import DomainError
from omnitrip.fulfilment import services
from omnitrip.fulfilment.models import Voucher, VoucherStatus
from omnitrip.orders.models import OrderEvent

from . import factories

THREADS = 16

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def redeem_from_threads(voucher: Voucher, barrier: threading.Barrier) -> Counter[str]:
    """Run ``THREADS`` redemptions of ``voucher`` at once; count the outcomes by error code."""
    supplier = voucher.order_item.product.supplier
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def attempt(number: int) -> None:
        try:
            barrier.wait()
            services.redeem_voucher(supplier, voucher.code, actor=f"scanner:{number}")
            outcome = "redeemed"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # a crash must show up in the counts, not vanish with the thread
            outcome = f"crashed: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def wait_after_reading(barrier: threading.Barrier, write: Callable) -> Callable:
    """Make every thread pass the status check before any of them writes."""

    def delayed(voucher, organisation, now):
        barrier.wait()
        return write(voucher, organisation, now)

    return delayed


def test_sixteen_simultaneous_redemptions_of_one_voucher_succeed_exactly_once(require_postgres):
    voucher = factories.issued_voucher()

    outcomes = redeem_from_threads(voucher, threading.Barrier(THREADS, timeout=30))

    assert outcomes == Counter({"redeemed": 1, "voucher_already_redeemed": THREADS - 1})
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.REDEEMED
    assert OrderEvent.objects.filter(kind="voucher_redeemed").count() == 1


def test_guarded_update_alone_stops_redemptions_that_all_saw_the_voucher_issued(
    require_postgres, monkeypatch
):
    voucher = factories.issued_voucher()
    # All sixteen read "issued" and only then write: the status check in Python is of
    # no help here; the condition in the UPDATE has to do all the work.
    monkeypatch.setattr(
        services,
        "_mark_redeemed",
        wait_after_reading(threading.Barrier(THREADS, timeout=30), services._mark_redeemed),
    )

    outcomes = redeem_from_threads(voucher, threading.Barrier(THREADS, timeout=30))

    assert outcomes == Counter({"redeemed": 1, "voucher_already_redeemed": THREADS - 1})
    assert OrderEvent.objects.filter(kind="voucher_redeemed").count() == 1


def test_control_without_the_guard_the_same_voucher_is_redeemed_many_times(
    require_postgres, monkeypatch
):
    voucher = factories.issued_voucher()

    def unguarded(voucher, organisation, now):
        # The check-then-write this service must not do: update whatever the status is.
        Voucher.objects.filter(pk=voucher.pk).update(
            status=VoucherStatus.REDEEMED, redeemed_at=now, redeemed_by=organisation
        )
        return True

    monkeypatch.setattr(
        services,
        "_mark_redeemed",
        wait_after_reading(threading.Barrier(THREADS, timeout=30), unguarded),
    )

    outcomes = redeem_from_threads(voucher, threading.Barrier(THREADS, timeout=30))

    assert outcomes == Counter({"redeemed": THREADS})
    assert OrderEvent.objects.filter(kind="voucher_redeemed").count() == THREADS
