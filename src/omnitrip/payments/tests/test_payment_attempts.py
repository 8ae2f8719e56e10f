"""Payment attempts: creation, idempotency, pending, capture and failure."""

from __future__ import annotations

import pytest
from django.db import transaction

from omnitrip.core.errors import InvalidInput
from omnitrip.payments import services
from omnitrip.payments.errors import AmountMismatch, UnknownProvider
from omnitrip.payments.models import Payment, PaymentEvent
from omnitrip.payments.states import PaymentStatus

from .factories import order_to_pay, payment_for

pytestmark = pytest.mark.django_db


def event_kinds(payment: Payment) -> list[str]:
    return list(PaymentEvent.objects.filter(payment=payment).values_list("kind", flat=True))


def test_create_payment_copies_amount_and_currency_from_the_order():
    order = order_to_pay(total_minor=128_000, currency="CNY")

    payment = services.create_payment(order, "sandbox", idempotency_key="checkout-1")

    assert payment.order_id == order.pk
    assert payment.provider == "sandbox"
    assert payment.status == PaymentStatus.CREATED
    assert (payment.amount_minor, payment.currency) == (128_000, "CNY")
    assert payment.refunded_minor == 0
    assert payment.code.startswith("PAY-")
    assert len(payment.code) == len("PAY-") + 12
    event = PaymentEvent.objects.get(payment=payment)
    assert (event.kind, event.to_status, event.amount_minor) == ("created", "created", 128_000)


def test_create_payment_twice_with_the_same_key_returns_the_first_attempt():
    order = order_to_pay()

    first = services.create_payment(order, "sandbox", idempotency_key="checkout-1")
    second = services.create_payment(order, "sandbox", idempotency_key="checkout-1")

    assert second.pk == first.pk
    assert Payment.objects.count() == 1
    assert event_kinds(first) == ["created"]


def test_create_payment_with_a_new_key_starts_a_new_attempt():
    order = order_to_pay()

    first = services.create_payment(order, "sandbox", idempotency_key="checkout-1")
    second = services.create_payment(order, "sandbox", idempotency_key="checkout-2")

    assert second.pk != first.pk
    assert Payment.objects.count() == 2


def test_create_payment_losing_the_insert_race_returns_the_committed_row(monkeypatch):
    order = order_to_pay()
    winner = services.create_payment(order, "sandbox", idempotency_key="checkout-1")
    real_lookup = services._existing_payment
    calls: list[str] = []

    def lookup_that_misses_once(provider_name, key, order_row):
        # The first look happens "before the other request committed".
        calls.append(key)
        return None if len(calls) == 1 else real_lookup(provider_name, key, order_row)

    monkeypatch.setattr(services, "_existing_payment", lookup_that_misses_once)

    with transaction.atomic():
        loser = services.create_payment(order, "sandbox", idempotency_key="checkout-1")
        # The savepoint kept the caller's transaction usable after the IntegrityError.
        assert Payment.objects.filter(order=order).count() == 1

    assert loser.pk == winner.pk
    assert calls == ["checkout-1", "checkout-1"]
    assert event_kinds(winner) == ["created"]


def test_create_payment_refuses_a_key_already_used_for_another_order():
    first_order, other_order = order_to_pay(), order_to_pay()
    services.create_payment(first_order, "sandbox", idempotency_key="checkout-1")

    with pytest.raises(InvalidInput):
        services.create_payment(other_order, "sandbox", idempotency_key="checkout-1")

    assert Payment.objects.filter(order=other_order).count() == 0


def test_create_payment_with_an_unknown_provider_creates_nothing():
    with pytest.raises(UnknownProvider) as caught:
        services.create_payment(order_to_pay(), "no-such-provider", idempotency_key="k")

    assert caught.value.code == "unknown_provider"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("key", ["", "k" * 81])
def test_create_payment_needs_a_usable_idempotency_key(key):
    with pytest.raises(InvalidInput):
        services.create_payment(order_to_pay(), "sandbox", idempotency_key=key)

    assert Payment.objects.count() == 0


