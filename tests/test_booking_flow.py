"""The whole booking path over API v1: search → quote → order → pay → voucher → cancel."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import Hold, InventorySlot
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment, Refund
from omnitrip.plugins.payment_sandbox.provider import build_notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def order_body(offer, start, end=None, quantity=1, adults=2, **extra):
    item = {
        "offer": offer.code,
        "start_date": start.isoformat(),
        "quantity": quantity,
        "adults": adults,
    }
    if end:
        item["end_date"] = end.isoformat()
    return {
        "items": [item],
        "contact": {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138 0000 0000"},
        **extra,
    }


def book(client, offer, start, end=None, **kw):
    response = post(client, "/api/v1/orders", order_body(offer, start, end, **kw))
    assert response.status_code == 201, response.content
    return response.json()


def pay(client, created, *, captured=True):
    code, token = created["order"]["code"], created["access_token"]
    started = post(
        client, f"/api/v1/orders/{code}/payments", {"provider": "sandbox"}, HTTP_X_ORDER_TOKEN=token
    )
    assert started.status_code == 201, started.content
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    body, headers = build_notification(payment, "captured" if captured else "failed")
    return client.post(
        "/api/v1/payments/sandbox/notify",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    ), payment


def slot(offer, date):
    return InventorySlot.objects.get(offer=offer, date=date)


def test_a_booked_and_paid_stay_is_confirmed_with_a_voucher_and_its_rooms_sold(
    client, django_capture_on_commit_callbacks
):
    offer = cf.hotel_offer(capacity=3, price_minor=50000)
    start = TODAY + dt.timedelta(days=10)
    created = book(client, offer, start, start + dt.timedelta(days=2))
    assert created["order"]["status"] == "pending_payment"
    assert created["order"]["total"] == {
        "amount_minor": 100000,
        "currency": "CNY",
        "amount": "1000.00",
        "formatted": "CN¥1,000.00",
    }
    assert [slot(offer, start).held, slot(offer, start + dt.timedelta(days=1)).held] == [1, 1]

    with django_capture_on_commit_callbacks(execute=True):
        response, _payment = pay(client, created)
    assert response.status_code == 200
    order = Order.objects.get(code=created["order"]["code"])
    assert order.status == "confirmed"
    assert (slot(offer, start).held, slot(offer, start).sold) == (0, 1)
    vouchers = client.get(
        f"/api/v1/orders/{order.code}/vouchers", HTTP_X_ORDER_TOKEN=created["access_token"]
    ).json()
    assert len(vouchers) == 1
    assert vouchers[0]["status"] == "issued"
    pdf = client.get(vouchers[0]["pdf_url"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_the_same_idempotency_key_gives_the_same_order_and_one_hold(client):
    offer = cf.hotel_offer(capacity=5)
    start = TODAY + dt.timedelta(days=5)
    body = order_body(offer, start, start + dt.timedelta(days=1))
    first = post(client, "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k-123")
    second = post(client, "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k-123")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["order"]["code"] == second.json()["order"]["code"]
    assert first.json()["access_token"] == second.json()["access_token"]
    assert Order.objects.count() == 1
    assert Hold.objects.count() == 1
    assert slot(offer, start).held == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(client):
    offer = cf.hotel_offer(capacity=5)
    start = TODAY + dt.timedelta(days=5)
    post(
        client,
        "/api/v1/orders",
        order_body(offer, start, start + dt.timedelta(days=1)),
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    other = post(
        client,
        "/api/v1/orders",
        order_body(offer, start, start + dt.timedelta(days=2)),
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_a_replayed_payment_notification_confirms_once(client):
    offer = cf.dated_offer(capacity=4)
    created = book(client, offer, TODAY + dt.timedelta(days=3), quantity=2, adults=1)
    _response, payment = pay(client, created)
    body, headers = build_notification(payment, "captured", event_id="evt_replay_1")
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    for _ in range(3):
        again = client.post(
            "/api/v1/payments/sandbox/notify", data=body, content_type="application/json", **meta
        )
        assert again.status_code == 200
    order = Order.objects.get(code=created["order"]["code"])
    assert order.status == "confirmed"
    assert order.events.filter(kind="status_changed", to_status="confirmed").count() == 1
    assert slot(offer, TODAY + dt.timedelta(days=3)).sold == 2
    assert Refund.objects.count() == 0


def test_a_forged_or_stale_notification_changes_nothing(client):
    offer = cf.dated_offer(capacity=4)
    created = book(client, offer, TODAY + dt.timedelta(days=3), adults=1)
    code, token = created["order"]["code"], created["access_token"]
    post(
        client, f"/api/v1/orders/{code}/payments", {"provider": "sandbox"}, HTTP_X_ORDER_TOKEN=token
    )
    payment = Payment.objects.get()
    body, headers = build_notification(payment, "captured")
    # The signature covers the body: one changed byte (here, a larger amount) breaks it.
    forged = body.replace(b'"amount_minor":', b'"amount_minor":1')
    assert forged != body
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert (
        client.post(
            "/api/v1/payments/sandbox/notify", data=forged, content_type="application/json", **meta
        ).status_code
        == 400
    )
    stale_body, stale_headers = build_notification(
        payment, "captured", timestamp=int(timezone.now().timestamp()) - 3600
    )
    stale_meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in stale_headers.items()}
    stale = client.post(
        "/api/v1/payments/sandbox/notify",
        data=stale_body,
        content_type="application/json",
        **stale_meta,
    )
    assert stale.status_code == 400
    assert stale.json()["code"] == "invalid_signature"
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert Order.objects.get(code=code).status == "pending_payment"


def test_an_expired_hold_gives_its_units_back(client):
    offer = cf.dated_offer(capacity=2)
    date = TODAY + dt.timedelta(days=3)
    created = book(client, offer, date, quantity=2, adults=1)
    assert slot(offer, date).held == 2
    Order.objects.update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))
    Hold.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    from omnitrip.orders.services.lifecycle import expire_unpaid_orders

    assert expire_unpaid_orders() == 1
    assert slot(offer, date).held == 0
    assert Order.objects.get(code=created["order"]["code"]).status == "expired"
    again = book(client, offer, date, quantity=2, adults=1)
    assert again["order"]["status"] == "pending_payment"


def test_a_payment_after_expiry_confirms_when_the_units_are_still_free(client):
    offer = cf.dated_offer(capacity=2)
    date = TODAY + dt.timedelta(days=3)
    created = book(client, offer, date, adults=1)
    code, token = created["order"]["code"], created["access_token"]
    post(
        client, f"/api/v1/orders/{code}/payments", {"provider": "sandbox"}, HTTP_X_ORDER_TOKEN=token
    )
    Order.objects.update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))
    Hold.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    from omnitrip.orders.services.lifecycle import expire_unpaid_orders

    expire_unpaid_orders()
    payment = Payment.objects.get()
    body, headers = build_notification(payment, "captured")
    client.post(
        "/api/v1/payments/sandbox/notify",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert Order.objects.get(code=code).status == "confirmed"
    assert (slot(offer, date).held, slot(offer, date).sold) == (0, 1)


def test_a_payment_after_expiry_is_refunded_in_full_when_the_units_are_gone(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    offer = cf.dated_offer(capacity=1)
    date = TODAY + dt.timedelta(days=3)
    late = book(client, offer, date, adults=1)
    post(
        client,
        f"/api/v1/orders/{late['order']['code']}/payments",
        {"provider": "sandbox"},
        HTTP_X_ORDER_TOKEN=late["access_token"],
    )
    Order.objects.update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))
    Hold.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    winner = book(
        client, offer, date, adults=1
    )  # takes the last unit (lazily releasing the lapsed hold)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, winner)
    late_payment = Payment.objects.get(order__code=late["order"]["code"])
    body, headers = build_notification(late_payment, "captured")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/payments/sandbox/notify",
            data=body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
    late_order = Order.objects.get(code=late["order"]["code"])
    assert late_order.status == "expired"
    refund = Refund.objects.get(payment=late_payment)
    assert (refund.amount_minor, refund.status) == (late_payment.amount_minor, "succeeded")
    assert (slot(offer, date).held, slot(offer, date).sold) == (0, 1)
    assert any(late_order.code in m.subject for m in mailoutbox)


def test_cancelling_a_paid_order_refunds_what_the_policy_says_and_gives_the_units_back(
    client, django_capture_on_commit_callbacks
):
    policy = cf.policy(
        rules=[
            {"days_before": 7, "penalty_percent": "0"},
            {"days_before": 0, "penalty_percent": "50"},
        ]
    )
    offer = cf.hotel_offer(capacity=2, price_minor=40000, cancellation=policy)
    start = TODAY + dt.timedelta(days=3)  # inside 7 days: 50 % penalty
    created = book(client, offer, start, start + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, created)
    code, token = created["order"]["code"], created["access_token"]
    preview = client.get(f"/api/v1/orders/{code}/cancellation", HTTP_X_ORDER_TOKEN=token).json()
    assert preview["refund"]["amount_minor"] == 20000
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/v1/orders/{code}/cancel", {}, HTTP_X_ORDER_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["refund"]["amount_minor"] == 20000
    assert response.json()["order"]["status"] == "cancelled"
    assert (slot(offer, start).held, slot(offer, start).sold) == (0, 0)
    assert Refund.objects.get().amount_minor == 20000
    assert Order.objects.get(code=code).refunded_minor == 20000
