"""API v1 fuzzed from its own OpenAPI document (schemathesis).

Every operation in ``/api/v1/openapi.json`` is sent schema-driven requests — the coverage
phase's boundary and schema-breaking values, then Hypothesis-generated ones — through the
real WSGI application, against a small shop: a catalogue, an unpaid and a paid order with
their access tokens and the paid one's voucher, supplier and partner API keys, and a
signed-in customer and operator. Whatever arrives, the API must answer:

- without a server error (no 5xx);
- with a status code, media type, body and headers its OpenAPI document declares;
- with a 4xx to a request its schema forbids.

A hook lets Hypothesis aim each schema-valid request, or not, at the shop's real objects
and credentials (placeholders the test swaps for the real values), so the handlers run
past their 401s and 404s, and swap one value for a hostile one (NUL, emoji, 2**63, the
year 9999) that the schema allows but code downstream may choke on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from omnitrip.accounts.models import ApiKey, User
from omnitrip.accounts.tests.factories import with_totp
from omnitrip.catalog.models import ProductKind
from omnitrip.catalog.tests import factories as cf
from omnitrip.fulfilment.models import Voucher
from omnitrip.payments.models import Payment
from omnitrip.plugins.payment_sandbox.provider import build_notification
from omnitrip.pricing.models import ExchangeRate
from omnitrip.wsgi import application

# Runs once, on the suite's database (PostgreSQL in CI); a fuzz pass per backend is not
# worth its minutes, so this is not `sqlite_too`.
pytestmark = [pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

TODAY = dt.date.today()
DAY = TODAY + dt.timedelta(days=10)
CONTACT = {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138 0000 0000"}
CSRF = "fuzz" * 8  # a CSRF secret (32 letters), sent as the csrftoken cookie and X-CSRFToken

# Placeholders for the shop's objects and credentials, swapped for real values in the test.
ORDER, TOKEN = "@order", "@token"
PAID_ORDER, PAID_TOKEN, VOUCHER = "@paid-order", "@paid-token", "@voucher"
SUPPLIER_KEY, PARTNER_KEY = "@supplier-key", "@partner-key"
CUSTOMER_SESSION, STAFF_SESSION = "@customer-session", "@staff-session"
KINDS = ("hotel", "ticket", "tour", "open-ticket")
PRODUCTS = {kind: f"@product-{kind}" for kind in KINDS}
OFFERS = {kind: f"@offer-{kind}" for kind in KINDS}
# How each kind is booked: nights (None: an open-dated ticket, no date) and days after DAY.
STAYS = {"hotel": (2, 5), "ticket": (0, 0), "tour": (0, 2), "open-ticket": (None, 0)}


def book(client: Client, offer: str, start: dt.date) -> dict:
    item = {"offer": offer, "start_date": start.isoformat(), "adults": 1}
    response = client.post(
        "/api/v1/orders",
        data=json.dumps({"items": [item], "contact": CONTACT}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def pay(client: Client, created: dict) -> None:
    code, token = created["order"]["code"], created["access_token"]
    started = client.post(
        f"/api/v1/orders/{code}/payments",
        data=json.dumps({"provider": "sandbox"}),
        content_type="application/json",
        HTTP_X_ORDER_TOKEN=token,
    )
    assert started.status_code == 201, started.content
    payment = Payment.objects.get(code=started.json()["payment"]["code"])
    body, headers = build_notification(payment, "captured")
    notified = client.post(
        "/api/v1/payments/sandbox/notify",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert notified.status_code == 200, notified.content


def session_of(user: User) -> str:
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in.cookies["sessionid"].value


@pytest.fixture
def shop(client, django_capture_on_commit_callbacks) -> dict[str, str]:
    """The real value of every placeholder."""
    places = cf.destination_tree()
    offers = {
        "hotel": cf.hotel_offer(start=TODAY, days=30, capacity=5),
        "ticket": cf.dated_offer(start=TODAY, days=30, capacity=20, child_price_minor=6000),
        "tour": cf.dated_offer(ProductKind.TOUR, start=TODAY, days=30, capacity=20),
        "open-ticket": cf.open_dated_ticket(quota=50),
    }
    for offer in offers.values():
        offer.product.destination = places["kunming"]
        offer.product.save(update_fields=["destination"])
    ExchangeRate.objects.create(base="CNY", quote="USD", rate=Decimal("0.14"), as_of=TODAY)

    unpaid = book(client, offers["ticket"].code, DAY)
    paid = book(client, offers["ticket"].code, DAY + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, paid)
    voucher = Voucher.objects.get(order_item__order__code=paid["order"]["code"])
    _, supplier_key = ApiKey.issue(offers["ticket"].product.supplier, ApiKey.Scope.SUPPLIER)
    _, partner_key = ApiKey.issue(cf.OrganisationFactory(), ApiKey.Scope.PARTNER)
    customer = User.objects.create_user("customer", "customer@example.com", "-")
    staff = User.objects.create_user("operator", "operator@example.com", "-", is_staff=True)
    with_totp(staff)
    return {
        ORDER: unpaid["order"]["code"],
        TOKEN: unpaid["access_token"],
        PAID_ORDER: paid["order"]["code"],
        PAID_TOKEN: paid["access_token"],
        VOUCHER: voucher.code,
        SUPPLIER_KEY: supplier_key,
        PARTNER_KEY: partner_key,
        CUSTOMER_SESSION: session_of(customer),
        STAFF_SESSION: session_of(staff),
        **{PRODUCTS[kind]: offer.product.code for kind, offer in offers.items()},
        **{OFFERS[kind]: offer.code for kind, offer in offers.items()},
    }


# Aiming requests at the shop ----------------------------------------------------------
# A target names, per part of the request, the values to put in; a body target is a
# function of the generated body.
Target = dict[str, Any]


def basket(kind: str, *, whole: bool) -> Callable[[Any], Any]:
    """Each generated item made to name a real offer on a bookable date; ``whole`` also
    makes the party and the contact plausible, so that the booking can go through."""
    nights, offset = STAYS[kind]
    start = DAY + dt.timedelta(days=offset)
    dates = {
        "start_date": None if nights is None else start.isoformat(),
        "end_date": (start + dt.timedelta(days=nights)).isoformat() if nights else None,
    }
    party = {"quantity": 1, "adults": 1, "children": 0} if whole else {}

    def aim(body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            return body
        items = [
            {**item, "offer": OFFERS[kind], **dates, **party} if isinstance(item, dict) else item
            for item in body["items"]
        ]
        contact = {"contact": CONTACT} if whole and "contact" in body else {}
        return {**body, "items": items, **contact}

    return aim


def signed_in(session: str) -> Target:
    return {"cookies": {"sessionid": session, "csrftoken": CSRF}, "headers": {"X-CSRFToken": CSRF}}


def order_targets(operation: str) -> list[Target]:
    if operation == "get_voucher_qr":
        path = {"code": PAID_ORDER, "voucher": VOUCHER}
        return [
            {"path_parameters": {**path, "fmt": fmt}, **credentials}
            for fmt in ("svg", "png")
            for credentials in (
                {"headers": {"X-Order-Token": PAID_TOKEN}},
                {"query": {"token": PAID_TOKEN}},
            )
        ]
    targets: list[Target] = [
        {"path_parameters": {"code": code}, "headers": {"X-Order-Token": token}}
        for code, token in ((ORDER, TOKEN), (PAID_ORDER, PAID_TOKEN))
    ]
    if operation == "get_vouchers_pdf":
        targets.append({"path_parameters": {"code": PAID_ORDER}, "query": {"token": PAID_TOKEN}})
    if operation == "get_order":
        targets.append(
            {"path_parameters": {"code": PAID_ORDER}, "headers": {"X-Order-Token": TOKEN}}
        )
    if operation == "start_payment":
        for provider in ("sandbox", "wallet", "account"):
            targets.append(
                {
                    **targets[0],
                    "body": lambda body, provider=provider: (
                        {**body, "provider": provider} if isinstance(body, dict) else body
                    ),
                }
            )
    return targets


def targets_of(operation: str) -> list[Target]:
    """The ways a request to ``operation`` can name the shop's objects and credentials."""
    if operation == "get_product":
        return [{"path_parameters": {"code": code}} for code in PRODUCTS.values()]
    if operation == "get_availability":
        return [{"path_parameters": {"code": code}} for code in OFFERS.values()]
    if operation == "search_products":
        return [
            {"query": {"destination": "yunnan", "currency": "USD"}},
            {"query": {"destination": "kunming", "kind": "hotel", "sort": "price"}},
        ]
    if operation in ("create_quote", "create_order"):
        targets = [{"body": basket(kind, whole=whole)} for kind in KINDS for whole in (False, True)]
        if operation == "create_quote":
            return [*targets, {"query": {"currency": "USD"}, "body": basket("hotel", whole=True)}]
        partner = {"headers": {"Authorization": f"Bearer {PARTNER_KEY}"}}
        return [*targets, {**partner, "body": basket("ticket", whole=True)}]
    if operation in (
        "get_order",
        "start_payment",
        "preview_cancellation",
        "cancel_order",
        "list_vouchers",
        "get_vouchers_pdf",
        "get_voucher_qr",
    ):
        return order_targets(operation)
    if operation == "redeem_voucher":
        voucher = {
            "body": lambda body: {**body, "code": VOUCHER} if isinstance(body, dict) else body
        }
        return [
            {"headers": {"Authorization": f"Bearer {SUPPLIER_KEY}"}, **voucher},
            {"headers": {"X-Api-Key": SUPPLIER_KEY}, **voucher},
            {"headers": {"Authorization": f"Bearer {SUPPLIER_KEY}"}},
        ]
    if operation in ("get_wallet", "top_up_wallet"):
        return [signed_in(CUSTOMER_SESSION), signed_in(STAFF_SESSION)]
    if operation in ("refund_order", "get_money_trail"):
        return [
            {"path_parameters": {"code": PAID_ORDER}, **signed_in(STAFF_SESSION)},
            {"path_parameters": {"code": PAID_ORDER}, **signed_in(CUSTOMER_SESSION)},
        ]
    if operation == "payment_notification":
        return [{"path_parameters": {"provider": "sandbox"}}]
    return []


