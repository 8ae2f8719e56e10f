"""Paying an order with Alipay over API v1: book, start, and Alipay's notification.

Every notification here is signed by the test with "Alipay's" private key, by the
independent implementation in :mod:`.fake_alipay`.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from omnitrip.catalog.tests import factories as cf
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment, PaymentEvent, RejectedCallback, WebhookEvent
from omnitrip.plugins.payment_alipay.numbers import alipay_number

from . import fake_alipay

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

START = dt.date.today() + dt.timedelta(days=5)
FORM = "application/x-www-form-urlencoded"


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def book_and_start(client, provider: str = "alipay") -> tuple[dict, Payment, dict[str, str]]:
    """Book two tickets at 617.25 (1234.50 in all) and start paying with ``provider``."""
    offer = cf.dated_offer(capacity=4, price_minor=61_725)
    booked = post_json(
        client,
        "/api/v1/orders",
        {
            "items": [
                {"offer": offer.code, "start_date": START.isoformat(), "quantity": 2, "adults": 1}
            ],
            "contact": {"name": "Li Wei", "email": "li.wei@example.com"},
        },
    )
    assert booked.status_code == 201, booked.content
    created = booked.json()
    assert created["order"]["total"]["amount_minor"] == 123_450
    code, token = created["order"]["code"], created["access_token"]
    started = post_json(
        client,
        f"/api/v1/orders/{code}/payments",
        {"provider": provider},
        HTTP_X_ORDER_TOKEN=token,
    )
    assert started.status_code == 201, started.content
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    cashier = dict(parse_qsl(urlsplit(started.json()["redirect_url"]).query))
    return created, payment, cashier


def notify(client, params: dict[str, str], provider: str = "alipay"):
    return client.post(
        f"/api/v1/payments/{provider}/notify",
        data=fake_alipay.form(params),
        content_type=FORM,
        REMOTE_ADDR="110.75.0.1",
    )


def order_of(created: dict) -> Order:
    return Order.objects.get(code=created["order"]["code"])


def confirmations(order: Order) -> int:
    return order.events.filter(kind="status_changed", to_status="confirmed").count()


def assert_nothing_was_paid(created: dict, payment: Payment) -> None:
    order = order_of(created)
    payment.refresh_from_db()
    assert order.status == "pending_payment"
    assert confirmations(order) == 0
    assert payment.status == "pending"
    assert payment.captured_at is None
    assert not PaymentEvent.objects.filter(payment=payment, kind="captured").exists()


def test_starting_through_the_api_signs_the_servers_amount_for_the_order(client, alipay):
    created, payment, cashier = book_and_start(client)

    biz = json.loads(cashier["biz_content"])
    assert (biz["out_trade_no"], biz["total_amount"]) == (alipay_number(payment.code), "1234.50")
    assert biz["subject"].startswith(created["order"]["code"] + " Test attraction ")
    assert cashier["return_url"] == f"https://shop.example/api/v1/orders/{payment.order.code}"
    assert fake_alipay.rsa2_valid(
        alipay.merchant, fake_alipay.request_string(cashier), cashier["sign"]
    )
    assert (payment.provider, payment.status, payment.amount_minor) == (
        "alipay",
        "pending",
        123_450,
    )


def test_a_valid_notification_confirms_the_order_and_alipay_reads_success(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(alipay, out_trade_no=payment.code, total_amount="1234.50")

    response = notify(client, params)

    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"] == "text/plain"
    order = order_of(created)
    payment.refresh_from_db()
    assert order.status == "confirmed"
    assert confirmations(order) == 1
    assert (payment.status, payment.external_id) == ("captured", params["trade_no"])
    event = WebhookEvent.objects.get()
    assert (event.provider, event.external_id, event.status) == (
        "alipay",
        params["notify_id"],
        "processed",
    )
    assert RejectedCallback.objects.count() == 0


def test_a_replayed_notification_changes_nothing_and_is_still_acknowledged(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(alipay, out_trade_no=payment.code, total_amount="1234.50")
    notify(client, params)

    answers = [notify(client, params) for _ in range(3)]

    assert [(a.status_code, a.content) for a in answers] == [(200, b"success")] * 3
    order = order_of(created)
    assert order.status == "confirmed"
    assert confirmations(order) == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="captured").count() == 1
    assert WebhookEvent.objects.count() == 1
    assert order.refunded_minor == 0
    assert not payment.refunds.exists()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda params, keys: {**params, "total_amount": "0.01"},
        lambda params, keys: fake_alipay.notification(
            keys,
            out_trade_no=params["out_trade_no"],
            total_amount="1234.50",
            sign_with=keys.stranger,
        ),
        lambda params, keys: {k: v for k, v in params.items() if k != "sign"},
    ],
    ids=["amount-changed-after-signing", "forged-signature", "unsigned"],
)
def test_a_tampered_or_forged_notification_is_refused_and_kept_for_audit(client, alipay, spoil):
    created, payment, _ = book_and_start(client)
    genuine = fake_alipay.notification(alipay, out_trade_no=payment.code, total_amount="1234.50")

    response = notify(client, spoil(genuine, alipay))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"
    assert_nothing_was_paid(created, payment)
    rejected = RejectedCallback.objects.get()
    assert (rejected.provider, rejected.code, rejected.remote_addr) == (
        "alipay",
        "invalid_signature",
        "110.75.0.1",
    )
    assert WebhookEvent.objects.count() == 0


def test_a_genuine_notification_for_another_app_is_refused(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(
        alipay, out_trade_no=payment.code, total_amount="1234.50", app_id="2021009999999999"
    )

    response = notify(client, params)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert_nothing_was_paid(created, payment)
    assert RejectedCallback.objects.get().code == "invalid_signature"
    assert WebhookEvent.objects.count() == 0


def test_a_correctly_signed_notification_with_the_wrong_amount_pays_nothing(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(alipay, out_trade_no=payment.code, total_amount="1234.49")

    response = notify(client, params)

    # Stored first, so Alipay is told it arrived (it would otherwise redeliver for a
    # day); the stored event is what says it was refused.
    assert (response.status_code, response.content) == (200, b"success")
    assert_nothing_was_paid(created, payment)
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.amount_minor) == ("failed", "amount_mismatch", 123_449)
    rejected = order_of(created).events.get(kind="payment_rejected")
    assert rejected.data["payment"] == payment.code


def test_a_wait_buyer_pay_notification_is_acknowledged_and_changes_nothing(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(
        alipay, out_trade_no=payment.code, total_amount="1234.50", trade_status="WAIT_BUYER_PAY"
    )

    response = notify(client, params)

    # Genuine but not final: "success", so Alipay stops sending it; the final status
    # arrives as a notification of its own.
    assert (response.status_code, response.content) == (200, b"success")
    assert_nothing_was_paid(created, payment)
    assert RejectedCallback.objects.count() == 0


def test_a_closed_trade_cancels_the_attempt_but_not_the_order(client, alipay):
    created, payment, _ = book_and_start(client)
    params = fake_alipay.notification(
        alipay, out_trade_no=payment.code, total_amount="1234.50", trade_status="TRADE_CLOSED"
    )

    response = notify(client, params)

    assert (response.status_code, response.content) == (200, b"success")
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert order_of(created).status == "pending_payment"


def test_the_mobile_provider_is_paid_through_its_own_notify_url(client, alipay):
    created, payment, cashier = book_and_start(client, provider="alipay_wap")
    assert cashier["method"] == "alipay.trade.wap.pay"
    params = fake_alipay.notification(alipay, out_trade_no=payment.code, total_amount="1234.50")

    response = notify(client, params, provider="alipay_wap")

    assert (response.status_code, response.content) == (200, b"success")
    assert order_of(created).status == "confirmed"
    assert WebhookEvent.objects.get().provider == "alipay_wap"
