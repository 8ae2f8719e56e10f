"""Refunds: reserved under the payment's lock, executed after commit, idempotent."""

from __future__ import annotations

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments import services
from omnitrip.payments.errors import ProviderError, RefundTooLarge
from omnitrip.payments.models import Payment, PaymentEvent, Refund
from omnitrip.payments.providers import PaymentProvider, RefundResult, StartResult, registry
from omnitrip.payments.states import PaymentStatus, RefundStatus

from .factories import captured_payment, payment_for

pytestmark = pytest.mark.django_db


def refunded_minor(payment: Payment) -> int:
    return Payment.objects.get(pk=payment.pk).refunded_minor


def test_partial_refunds_may_add_up_to_exactly_the_captured_amount():
    payment = captured_payment(total_minor=10_000)

    for number, amount in enumerate([3_000, 3_000, 4_000]):
        services.request_refund(
            payment, amount, reason="changed plans", idempotency_key=f"r{number}"
        )

    assert refunded_minor(payment) == 10_000
    assert payment.refunded_minor == 10_000
    assert list(Refund.objects.order_by("pk").values_list("amount_minor", "status")) == [
        (3_000, "pending"),
        (3_000, "pending"),
        (4_000, "pending"),
    ]


def test_one_cent_more_than_the_captured_amount_is_refused_and_changes_nothing():
    payment = captured_payment(total_minor=10_000)
    services.request_refund(payment, 9_999, reason="most of it", idempotency_key="r1")

    with pytest.raises(RefundTooLarge) as caught:
        services.request_refund(payment, 2, reason="too much", idempotency_key="r2")

    assert caught.value.code == "refund_exceeds_captured"
    assert caught.value.status == 409
    assert refunded_minor(payment) == 9_999
    assert Refund.objects.count() == 1
    assert list(PaymentEvent.objects.values_list("kind", flat=True)) == ["refund_requested"]


def test_the_last_cent_can_still_be_refunded():
    payment = captured_payment(total_minor=10_000)
    services.request_refund(payment, 9_999, reason="most of it", idempotency_key="r1")

    services.request_refund(payment, 1, reason="the rest", idempotency_key="r2")

    assert refunded_minor(payment) == 10_000


@pytest.mark.parametrize(
    "status", [PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.FAILED]
)
def test_a_payment_that_was_never_captured_cannot_be_refunded(status):
    payment = payment_for(status=status)

    with pytest.raises(RefundTooLarge):
        services.request_refund(payment, 1, reason="", idempotency_key="r1")

    assert refunded_minor(payment) == 0
    assert Refund.objects.count() == 0


@pytest.mark.parametrize("amount", [0, -1, True])
def test_a_refund_must_be_a_positive_whole_amount(amount):
    payment = captured_payment(total_minor=10_000)

    with pytest.raises(InvalidInput):
        services.request_refund(payment, amount, reason="", idempotency_key="r1")

    assert refunded_minor(payment) == 0
    assert Refund.objects.count() == 0


def test_request_refund_twice_with_the_same_key_reserves_once():
    payment = captured_payment(total_minor=10_000)

    first = services.request_refund(payment, 10_000, reason="all", idempotency_key="r1")
    # Nothing is left to refund, but a retry of the same request is still answered.
    second = services.request_refund(payment, 10_000, reason="all", idempotency_key="r1")

    assert second.pk == first.pk
    assert refunded_minor(payment) == 10_000
    assert Refund.objects.count() == 1


def test_an_idempotency_key_cannot_be_reused_for_a_different_refund():
    payment = captured_payment(total_minor=10_000)
    services.request_refund(payment, 1_000, reason="", idempotency_key="r1")

    with pytest.raises(InvalidInput):
        services.request_refund(payment, 2_000, reason="", idempotency_key="r1")

    assert refunded_minor(payment) == 1_000
    assert Refund.objects.count() == 1


def test_request_refund_records_the_reservation_and_codes_the_refund():
    payment = captured_payment(total_minor=10_000)

    refund = services.request_refund(payment, 2_500, reason="one night less", idempotency_key="r1")

    assert refund.code.startswith("RF-")
    assert len(refund.code) == len("RF-") + 12
    assert (refund.amount_minor, refund.currency, refund.status) == (2_500, "CNY", "pending")
    event = PaymentEvent.objects.get(payment=payment)
    assert (event.kind, event.amount_minor) == ("refund_requested", 2_500)
    assert event.data == {"refund": refund.code, "reason": "one night less"}


def test_after_commit_the_refund_is_sent_to_the_provider_and_succeeds(
    django_capture_on_commit_callbacks,
):
    payment = captured_payment(total_minor=10_000)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refund = services.request_refund(payment, 2_500, reason="", idempotency_key="r1")

    assert len(callbacks) == 1
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.SUCCEEDED, 1)
    assert refund.external_id == f"sbx_rf_{refund.code}"
    assert refunded_minor(payment) == 2_500
    assert list(PaymentEvent.objects.values_list("kind", "amount_minor")) == [
        ("refund_requested", 2_500),
        ("refund_succeeded", 2_500),
    ]