def aimed(case, target: Target):
    for part in ("path_parameters", "headers", "cookies", "query"):
        if part in target:
            setattr(case, part, {**(getattr(case, part) or {}), **target[part]})
    if "body" in target:
        case.body = target["body"](case.body)
    return case


# Inputs that broke web APIs before: NUL (PostgreSQL refuses it in text), other control
# and non-ASCII characters, numbers past 64 bits, the first and last representable dates.
HOSTILE_STRINGS = (
    "\x00",
    "OT-\x00",
    "\x1b[0m\r\n",
    "é中文🙂",
    "%00%ff",
    "../../etc/passwd",
    " ",
    "9" * 30,
    "0001-01-01",
    "9999-12-31",
)
HOSTILE_NUMBERS = (2**63, -(2**63) - 1, 10**30, 0, -1)


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, bool]]:
    """Paths (up to four keys long) to the strings and numbers in a JSON body, and whether
    each holds a number."""
    if isinstance(value, dict | list) and len(path) < 4:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _leaves(item, (*path, key))
    elif isinstance(value, str | int) and not isinstance(value, bool) and path:
        yield path, isinstance(value, int)


def _replaced(body: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = _replaced(body[head], tuple(rest), value)
    return copy


def _takes_numbers(parameter) -> bool:
    schema = parameter.definition.get("schema", {})
    return any(s.get("type") == "integer" for s in [schema, *schema.get("anyOf", [])])


def spoiled(case):
    """The case as it is, or with one parameter or body value swapped for a hostile one.

    A number goes where numbers go and is spelled as a string elsewhere, so the request stays
    as valid (or not) for its schema as the hostile value allows.
    """
    slots = [
        (part, parameter.name, _takes_numbers(parameter))
        for part, parameters in (
            ("path_parameters", case.operation.path_parameters),
            ("query", case.operation.query),
            ("headers", case.operation.headers),
        )
        for parameter in parameters
    ]
    if isinstance(case.body, dict | list):
        slots += [("body", path, is_number) for path, is_number in _leaves(case.body)]
    if not slots:
        return st.just(case)

    def spoil(choice: tuple) -> Any:
        (part, name, takes_numbers), value = choice
        if isinstance(value, int) and not takes_numbers:
            value = str(value)
        if part == "body":
            case.body = _replaced(case.body, name, value)
        elif part == "headers":
            # Only what an HTTP client can send: printable ASCII, no surrounding blanks.
            value = str(value)
            if value.isascii() and value.isprintable() and value == value.strip() != "":
                case.headers = {**(case.headers or {}), name: value}
        else:
            setattr(case, part, {**(getattr(case, part) or {}), name: value})
        return case

    values = st.sampled_from(HOSTILE_STRINGS + HOSTILE_NUMBERS)
    return st.one_of(st.just(case), st.tuples(st.sampled_from(slots), values).map(spoil))


@schema.hook
def flatmap_case(context, case):
    """A schema-valid request as generated or aimed at the shop (Hypothesis chooses), and
    then perhaps with one hostile value; a schema-violating one as generated."""
    if case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE:
        return st.just(case)  # it must stay schema-violating: negative_data_rejection says so
    targets = targets_of(case.operation.definition.raw["operationId"])
    aim = st.one_of(st.just(None), st.sampled_from(targets)) if targets else st.just(None)
    return aim.map(lambda target: case if target is None else aimed(case, target)).flatmap(spoiled)


def real(value: Any, shop: dict[str, str]) -> Any:
    """``value`` with its placeholders (also after "Bearer ") swapped for the real values."""
    if isinstance(value, str):
        scheme, _, last = value.rpartition(" ")
        if last in shop:
            return f"{scheme} {shop[last]}" if scheme else shop[last]
        return value
    if isinstance(value, dict):
        return {k: real(v, shop) for k, v in value.items()}
    if isinstance(value, list):
        return [real(v, shop) for v in value]
    return value


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django's WSGI handler closes the database connection around each request, which
    would end the test's transaction; Django's own test client unhooks the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# pytest 9 builds a test's node id from the function's name and its parameters, and
# schemathesis 4.32 gives its tests (one per operation) no parameters: all would share one id,
# which pytest-xdist cannot tell apart (it then runs or reports only one). A parameter, the
# database the run is on, puts the operation in each id: test_…[GET /api/v1/products][postgresql].
@pytest.mark.parametrize("database", [connection.vendor])
@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the shop is built once per operation, on purpose
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_answer_is_one_the_openapi_document_declares(case, shop, database):
    for part in ("path_parameters", "headers", "cookies", "query"):
        if getattr(case, part):
            setattr(case, part, real(getattr(case, part), shop))
    if isinstance(case.body, dict | list):
        case.body = real(case.body, shop)

    with connection_kept_open():
        response = case.call()

    case.validate_response(response, checks=CHECKS)
