"""The whole path over API v1: book, pay with Stripe Checkout, and Stripe's signed events."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import responses

from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment, PaymentEvent, RejectedCallback, WebhookEvent

from .factories import (
    SESSIONS_URL,
    checkout_session,
    encoded,
    form_fields,
    http_meta,
    signature_of,
    signed_headers,
    stripe_event,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

DAY = dt.date.today() + dt.timedelta(days=7)
NOTIFY = "/api/v1/payments/stripe/notify"


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def book_and_start(client, stripe_api, *, capacity=4, quantity=2):
    """A dated ticket booked over the API and sent to Stripe Checkout; returns the payment."""
    offer = cf.dated_offer(capacity=capacity, price_minor=12_000)
    contact = {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138 0000 0000"}
    item = {"offer": offer.code, "start_date": DAY.isoformat(), "quantity": quantity, "adults": 1}
    booked = post_json(client, "/api/v1/orders", {"items": [item], "contact": contact})
    assert booked.status_code == 201, booked.content
    code, token = booked.json()["order"]["code"], booked.json()["access_token"]
    stripe_api.add(
        responses.POST,
        SESSIONS_URL,
        json={
            "id": "cs_test_flow",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_flow",
        },
    )
    started = post_json(
        client,
        f"/api/v1/orders/{code}/payments",
        {"provider": "stripe"},
        HTTP_X_ORDER_TOKEN=token,
    )
    assert started.status_code == 201, started.content
    assert started.json()["redirect_url"] == "https://checkout.stripe.com/c/pay/cs_test_flow"
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    return offer, payment


def deliver(client, document, *, body=None, headers=None):
    raw = encoded(document) if body is None else body
    sent = signed_headers(raw) if headers is None else headers
    return client.post(NOTIFY, data=raw, content_type="application/json", **http_meta(sent))


def state(payment, offer):
    """Everything a notification could change, to compare before and after."""
    payment.refresh_from_db()
    order = Order.objects.get(pk=payment.order_id)
    slot = InventorySlot.objects.get(offer=offer, date=DAY)
    return (
        payment.status,
        payment.external_id,
        order.status,
        (slot.held, slot.sold),
        PaymentEvent.objects.filter(payment=payment).count(),
        order.events.count(),
        WebhookEvent.objects.count(),
    )


def test_the_session_is_created_for_the_orders_amount_and_the_payment_waits_for_stripe(
    client, stripe_api
):
    offer, payment = book_and_start(client, stripe_api, quantity=2)

    fields = form_fields(stripe_api.calls[0].request.body)
    assert fields["line_items[0][price_data][unit_amount]"] == "24000"
    assert fields["line_items[0][price_data][currency]"] == "cny"
    assert fields["client_reference_id"] == payment.code
    assert stripe_api.calls[0].request.headers["Idempotency-Key"] == payment.code
    assert payment.amount_minor == 24_000
    assert state(payment, offer)[:4] == ("pending", "cs_test_flow", "pending_payment", (2, 0))


def test_a_signed_completed_event_confirms_the_order_once(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    document = stripe_event(
        "checkout.session.completed", checkout_session(payment), event_id="evt_paid_1"
    )

    first = deliver(client, document)

    assert first.status_code == 200
    assert first.json() == {"received": True}
    after_first = state(payment, offer)
    assert after_first[:4] == ("captured", f"pi_test_{payment.code}", "confirmed", (0, 2))
    event = WebhookEvent.objects.get()
    assert (event.external_id, event.status, event.outcome) == (
        "evt_paid_1",
        "processed",
        "captured",
    )

    # Stripe delivers at least once: the same event again, freshly signed, changes nothing.
    for _ in range(2):
        assert deliver(client, document).status_code == 200
    assert state(payment, offer) == after_first
    order = Order.objects.get(pk=payment.order_id)
    assert order.events.filter(kind="status_changed", to_status="confirmed").count() == 1
    assert payment.refunds.count() == 0


def _tampered(body, headers):
    forged = body.replace(b'"amount_total":24000', b'"amount_total":1')
    assert forged != body
    return forged, headers


def _wrong_secret(body, headers):
    moment = int(time.time())
    forged = f"t={moment},v1={signature_of(body, secret='whsec_attacker', timestamp=moment)}"
    return body, {**headers, "Stripe-Signature": forged}


def _stale(body, headers):
    moment = int(time.time()) - 3_600
    return body, signed_headers(body, timestamp=moment)


def _missing(body, headers):
    return body, {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "spoil",
    [_tampered, _wrong_secret, _stale, _missing],
    ids=["tampered-body", "wrong-secret", "stale", "missing-header"],
)
def test_a_badly_signed_event_is_refused_recorded_and_changes_nothing(client, stripe_api, spoil):
    offer, payment = book_and_start(client, stripe_api)
    before = state(payment, offer)
    document = stripe_event("checkout.session.completed", checkout_session(payment))
    good_body = encoded(document)
    body, headers = spoil(good_body, signed_headers(good_body))

    response = client.post(NOTIFY, data=body, content_type="application/json", **http_meta(headers))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert state(payment, offer) == before
    assert before[:3] == ("pending", "cs_test_flow", "pending_payment")
    rejected = RejectedCallback.objects.get()
    assert (rejected.provider, rejected.code, rejected.body) == (
        "stripe",
        "invalid_signature",
        body.decode(),
    )


def test_a_signed_event_for_another_amount_captures_nothing(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    before = state(payment, offer)
    session = checkout_session(payment, amount_total=payment.amount_minor - 1)

    response = deliver(client, stripe_event("checkout.session.completed", session))

    # Acknowledged (Stripe retrying would not change the amount), but not acted on.
    assert response.status_code == 200
    after = state(payment, offer)
    assert after[:4] == ("pending", "cs_test_flow", "pending_payment", (2, 0))
    assert after[4] == before[4]
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.amount_minor) == ("failed", "amount_mismatch", 23_999)
    order = Order.objects.get(pk=payment.order_id)
    assert order.events.filter(kind="payment_rejected").count() == 1
    assert order.events.filter(kind="status_changed", to_status="confirmed").count() == 0


def test_a_signed_event_in_another_currency_captures_nothing(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    session = checkout_session(payment, currency="usd")

    assert deliver(client, stripe_event("checkout.session.completed", session)).status_code == 200

    assert state(payment, offer)[:3] == ("pending", "cs_test_flow", "pending_payment")
    assert WebhookEvent.objects.get().error == "amount_mismatch"


def test_an_irrelevant_event_type_is_acknowledged_and_changes_nothing(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    before = state(payment, offer)
    document = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(client, document)

    # 2xx so Stripe does not retry for days an event we will never act on; it is genuine,
    # so nothing is recorded as a rejected callback either.
    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert state(payment, offer) == before
    assert WebhookEvent.objects.count() == 0
    assert RejectedCallback.objects.count() == 0


def test_a_delayed_payment_is_captured_when_stripe_says_it_succeeded(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    waiting = checkout_session(payment, payment_status="unpaid")
    paid = checkout_session(payment, payment_status="paid")

    assert (
        deliver(
            client, stripe_event("checkout.session.completed", waiting, event_id="evt_a")
        ).status_code
        == 200
    )
    assert state(payment, offer)[:3] == ("pending", "cs_test_flow", "pending_payment")

    assert (
        deliver(
            client,
            stripe_event("checkout.session.async_payment_succeeded", paid, event_id="evt_b"),
        ).status_code
        == 200
    )
    assert state(payment, offer)[:3] == ("captured", f"pi_test_{payment.code}", "confirmed")


def test_a_failed_delayed_payment_fails_the_attempt_and_the_order_still_waits(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    session = checkout_session(payment, payment_status="unpaid")

    response = deliver(client, stripe_event("checkout.session.async_payment_failed", session))

    assert response.status_code == 200
    assert state(payment, offer)[:4] == ("failed", "cs_test_flow", "pending_payment", (2, 0))


def test_an_expired_session_cancels_the_attempt(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    session = checkout_session(
        payment, status="expired", payment_status="unpaid", payment_intent=None
    )

    response = deliver(client, stripe_event("checkout.session.expired", session))

    assert response.status_code == 200
    assert state(payment, offer)[:3] == ("cancelled", "cs_test_flow", "pending_payment")


def test_a_late_expiry_after_the_capture_does_not_undo_it(client, stripe_api):
    offer, payment = book_and_start(client, stripe_api)
    paid = checkout_session(payment)
    expired = checkout_session(payment, status="expired", payment_status="unpaid")
    deliver(client, stripe_event("checkout.session.completed", paid, event_id="evt_paid"))
    captured = state(payment, offer)

    response = deliver(
        client, stripe_event("checkout.session.expired", expired, event_id="evt_exp")
    )

    assert response.status_code == 200
    after = state(payment, offer)
    assert after[:4] == captured[:4] == ("captured", f"pi_test_{payment.code}", "confirmed", (0, 2))
    assert WebhookEvent.objects.get(external_id="evt_exp").status == "processed"