def test_mark_pending_moves_a_new_payment_to_pending_with_its_external_id():
    payment = payment_for()

    fresh = services.mark_pending(payment, "sbx_X")

    assert (fresh.status, fresh.external_id) == (PaymentStatus.PENDING, "sbx_X")
    assert (payment.status, payment.external_id) == (PaymentStatus.PENDING, "sbx_X")
    event = PaymentEvent.objects.get(payment=payment)
    assert (event.kind, event.from_status, event.to_status) == ("pending", "created", "pending")


def test_mark_pending_again_changes_nothing():
    payment = payment_for()
    services.mark_pending(payment, "sbx_X")

    services.mark_pending(payment, "sbx_X")

    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert event_kinds(payment) == ["pending"]


def test_mark_pending_after_a_fast_capture_keeps_the_capture():
    payment = payment_for(status=PaymentStatus.CAPTURED)

    services.mark_pending(payment, "sbx_X")

    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.external_id) == (PaymentStatus.CAPTURED, "sbx_X")
    assert event_kinds(payment) == []


def test_record_capture_captures_a_pending_payment_once():
    payment = payment_for(status=PaymentStatus.PENDING)

    changed = services.record_capture(
        payment, amount_minor=128_000, currency="CNY", external_id="sbx_X", event_id="evt_1"
    )
    again = services.record_capture(
        payment, amount_minor=128_000, currency="CNY", external_id="sbx_X", event_id="evt_2"
    )

    assert (changed, again) == (True, False)
    fresh = Payment.objects.get(pk=payment.pk)
    assert fresh.status == PaymentStatus.CAPTURED
    assert fresh.captured_at is not None
    assert fresh.external_id == "sbx_X"
    event = PaymentEvent.objects.get(payment=payment)
    assert (event.kind, event.from_status, event.to_status) == ("captured", "pending", "captured")
    assert event.amount_minor == 128_000
    assert event.data == {"event_id": "evt_1", "external_id": "sbx_X"}


@pytest.mark.parametrize(
    ("amount_minor", "currency"),
    [(127_999, "CNY"), (128_001, "CNY"), (128_000, "USD"), (0, "CNY")],
)
def test_record_capture_with_another_amount_or_currency_is_refused_and_changes_nothing(
    amount_minor, currency
):
    payment = payment_for(status=PaymentStatus.PENDING)

    with pytest.raises(AmountMismatch) as caught:
        services.record_capture(
            payment, amount_minor=amount_minor, currency=currency, external_id="x", event_id="e"
        )

    assert caught.value.code == "amount_mismatch"
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.captured_at, fresh.external_id) == ("pending", None, "")
    assert event_kinds(payment) == []


def test_record_capture_after_a_decline_records_the_money_taken():
    payment = payment_for(status=PaymentStatus.FAILED)

    changed = services.record_capture(
        payment, amount_minor=128_000, currency="CNY", external_id="sbx_X", event_id="evt_1"
    )

    assert changed is True
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED


@pytest.mark.parametrize("outcome", ["failed", "cancelled"])
def test_record_failure_ends_a_pending_payment(outcome):
    payment = payment_for(status=PaymentStatus.PENDING)

    changed = services.record_failure(payment, outcome, "payer declined")

    assert changed is True
    assert Payment.objects.get(pk=payment.pk).status == outcome
    event = PaymentEvent.objects.get(payment=payment)
    assert (event.kind, event.from_status, event.to_status) == (outcome, "pending", outcome)
    assert event.data == {"detail": "payer declined"}


def test_record_failure_arriving_after_the_capture_changes_nothing():
    payment = payment_for(status=PaymentStatus.CAPTURED)

    changed = services.record_failure(payment, "failed", "late callback")

    assert changed is False
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    assert event_kinds(payment) == []


def test_record_failure_only_accepts_failed_or_cancelled():
    payment = payment_for(status=PaymentStatus.PENDING)

    with pytest.raises(InvalidInput):
        services.record_failure(payment, "captured", "")

    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