def test_nothing_is_sent_to_the_provider_before_commit():
    payment = captured_payment(total_minor=10_000)

    refund = services.request_refund(payment, 2_500, reason="", idempotency_key="r1")

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 0)


def test_a_refund_the_provider_refuses_stays_failed_and_reserved(
    django_capture_on_commit_callbacks,
):
    payment = captured_payment(total_minor=10_000)

    with django_capture_on_commit_callbacks(execute=True):
        refund = services.request_refund(
            payment, 4_000, reason="sandbox-fail-refund", idempotency_key="r1"
        )

    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.external_id) == (RefundStatus.FAILED, 1, "")
    # The money is still owed: the amount stays reserved until a retry succeeds.
    assert refunded_minor(payment) == 4_000
    failed = PaymentEvent.objects.get(kind="refund_failed")
    assert failed.data["refund_to"] == "failed"


def test_a_failed_refund_is_sent_again_by_execute_refund(django_capture_on_commit_callbacks):
    payment = captured_payment(total_minor=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.request_refund(
            payment, 4_000, reason="sandbox-fail-refund", idempotency_key="r1"
        )
    Refund.objects.filter(pk=refund.pk).update(reason="operator fixed the account")

    retried = services.execute_refund(refund.pk)

    assert (retried.status, retried.attempts) == (RefundStatus.SUCCEEDED, 2)
    assert refunded_minor(payment) == 4_000
    assert list(PaymentEvent.objects.values_list("kind", flat=True)) == [
        "refund_requested",
        "refund_failed",
        "refund_retried",
        "refund_succeeded",
    ]


def test_a_succeeded_refund_is_never_sent_again(django_capture_on_commit_callbacks, monkeypatch):
    payment = captured_payment(total_minor=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.request_refund(payment, 1_000, reason="", idempotency_key="r1")
    provider = registry.get_provider("sandbox")
    sent: list[str] = []
    monkeypatch.setattr(provider, "refund", lambda p, r: sent.append(r.code))

    again = services.execute_refund(refund.pk)

    assert sent == []
    assert (again.status, again.attempts) == (RefundStatus.SUCCEEDED, 1)


class UnreachableProvider(PaymentProvider):
    name = "unreachable"

    def start(self, payment, *, return_url):
        return StartResult()

    def verify_notification(self, body, headers):
        raise NotImplementedError

    def refund(self, payment, refund):
        raise ProviderError("connection refused")


def test_an_unreachable_provider_leaves_the_refund_pending_for_a_retry(monkeypatch):
    monkeypatch.setitem(registry._providers, "unreachable", UnreachableProvider())
    payment = captured_payment(total_minor=10_000)
    Payment.objects.filter(pk=payment.pk).update(provider="unreachable")
    refund = services.request_refund(payment, 1_000, reason="", idempotency_key="r1")

    with pytest.raises(ProviderError):
        services.execute_refund(refund.pk)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 1)
    assert refunded_minor(payment) == 1_000
    assert PaymentEvent.objects.filter(kind="refund_error").count() == 1


def test_the_refund_task_runs_execute_refund(django_capture_on_commit_callbacks):
    from omnitrip.payments.tasks import execute_refund_task

    payment = captured_payment(total_minor=10_000)
    refund = services.request_refund(payment, 1_000, reason="", idempotency_key="r1")

    result = execute_refund_task.apply(args=[refund.pk])

    assert result.get() == "succeeded"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED


def test_refund_provider_result_pending_keeps_the_refund_pending(monkeypatch):
    payment = captured_payment(total_minor=10_000)
    refund = services.request_refund(payment, 1_000, reason="", idempotency_key="r1")
    provider = registry.get_provider("sandbox")
    monkeypatch.setattr(
        provider, "refund", lambda p, r: RefundResult(status="pending", external_id="vendor-7")
    )

    result = services.execute_refund(refund.pk)

    assert (result.status, result.attempts, result.external_id) == ("pending", 1, "vendor-7")


def test_the_refund_task_retries_an_unreachable_provider_five_times_then_leaves_it_pending(
    monkeypatch,
):
    from omnitrip.payments.tasks import execute_refund_task

    monkeypatch.setitem(registry._providers, "unreachable", UnreachableProvider())
    payment = captured_payment(total_minor=10_000)
    Payment.objects.filter(pk=payment.pk).update(provider="unreachable")
    refund = services.request_refund(payment, 1_000, reason="", idempotency_key="r1")

    result = execute_refund_task.apply(args=[refund.pk])

    assert result.state == "FAILURE"
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 6)
    assert refunded_minor(payment) == 1_000
