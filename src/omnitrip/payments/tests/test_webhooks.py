"""Webhook intake guards and bookkeeping, independent of any real provider."""

from __future__ import annotations

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments import services
from omnitrip.payments.errors import UnknownProvider
from omnitrip.payments.models import RejectedCallback, WebhookEvent
from omnitrip.payments.providers import Notification, PaymentProvider, StartResult, registry

pytestmark = pytest.mark.django_db


class ScriptedProvider(PaymentProvider):
    """Accepts every callback and says whatever the test scripted."""

    name = "scripted"

    def __init__(self, notification: Notification) -> None:
        self.notification = notification

    def start(self, payment, *, return_url):
        return StartResult()

    def verify_notification(self, body, headers):
        return self.notification

    def refund(self, payment, refund):
        raise NotImplementedError


def scripted(monkeypatch, **fields: object) -> None:
    values: dict = {
        "event_id": "evt_1",
        "payment_code": "PAY-1",
        "outcome": "captured",
        "amount_minor": 100,
        "currency": "CNY",
    }
    values.update(fields)
    monkeypatch.setitem(registry._providers, "scripted", ScriptedProvider(Notification(**values)))


@pytest.mark.parametrize(
    "fields",
    [{"event_id": ""}, {"event_id": "e" * 161}, {"payment_code": "P" * 21}, {"outcome": "paid"}],
)
def test_a_notification_our_tables_cannot_hold_is_rejected_not_stored(monkeypatch, fields):
    scripted(monkeypatch, **fields)

    with pytest.raises(InvalidInput):
        services.store_notification("scripted", b"{}", {}, remote_addr="192.0.2.1")

    rejected = RejectedCallback.objects.get()
    assert (rejected.provider, rejected.code, rejected.remote_addr) == (
        "scripted",
        "invalid_input",
        "192.0.2.1",
    )
    assert WebhookEvent.objects.count() == 0


def test_a_rejected_body_is_kept_only_up_to_a_bound(monkeypatch):
    scripted(monkeypatch, event_id="")

    with pytest.raises(InvalidInput):
        services.store_notification("scripted", b"x" * 20_000, {})

    assert RejectedCallback.objects.get().body == "x" * 10_000


def test_a_callback_for_an_unknown_provider_is_refused():
    with pytest.raises(UnknownProvider):
        services.store_notification("nobody", b"{}", {})

    assert WebhookEvent.objects.count() == 0


def stored_event() -> WebhookEvent:
    return WebhookEvent.objects.create(
        provider="sandbox", external_id="evt_1", payment_code="PAY-1", body="{}"
    )


def test_mark_webhook_processed_records_when():
    event = stored_event()

    services.mark_webhook_processed(event)

    fresh = WebhookEvent.objects.get(pk=event.pk)
    assert (fresh.status, fresh.error) == ("processed", "")
    assert fresh.processed_at is not None
    assert event.status == "processed"


def test_mark_webhook_failed_keeps_a_short_reason():
    event = stored_event()

    services.mark_webhook_failed(event, "x" * 400)

    fresh = WebhookEvent.objects.get(pk=event.pk)
    assert (fresh.status, fresh.error) == ("failed", "x" * 300)
    assert fresh.processed_at is not None
