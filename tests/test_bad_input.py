"""Bad requests to API v1: a 4xx problem with a stable code, and nothing written.

Every refusal is an ``application/problem+json`` body with ``type``, ``title``,
``status``, ``code`` and ``detail`` whose ``status`` is the HTTP status, and every
refused booking leaves orders, holds and inventory counts exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from omnitrip.accounts.models import ApiKey
from omnitrip.catalog.models import ProductKind
from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import Hold, InventorySlot
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment, Refund
from omnitrip.plugins.payment_sandbox.provider import build_notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
DAY = TODAY + dt.timedelta(days=10)
FAR = TODAY + dt.timedelta(days=600)
CONTACT = {"name": "Li Wei", "email": "li.wei@example.com"}


def day(offset: int) -> str:
    return (DAY + dt.timedelta(days=offset)).isoformat()


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "code", "detail"} <= body.keys()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"urn:omnitrip:problem:{code}"
    assert isinstance(body["title"], str)
    assert body["title"] != ""
    assert isinstance(body["detail"], str)
    assert body["detail"] != ""
    return body


def world() -> tuple:
    """Orders, holds and every slot's counts: what a refused request must not change."""
    return (
        Order.objects.count(),
        Hold.objects.count(),
        Payment.objects.count(),
        Refund.objects.count(),
        list(InventorySlot.objects.order_by("pk").values_list("pk", "held", "sold")),
    )


@pytest.fixture
def shop() -> dict:
    hotel = cf.hotel_offer(start=DAY, days=40, capacity=5)
    InventorySlot.objects.filter(offer=hotel, date=DAY + dt.timedelta(days=1)).update(
        is_closed=True
    )
    InventorySlot.objects.filter(offer=hotel, date=DAY + dt.timedelta(days=3)).update(
        closed_to_arrival=True
    )
    InventorySlot.objects.filter(offer=hotel, date=DAY + dt.timedelta(days=5)).update(min_stay=3)
    return {
        "hotel": hotel.code,
        "ticket": cf.dated_offer(start=DAY, days=5, capacity=10).code,
        "tour": cf.dated_offer(ProductKind.TOUR, start=DAY, days=5, capacity=10).code,
        "open": cf.open_dated_ticket(quota=10).code,
    }


def nights(shop, start: int, end: int, **party) -> dict:
    return {"offer": shop["hotel"], "start_date": day(start), "end_date": day(end), **party}


def one_day(shop, kind: str, date: str | None, **fields) -> dict:
    return {"offer": shop[kind], "start_date": date, **fields}


