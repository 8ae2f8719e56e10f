"""The whole path over API v1: book, pay by WeChat QR code, WeChat's callback confirms.

The callback is encrypted and signed by the independent WeChat side; every refusal is a
4xx problem, is kept as a RejectedCallback, and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment, PaymentEvent, RejectedCallback, WebhookEvent

from .wechat_side import API_BASE

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
NOTIFY = "/api/v1/payments/wechatpay_native/notify"
CODE_URL = "weixin://wxpay/bizpayurl?pr=Qz2xYb7"


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def as_meta(headers: dict[str, str]) -> dict[str, str]:
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def book_and_start(client, wechat, wechat_api, *, provider="wechatpay_native"):
    """An order for two tickets, and a WeChat payment started for it through the API."""
    offer = cf.dated_offer(capacity=4, price_minor=12_000)
    day = TODAY + dt.timedelta(days=3)
    created = post(
        client,
        "/api/v1/orders",
        {
            "items": [
                {"offer": offer.code, "start_date": day.isoformat(), "quantity": 2, "adults": 1}
            ],
            "contact": {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138"},
        },
    )
    assert created.status_code == 201, created.content
    code, token = created.json()["order"]["code"], created.json()["access_token"]

    def reply(request):
        wechat.check_authorization(request)
        if provider == "wechatpay_h5":
            return wechat.answer(200, {"h5_url": "https://wx.tenpay.com/checkmweb?prepay_id=wx1"})
        return wechat.answer(200, {"code_url": CODE_URL})

    path = "h5" if provider == "wechatpay_h5" else "native"
    wechat_api.add_callback("POST", f"{API_BASE}/v3/pay/transactions/{path}", callback=reply)
    started = post(
        client, f"/api/v1/orders/{code}/payments", {"provider": provider}, HTTP_X_ORDER_TOKEN=token
    )
    assert started.status_code == 201, started.content
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    return Order.objects.get(code=code), payment, started.json(), (offer, day)


def notify(client, body, headers, url=NOTIFY):
    return client.post(url, data=body, content_type="application/json", **as_meta(headers))


def test_starting_returns_the_code_url_for_the_kiosk_to_show(client, wechat, wechat_api):
    order, payment, started, _ = book_and_start(client, wechat, wechat_api)

    assert started["qr_content"] == CODE_URL
    assert started["redirect_url"] == ""
    assert (payment.provider, payment.status, payment.amount_minor) == (
        "wechatpay_native",
        "pending",
        24_000,
    )
    sent = json.loads(wechat_api.calls[0].request.body)
    assert sent["amount"] == {"total": 24_000, "currency": "CNY"}
    assert sent["out_trade_no"] == payment.code
    assert order.status == "pending_payment"


def test_h5_through_the_api_sends_the_payer_to_wechat_and_back(client, wechat, wechat_api):
    order, payment, started, _ = book_and_start(client, wechat, wechat_api, provider="wechatpay_h5")

    assert started["redirect_url"] == (
        "https://wx.tenpay.com/checkmweb?prepay_id=wx1&redirect_url="
        f"https%3A%2F%2Ftrip.example%2Fapi%2Fv1%2Forders%2F{order.code}"
    )
    assert (payment.provider, payment.status) == ("wechatpay_h5", "pending")
    sent = json.loads(wechat_api.calls[0].request.body)
    assert sent["scene_info"]["payer_client_ip"] == "127.0.0.1"


def test_a_valid_callback_confirms_the_order_once(client, wechat, wechat_api):
    order, payment, _, (offer, day) = book_and_start(client, wechat, wechat_api)
    body, headers = wechat.callback(wechat.transaction(payment), event_id="EV-PAID-1")

    response = notify(client, body, headers)

    assert (response.status_code, response.content) == (204, b"")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "confirmed"
    assert (payment.status, payment.external_id) == ("captured", "4200000985202605200412345678")
    assert InventorySlot.objects.get(offer=offer, date=day).sold == 2
    event = WebhookEvent.objects.get()
    assert (event.provider, event.external_id, event.status) == (
        "wechatpay_native",
        "EV-PAID-1",
        "processed",
    )


def test_a_replayed_callback_changes_nothing(client, wechat, wechat_api):
    order, payment, _, (offer, day) = book_and_start(client, wechat, wechat_api)
    body, headers = wechat.callback(wechat.transaction(payment), event_id="EV-PAID-1")
    assert notify(client, body, headers).status_code == 204

    replies = [notify(client, body, headers).status_code for _ in range(2)]

    assert replies == [204, 204]
    assert PaymentEvent.objects.filter(payment=payment, kind="captured").count() == 1
    assert order.events.filter(kind="status_changed", to_status="confirmed").count() == 1
    assert order.events.filter(kind="payment_captured").count() == 1
    assert WebhookEvent.objects.count() == 1
    assert InventorySlot.objects.get(offer=offer, date=day).sold == 2


def _tampered_body(wechat, stranger_key, payment):
    body, headers = wechat.callback(wechat.transaction(payment))
    return body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS "), headers


def _forged_signature(wechat, stranger_key, payment):
    body, headers = wechat.callback(wechat.transaction(payment))
    return body, {**headers, **wechat.signature_headers(body, key=stranger_key)}


def _stale(wechat, stranger_key, payment):
    return wechat.callback(wechat.transaction(payment), timestamp=int(time.time()) - 3_600)


def _wrong_serial(wechat, stranger_key, payment):
    return wechat.callback(wechat.transaction(payment), serial="PUB_KEY_ID_0000000000000000000000")


def _undecryptable(wechat, stranger_key, payment):
    return wechat.callback(
        wechat.transaction(payment), encrypt_with="0123456789abcdef0123456789abcdef"
    )


def _unsigned(wechat, stranger_key, payment):
    body, _headers = wechat.callback(wechat.transaction(payment))
    return body, {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "forge",
    [_tampered_body, _forged_signature, _stale, _wrong_serial, _undecryptable, _unsigned],
    ids=["tampered-body", "forged-signature", "stale", "wrong-serial", "undecryptable", "unsigned"],
)
def test_a_refused_callback_is_a_problem_kept_for_audit_and_changes_nothing(
    client, wechat, wechat_api, stranger_key, forge
):
    order, payment, _, (offer, day) = book_and_start(client, wechat, wechat_api)
    body, headers = forge(wechat, stranger_key, payment)
    events_before = order.events.count()

    response = notify(client, body, headers)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"
    rejected = RejectedCallback.objects.get()
    assert (rejected.provider, rejected.code, rejected.body) == (
        "wechatpay_native",
        "invalid_signature",
        body.decode(),
    )
    assert WebhookEvent.objects.count() == 0
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "pending")
    assert order.events.count() == events_before
    slot = InventorySlot.objects.get(offer=offer, date=day)
    assert (slot.held, slot.sold) == (2, 0)


def test_a_signed_callback_with_the_wrong_amount_captures_nothing(client, wechat, wechat_api):
    order, payment, _, (offer, day) = book_and_start(client, wechat, wechat_api)
    transaction = wechat.transaction(payment, amount={"total": 1, "currency": "CNY"})
    body, headers = wechat.callback(transaction, event_id="EV-CHEAP-1")

    response = notify(client, body, headers)

    # Stored first and acknowledged; refusing it would only make WeChat send it again.
    assert response.status_code == 204
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "pending")
    assert PaymentEvent.objects.filter(payment=payment, kind="captured").count() == 0
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.amount_minor) == ("failed", "amount_mismatch", 1)
    assert order.events.filter(kind="payment_rejected").count() == 1
    slot = InventorySlot.objects.get(offer=offer, date=day)
    assert (slot.held, slot.sold) == (2, 0)


def test_a_callback_for_the_other_wechat_provider_finds_no_payment(client, wechat, wechat_api):
    # The notify URL names the provider; a Native payment's result posted to the H5 URL
    # must not capture it.
    order, payment, _, _ = book_and_start(client, wechat, wechat_api)
    body, headers = wechat.callback(wechat.transaction(payment), event_id="EV-CROSS-1")

    response = notify(client, body, headers, url="/api/v1/payments/wechatpay_h5/notify")

    assert response.status_code == 204
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "pending")
    assert WebhookEvent.objects.get().error == "unknown_payment"


def test_a_refund_result_posted_to_the_payment_url_is_refused_and_kept(client, wechat, wechat_api):
    order, payment, _, _ = book_and_start(client, wechat, wechat_api)
    refund = {"mchid": "1900000109", "out_trade_no": payment.code, "refund_status": "SUCCESS"}
    body, headers = wechat.callback(refund, event_type="REFUND.SUCCESS", original_type="refund")

    response = notify(client, body, headers)

    assert (response.status_code, response.json()["code"]) == (400, "notification_not_payment")
    assert RejectedCallback.objects.get().code == "notification_not_payment"
    assert WebhookEvent.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "pending_payment"
