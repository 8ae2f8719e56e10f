"""The hosted payment page: what the payer sees, and where the decision goes."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from omnitrip.payments import services
from omnitrip.payments.models import Payment, WebhookEvent
from omnitrip.payments.states import PaymentStatus
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_sandbox.views import safe_return_url

pytestmark = pytest.mark.django_db


def page_url(payment: Payment) -> str:
    return f"/pay/sandbox/{payment.code}/"


@pytest.fixture
def intake(monkeypatch):
    """Stands in for the order app's intake: verifies and stores, then records the outcome.

    Replaces ``omnitrip.orders.services.payments.receive_payment_notification`` so these
    tests do not depend on the order app's processing.
    """
    module = pytest.importorskip(
        "omnitrip.orders.services.payments",
        reason="the order app's receive_payment_notification is not written yet",
    )
    delivered: list[dict] = []

    def receive(provider_name, body, headers, remote_addr=""):
        event, notification, _created = services.store_notification(
            provider_name, body, headers, remote_addr=remote_addr
        )
        payment = Payment.objects.get(code=notification.payment_code)
        if notification.outcome == "captured":
            services.record_capture(
                payment,
                amount_minor=notification.amount_minor,
                currency=notification.currency,
                external_id=notification.external_payment_id,
                event_id=notification.event_id,
            )
        else:
            services.record_failure(payment, notification.outcome, "payer declined")
        delivered.append({"provider": provider_name, "outcome": notification.outcome})
        return event

    monkeypatch.setattr(module, "receive_payment_notification", receive)
    return delivered


def test_the_page_shows_merchant_order_and_amount_with_its_currency_in_english(client):
    payment = payment_for(order_to_pay(total_minor=128_000, currency="CNY"))

    response = client.get(page_url(payment), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">CN¥1,280.00</dd>" in html
    assert f">{payment.order.code}</dd>" in html
    assert ">omnitrip</dd>" in html
    assert 'value="approve"' in html
    assert ">Approve</button>" in html
    assert ">Decline</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "/static/payment_sandbox/sandbox.css" in html
    assert '<meta name="viewport"' in html


def test_the_page_speaks_chinese_to_a_chinese_browser(client):
    payment = payment_for(order_to_pay(total_minor=128_000, currency="CNY"))

    response = client.get(page_url(payment), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert ">¥1,280.00</dd>" in html
    assert "确认支付" in html
    assert ">同意支付</button>" in html
    assert ">拒绝支付</button>" in html
    assert "Approve" not in html


def test_the_amount_follows_the_currencys_minor_unit(client):
    payment = payment_for(order_to_pay(total_minor=12_345, currency="USD"))

    response = client.get(page_url(payment), HTTP_ACCEPT_LANGUAGE="en")

    assert ">$123.45</dd>" in response.content.decode()


def test_the_return_url_is_carried_into_the_form(client):
    payment = payment_for()

    response = client.get(page_url(payment), {"return": "/orders/OT-1/"})

    assert 'name="return" value="/orders/OT-1/"' in response.content.decode()


def test_an_unknown_payment_code_is_a_404_page(client):
    response = client.get("/pay/sandbox/PAY-NOSUCHCODE0/")

    assert response.status_code == 404
    assert "Payment not found" in response.content.decode()


def test_another_providers_payment_is_not_payable_here(client):
    payment = payment_for(provider="alipay")

    response = client.get(page_url(payment))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (PaymentStatus.CAPTURED, "This payment has been made."),
        (PaymentStatus.FAILED, "This payment was declined."),
        (PaymentStatus.CANCELLED, "This payment was cancelled."),
    ],
)
def test_a_settled_payment_shows_its_state_instead_of_the_buttons(client, status, message):
    payment = payment_for(status=status)

    response = client.get(page_url(payment), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert message in html
    assert 'name="decision"' not in html


def test_a_decision_on_a_settled_payment_changes_nothing(client):
    payment = payment_for(status=PaymentStatus.CAPTURED)

    response = client.post(page_url(payment), {"decision": "decline"})

    assert response.status_code == 409
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    assert WebhookEvent.objects.count() == 0


def test_a_post_without_a_valid_decision_changes_nothing(client):
    payment = payment_for(status=PaymentStatus.PENDING)

    response = client.post(page_url(payment), {"decision": "maybe"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Please choose Approve or Decline." in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert WebhookEvent.objects.count() == 0


def test_the_decision_form_is_csrf_protected():
    payment = payment_for(status=PaymentStatus.PENDING)

    response = Client(enforce_csrf_checks=True).post(page_url(payment), {"decision": "approve"})

    assert response.status_code == 403
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert WebhookEvent.objects.count() == 0


def test_approve_delivers_a_signed_capture_and_returns_to_the_shop(client, intake):
    payment = payment_for(status=PaymentStatus.PENDING)

    response = client.post(
        page_url(payment), {"decision": "approve", "return": "/orders/OT-1/?paid=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/orders/OT-1/?paid=1"
    assert intake == [{"provider": "sandbox", "outcome": "captured"}]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    assert WebhookEvent.objects.get().payment_code == payment.code


@override_settings(PUBLIC_BASE_URL="https://shop.example")
def test_decline_with_a_foreign_return_url_lands_on_the_neutral_page_not_there(client, intake):
    payment = payment_for(status=PaymentStatus.PENDING)

    response = client.post(
        page_url(payment), {"decision": "decline", "return": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/pay/sandbox/{payment.code}/done/"
    assert intake == [{"provider": "sandbox", "outcome": "failed"}]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED
    landing = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert landing.status_code == 200
    assert "Payment received" in landing.content.decode()
    assert "This payment was declined." in landing.content.decode()


@override_settings(PUBLIC_BASE_URL="https://shop.example")
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/orders/OT-1/", "/orders/OT-1/"),
        ("/orders/OT-1/?paid=1#top", "/orders/OT-1/?paid=1#top"),
        ("https://shop.example", "https://shop.example"),
        ("https://shop.example/orders/OT-1/", "https://shop.example/orders/OT-1/"),
        ("https://shop.example?x=1", "https://shop.example?x=1"),
        ("", None),
        ("https://evil.example/", None),
        ("https://shop.example.evil.example/", None),
        ("https://shop.example@evil.example/", None),
        ("http://shop.example/orders/", None),
        ("//evil.example/", None),
        ("///evil.example/", None),
        ("/\\evil.example/", None),
        ("/orders\n/x", None),
        ("javascript:alert(1)", None),
        ("orders/OT-1/", None),
    ],
)
def test_only_return_urls_back_into_omnitrip_are_followed(url, expected):
    assert safe_return_url(url) == expected