ORDER_ITEMS = {
    "start date in the past": (
        lambda s: {
            "offer": s["hotel"],
            "start_date": (TODAY - dt.timedelta(days=2)).isoformat(),
            "end_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
        422,
        "invalid_dates",
    ),
    "check-out before check-in": (lambda s: nights(s, 2, 1), 422, "invalid_dates"),
    "check-out on the check-in date": (lambda s: nights(s, 2, 2), 422, "invalid_dates"),
    "a stay of 31 nights": (lambda s: nights(s, 0, 31), 422, "invalid_dates"),
    "quantity 0": (lambda s: nights(s, 0, 1, quantity=0), 422, "validation_error"),
    "quantity -1": (lambda s: nights(s, 0, 1, quantity=-1), 422, "validation_error"),
    "quantity 10**9": (lambda s: nights(s, 0, 1, quantity=10**9), 422, "validation_error"),
    "quantity abc": (lambda s: nights(s, 0, 1, quantity="abc"), 422, "validation_error"),
    "no adult in the room": (lambda s: nights(s, 0, 1, adults=0), 422, "invalid_party"),
    "more adults than the room sleeps": (lambda s: nights(s, 0, 1, adults=4), 422, "invalid_party"),
    "more guests than the room holds": (
        lambda s: nights(s, 0, 1, adults=3, children=2),
        422,
        "invalid_party",
    ),
    "unknown offer": (lambda s: {"offer": "NO-SUCH", "start_date": day(0)}, 404, "not_found"),
    "an open-dated ticket given a date": (
        lambda s: one_day(s, "open", day(0)),
        422,
        "invalid_dates",
    ),
    "a ticket 600 days ahead": (
        lambda s: one_day(s, "ticket", FAR.isoformat()),
        422,
        "invalid_dates",
    ),
    "a tour 600 days ahead": (
        lambda s: one_day(s, "tour", FAR.isoformat(), adults=2),
        422,
        "invalid_dates",
    ),
    "a date that is not a date": (
        lambda s: one_day(s, "ticket", "2031-13-45"),
        422,
        "validation_error",
    ),
    "a ticket without a date": (lambda s: one_day(s, "ticket", None), 422, "invalid_dates"),
    "a stay without a check-out date": (
        lambda s: one_day(s, "hotel", day(0)),
        422,
        "invalid_dates",
    ),
    "a tour party above its maximum": (
        lambda s: one_day(s, "tour", day(0), adults=21),
        422,
        "invalid_party",
    ),
    "a date with no inventory": (lambda s: one_day(s, "ticket", day(20)), 409, "not_bookable"),
    "a stop-sell night": (lambda s: nights(s, 0, 2), 409, "not_bookable"),
    "arrival on a closed-to-arrival date": (lambda s: nights(s, 3, 4), 409, "not_bookable"),
    "shorter than the arrival's minimum stay": (lambda s: nights(s, 5, 7), 409, "not_bookable"),
}


@pytest.mark.parametrize(("item", "status", "code"), ORDER_ITEMS.values(), ids=ORDER_ITEMS.keys())
def test_an_order_with_a_bad_item_is_refused_and_holds_nothing(client, shop, item, status, code):
    before = world()

    response = post(client, "/api/v1/orders", {"items": [item(shop)], "contact": CONTACT})

    assert_problem(response, status, code)
    assert world() == before


ORDER_BODIES = {
    "no items": (lambda s: {"items": [], "contact": CONTACT}, "validation_error"),
    "eleven items": (
        lambda s: {"items": [one_day(s, "ticket", day(0))] * 11, "contact": CONTACT},
        "validation_error",
    ),
    "a bad e-mail address": (
        lambda s: {
            "items": [one_day(s, "ticket", day(0))],
            "contact": {"name": "Li Wei", "email": "li.wei.example.com"},
        },
        "invalid_contact",
    ),
    "no contact": (lambda s: {"items": [one_day(s, "ticket", day(0))]}, "validation_error"),
    "a body that is a JSON array": (lambda s: [], "validation_error"),
    "an unknown language": (
        lambda s: {"items": [one_day(s, "ticket", day(0))], "contact": CONTACT, "language": "fr"},
        "validation_error",
    ),
    "a blank name": (
        lambda s: {
            "items": [one_day(s, "ticket", day(0))],
            "contact": {"name": "   ", "email": "li.wei@example.com"},
        },
        "invalid_contact",
    ),
}


@pytest.mark.parametrize(("body", "code"), ORDER_BODIES.values(), ids=ORDER_BODIES.keys())
def test_an_order_with_a_bad_basket_or_contact_is_refused_with_422(client, shop, body, code):
    before = world()

    response = post(client, "/api/v1/orders", body(shop))

    assert_problem(response, 422, code)
    assert world() == before


def test_a_body_that_is_not_json_is_refused_as_malformed(client, shop):
    before = world()

    response = client.post(
        "/api/v1/orders", data='{"items": [{"offer": ', content_type="application/json"
    )

    assert_problem(response, 400, "malformed_json")
    assert world() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_as_json_is_refused_with_415(client, shop, content_type):
    before = world()
    body = json.dumps({"items": [one_day(shop, "ticket", day(0))], "contact": CONTACT})

    response = client.post("/api/v1/orders", data=body, content_type=content_type)

    assert_problem(response, 415, "unsupported_media_type")
    assert world() == before


def test_a_quote_with_an_impossible_stay_is_refused_like_the_order(client, shop):
    response = post(client, "/api/v1/quotes", {"items": [nights(shop, 2, 1)]})

    assert_problem(response, 422, "invalid_dates")


SEARCHES = {
    "check-out before check-in": (
        f"check_in={day(2)}&check_out={day(1)}",
        422,
        "invalid_dates",
    ),
    "an unknown destination": ("destination=atlantis", 404, "not_found"),
    "page_size 500": ("page_size=500", 422, "validation_error"),
    "an unknown sort": ("sort=bogus", 422, "invalid_input"),
    "an unknown kind": ("kind=bogus", 422, "invalid_input"),
    "a check-in in the past": ("check_in=2020-01-01", 422, "invalid_dates"),
    "a check-in 600 days ahead": (f"check_in={FAR.isoformat()}", 422, "invalid_dates"),
    "a 31-night stay": (f"check_in={day(0)}&check_out={day(31)}", 422, "invalid_dates"),
    "a check-out without a check-in": (f"check_out={day(1)}", 422, "invalid_dates"),
    "a minimum price above the maximum": ("min_price=500&max_price=100", 422, "invalid_input"),
    "a check-in that is not a date": ("check_in=soon", 422, "validation_error"),
}


@pytest.mark.parametrize(("query", "status", "code"), SEARCHES.values(), ids=SEARCHES.keys())
def test_a_bad_search_is_refused_with_a_problem(client, shop, query, status, code):
    assert_problem(client.get(f"/api/v1/products?{query}"), status, code)


AVAILABILITY = {
    "ending before it starts": ("ticket", f"start={day(3)}&end={day(1)}", 422, "invalid_dates"),
    "over 366 days": ("ticket", f"start={day(0)}&end={day(400)}", 422, "invalid_dates"),
    "of an unknown offer": (None, "", 404, "not_found"),
}


@pytest.mark.parametrize(
    ("offer", "query", "status", "code"), AVAILABILITY.values(), ids=AVAILABILITY.keys()
)
def test_a_bad_availability_request_is_refused(client, shop, offer, query, status, code):
    code_of_offer = shop[offer] if offer else "NO-SUCH"

    response = client.get(f"/api/v1/offers/{code_of_offer}/availability?{query}")

    assert_problem(response, status, code)


def test_an_unknown_product_is_a_404_problem(client, shop):
    assert_problem(client.get("/api/v1/products/no-such-product"), 404, "not_found")


def test_an_idempotency_key_longer_than_120_characters_is_refused(client, shop):
    before = world()
    body = {"items": [one_day(shop, "ticket", day(0))], "contact": CONTACT}

    response = post(client, "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k" * 121)

    assert_problem(response, 422, "validation_error")
    assert world() == before


def test_a_wrong_http_method_on_an_api_route_is_a_405_problem(client, shop):
    response = client.delete("/api/v1/orders")

    assert_problem(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"POST"}


def book(client, offer_code: str) -> dict:
    item = {"offer": offer_code, "start_date": day(0)}
    response = post(client, "/api/v1/orders", {"items": [item], "contact": CONTACT})
    assert response.status_code == 201, response.content
    return response.json()


def test_an_unknown_order_and_a_wrong_token_get_the_same_404(client, shop):
    created = book(client, shop["ticket"])
    code, token = created["order"]["code"], created["access_token"]

    unknown = client.get("/api/v1/orders/OTNOSUCHCODE", HTTP_X_ORDER_TOKEN=token)
    wrong_token = client.get(f"/api/v1/orders/{code}", HTTP_X_ORDER_TOKEN=token[:-2] + "xx")
    no_token = client.get(f"/api/v1/orders/{code}")

    expected = assert_problem(unknown, 404, "not_found")
    assert assert_problem(wrong_token, 404, "not_found") == expected
    assert assert_problem(no_token, 404, "not_found") == expected
    assert client.get(f"/api/v1/orders/{code}", HTTP_X_ORDER_TOKEN=token).status_code == 200


def test_cancelling_with_a_wrong_token_is_a_404_and_cancels_nothing(client, shop):
    created = book(client, shop["ticket"])
    code = created["order"]["code"]
    before = world()

    response = post(client, f"/api/v1/orders/{code}/cancel", {}, HTTP_X_ORDER_TOKEN="not-it")

    assert_problem(response, 404, "not_found")
    assert Order.objects.get(code=code).status == "pending_payment"
    assert world() == before


def test_redeeming_without_an_api_key_is_unauthenticated(client):
    response = post(client, "/api/v1/supplier/vouchers/redeem", {"code": "ABCD-EFGH"})

    assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize("kind", ["unknown key", "a partner's key"])
def test_redeeming_with_a_key_that_is_not_a_suppliers_is_unauthenticated(client, kind):
    secret = "otk_" + "x" * 40
    if kind == "a partner's key":
        _, secret = ApiKey.issue(cf.OrganisationFactory(), ApiKey.Scope.PARTNER)

    response = post(
        client,
        "/api/v1/supplier/vouchers/redeem",
        {"code": "ABCD-EFGH"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert_problem(response, 401, "unauthenticated")


def test_paying_with_an_unknown_provider_is_refused_and_opens_no_payment(client, shop):
    created = book(client, shop["ticket"])
    code, token = created["order"]["code"], created["access_token"]
    before = world()

    response = post(
        client,
        f"/api/v1/orders/{code}/payments",
        {"provider": "no-such-pay"},
        HTTP_X_ORDER_TOKEN=token,
    )

    assert_problem(response, 404, "unknown_provider")
    assert world() == before


def expire(code: str) -> None:
    Order.objects.filter(code=code).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))
    Hold.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))


