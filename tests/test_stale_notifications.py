"""A stored notification whose processing never ran is processed by the periodic sweep."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.orders.models import Order
from omnitrip.orders.services.payments import process_stale_notifications
from omnitrip.payments import services as payments
from omnitrip.payments.models import Payment, WebhookEvent
from omnitrip.plugins.payment_sandbox.provider import build_notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


def test_a_notification_stored_but_never_processed_is_picked_up_by_the_sweep(client):
    offer = cf.dated_offer(capacity=3)
    created = client.post(
        "/api/v1/orders",
        data=json.dumps(
            {
                "items": [
                    {
                        "offer": offer.code,
                        "start_date": (dt.date.today() + dt.timedelta(days=4)).isoformat(),
                    }
                ],
                "contact": {"name": "Li Wei", "email": "li@example.com"},
            }
        ),
        content_type="application/json",
    ).json()
    code = created["order"]["code"]
    client.post(
        f"/api/v1/orders/{code}/payments",
        data=json.dumps({"provider": "sandbox"}),
        content_type="application/json",
        HTTP_X_ORDER_TOKEN=created["access_token"],
    )
    body, headers = build_notification(Payment.objects.get(order__code=code), "captured")
    # Stored first, as the webhook does, but the worker that should process it died.
    event, _, created_now = payments.store_notification("sandbox", body, headers)
    assert created_now
    assert Order.objects.get(code=code).status == "pending_payment"

    assert process_stale_notifications() == 0  # too fresh: a worker may still be on it
    WebhookEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert process_stale_notifications() == 1
    assert process_stale_notifications() == 0

    assert Order.objects.get(code=code).status == "confirmed"
    assert WebhookEvent.objects.get(pk=event.pk).status == "processed"