def test_paying_an_expired_order_is_refused_and_opens_no_payment(client, shop):
    created = book(client, shop["ticket"])
    code, token = created["order"]["code"], created["access_token"]
    expire(code)

    response = post(
        client, f"/api/v1/orders/{code}/payments", {"provider": "sandbox"}, HTTP_X_ORDER_TOKEN=token
    )

    assert_problem(response, 409, "order_expired")
    assert Payment.objects.count() == 0
    assert Order.objects.get(code=code).status == "expired"
    assert InventorySlot.objects.get(offer__code=shop["ticket"], date=DAY).held == 0


def test_cancelling_an_expired_order_is_not_cancellable(client, shop):
    created = book(client, shop["ticket"])
    code, token = created["order"]["code"], created["access_token"]
    expire(code)

    response = post(client, f"/api/v1/orders/{code}/cancel", {}, HTTP_X_ORDER_TOKEN=token)

    assert_problem(response, 409, "not_cancellable")
    assert Order.objects.get(code=code).status == "expired"
    assert Order.objects.get(code=code).events.filter(to_status="cancelled").count() == 0


def test_cancelling_a_cancelled_order_again_refunds_nothing_more(
    client, shop, django_capture_on_commit_callbacks
):
    created = book(client, shop["ticket"])
    code, token = created["order"]["code"], created["access_token"]
    started = post(
        client, f"/api/v1/orders/{code}/payments", {"provider": "sandbox"}, HTTP_X_ORDER_TOKEN=token
    )
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    body, headers = build_notification(payment, "captured")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/payments/sandbox/notify",
            data=body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, f"/api/v1/orders/{code}/cancel", {}, HTTP_X_ORDER_TOKEN=token)
    assert first.status_code == 200
    assert first.json()["refund"]["amount_minor"] == payment.amount_minor
    after_first = world()

    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, f"/api/v1/orders/{code}/cancel", {}, HTTP_X_ORDER_TOKEN=token)

    assert again.status_code == 200
    assert (again.json()["order"]["status"], again.json()["refund"]["amount_minor"]) == (
        "cancelled",
        0,
    )
    assert world() == after_first
    assert list(Refund.objects.values_list("amount_minor", flat=True)) == [payment.amount_minor]
    assert Order.objects.get(code=code).refunded_minor == payment.amount_minor
    assert Order.objects.get(code=code).events.filter(to_status="cancelled").count() == 1
