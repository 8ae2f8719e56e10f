"""Where an order's money goes, through the API: capture, split, refunds, wallet, account.

The order used throughout: two tickets at 120.00 with a 6 % tax added on top, sold by a
supplier at the default 15.00 % commission, so 254.40 = 204.00 supplier net + 36.00
margin + 14.40 tax. After every test the whole ledger must still pass ``check_ledger``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from omnitrip.accounts.models import ApiKey, Organisation, OrganisationKind, User
from omnitrip.accounts.tests.factories import with_totp
from omnitrip.catalog.models import Offer
from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import InventorySlot
from omnitrip.ledger.models import Account, JournalEntry, JournalLine
from omnitrip.ledger.queries import check_ledger
from omnitrip.ledger.services import account_for, balance, credit, debit, post_entry
from omnitrip.ledger.subjects import Subject
from omnitrip.orders.models import Order
from omnitrip.orders.postings import held_for_order
from omnitrip.orders.services.lifecycle import expire_unpaid_orders
from omnitrip.payments.models import Payment, Refund
from omnitrip.plugins.payment_sandbox.provider import build_notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
FAR = TODAY + dt.timedelta(days=10)  # free cancellation (3+ days before)
NEAR = TODAY + dt.timedelta(days=2)  # 50 % penalty (1-2 days before, whatever the zone)
TOTAL, NET, MARGIN, TAX = 25_440, 20_400, 3_600, 1_440


@pytest.fixture(autouse=True)
def ledger_stays_sound():
    yield
    assert check_ledger().problems == []


# --- builders ----------------------------------------------------------------------------


def ticket_offer(capacity: int = 10) -> Offer:
    offer = cf.dated_offer(capacity=capacity, price_minor=12_000)
    cf.vat(offer.product)
    return offer


def person(name: str, *, is_staff: bool = False) -> User:
    user = User.objects.create_user(username=name, email=f"{name}@example.com", is_staff=is_staff)
    if is_staff:
        with_totp(user)  # operators act only with two-factor set up
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def book(client: Client, offer: Offer, date: dt.date = FAR, **headers) -> dict:
    body = {
        "items": [
            {"offer": offer.code, "start_date": date.isoformat(), "quantity": 2, "adults": 1}
        ],
        "contact": {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138 0000 0000"},
    }
    response = post(client, "/api/v1/orders", body, **headers)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["order"]["total"]["amount_minor"] == TOTAL
    return created


def deliver(client: Client, payment: Payment, outcome: str = "captured") -> None:
    body, headers = build_notification(payment, outcome)
    response = client.post(
        "/api/v1/payments/sandbox/notify",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert response.status_code == 200, response.content


def start_sandbox(client: Client, created: dict) -> Payment:
    code = created["order"]["code"]
    started = post(
        client,
        f"/api/v1/orders/{code}/payments",
        {"provider": "sandbox"},
        HTTP_X_ORDER_TOKEN=created["access_token"],
    )
    assert started.status_code == 201, started.content
    return Payment.objects.get(code=started.json()["payment"]["code"])


def pay_by_sandbox(client: Client, created: dict, django_capture_on_commit_callbacks) -> Payment:
    payment = start_sandbox(client, created)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payment)
    payment.refresh_from_db()
    return payment


def order_of(created: dict) -> Order:
    return Order.objects.get(code=created["order"]["code"])


def account(subject: str, **owner) -> Account:
    return account_for(subject, "CNY", **owner)


def clearing() -> Account:
    return account(Subject.PROVIDER_CLEARING, provider="sandbox")


def wallet_of(user: User) -> Account:
    return account(Subject.CUSTOMER_WALLET, user=user)


def wallet_balance(user: User) -> int:
    """What the customer holds, as a positive number."""
    return -balance(wallet_of(user))


def held_by_subject(order: Order) -> dict[str, int]:
    held: dict[str, int] = {}
    for acc, amount in held_for_order(order).values():
        held[acc.subject] = held.get(acc.subject, 0) + amount
    return {subject: amount for subject, amount in held.items() if amount}


def top_up(client: Client, user: User, amount_minor: int, django_capture_on_commit_callbacks):
    response = post(
        client,
        "/api/v1/wallet/top-ups",
        {"amount_minor": amount_minor, "currency": "CNY"},
        HTTP_IDEMPOTENCY_KEY=f"top-up-{amount_minor}-{Payment.objects.count()}",
    )
    assert response.status_code == 201, response.content
    payment = Payment.objects.get(code=response.json()["payment"]["code"])
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, payment)
    return payment


def pay_from_wallet(client: Client, created: dict, amount_minor: int | None = None):
    body: dict = {"provider": "wallet"}
    if amount_minor is not None:
        body["amount_minor"] = amount_minor
    return post(client, f"/api/v1/orders/{created['order']['code']}/payments", body)


def everything_money() -> dict:
    """A fingerprint of every money row, to prove a refused request changed nothing."""
    return {
        "journal": (JournalEntry.objects.count(), JournalLine.objects.count()),
        "balances": sorted(Account.objects.values_list("code", "balance_minor")),
        "payments": sorted(Payment.objects.values_list("code", "status", "refunded_minor")),
        "refunds": Refund.objects.count(),
        "orders": sorted(Order.objects.values_list("code", "status", "refunded_minor")),
    }


# --- capture and split -------------------------------------------------------------------


def test_a_sandbox_paid_order_is_split_into_supplier_net_margin_and_tax_and_leaves_advances_empty(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    supplier = offer.product.supplier
    created = book(client, offer)

    payment = pay_by_sandbox(client, created, django_capture_on_commit_callbacks)

    order = order_of(created)
    assert order.status == "confirmed"
    item = order.items.get()
    assert (item.subtotal_minor, item.taxes_minor, item.commission_percent) == (
        24_000,
        1_440,
        Decimal("15.00"),
    )
    assert (payment.status, payment.amount_minor) == ("captured", TOTAL)
    assert balance(clearing()) == TOTAL
    assert balance(account(Subject.CUSTOMER_ADVANCES)) == 0
    assert balance(account(Subject.SUPPLIER_PAYABLE, organisation=supplier)) == -NET
    assert balance(account(Subject.PLATFORM_REVENUE_MARGIN)) == -MARGIN
    assert balance(account(Subject.TAXES_PAYABLE)) == -TAX
    assert held_by_subject(order) == {
        "supplier_payable": NET,
        "platform_revenue_margin": MARGIN,
        "taxes_payable": TAX,
    }


def test_the_margin_is_the_rate_the_supplier_had_when_the_order_was_booked(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    supplier = offer.product.supplier
    supplier.commission_percent = Decimal("12.50")
    supplier.save()
    created = book(client, offer)
    supplier.commission_percent = Decimal("40.00")  # renegotiated after the booking
    supplier.save()

    pay_by_sandbox(client, created, django_capture_on_commit_callbacks)

    assert held_by_subject(order_of(created)) == {
        "supplier_payable": 21_000,
        "platform_revenue_margin": 3_000,
        "taxes_payable": TAX,
    }


def trail_lines(entry: dict) -> list[tuple[str, int]]:
    return [(line["account"], line["amount"]["amount_minor"]) for line in entry["lines"]]


def test_staff_see_the_orders_money_trail_with_the_capture_then_the_split(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    supplier_code = offer.product.supplier.code
    created = book(client, offer)
    payment = pay_by_sandbox(client, created, django_capture_on_commit_callbacks)

    response = signed_in(person("ops", is_staff=True)).get(
        f"/api/v1/orders/{created['order']['code']}/money-trail"
    )

    assert response.status_code == 200, response.content
    trail = response.json()
    assert [(e["kind"], e["payment"], e["refund"]) for e in trail] == [
        ("payment.captured", payment.code, None),
        ("order.confirmed", None, None),
    ]
    assert trail_lines(trail[0]) == [
        ("provider_clearing/provider:sandbox/CNY", TOTAL),
        ("customer_advances/platform/CNY", -TOTAL),
    ]
    assert trail_lines(trail[1]) == [
        ("customer_advances/platform/CNY", TOTAL),
        (f"supplier_payable/org:{supplier_code}/CNY", -NET),
        ("platform_revenue_margin/platform/CNY", -MARGIN),
        ("taxes_payable/platform/CNY", -TAX),
    ]


# --- refunds of a confirmed order --------------------------------------------------------


def test_a_cancellation_refund_takes_the_split_back_in_proportion_and_is_paid_out_by_the_sandbox(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    supplier = offer.product.supplier
    created = book(client, offer, NEAR)
    pay_by_sandbox(client, created, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/orders/{created['order']['code']}/cancel",
            HTTP_X_ORDER_TOKEN=created["access_token"],
        )

    assert response.status_code == 200, response.content
    assert response.json()["refund"]["amount_minor"] == TOTAL // 2
    order = order_of(created)
    assert (order.status, order.refunded_minor) == ("cancelled", TOTAL // 2)
    # Half of every part of the split comes back; the other half is the penalty.
    assert held_by_subject(order) == {
        "supplier_payable": NET // 2,
        "platform_revenue_margin": MARGIN // 2,
        "taxes_payable": TAX // 2,
    }
    assert balance(account(Subject.SUPPLIER_PAYABLE, organisation=supplier)) == -NET // 2
    assert list(Refund.objects.values_list("amount_minor", "status")) == [(TOTAL // 2, "succeeded")]
    assert balance(account(Subject.REFUNDS_PAYABLE)) == 0
    assert balance(clearing()) == TOTAL - TOTAL // 2
    kinds = list(JournalEntry.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == ["payment.captured", "order.confirmed", "refund.requested", "refund.paid"]


def staff_refund(staff: Client, created: dict, amount_minor: int, reason: str):
    return post(
        staff,
        f"/api/v1/orders/{created['order']['code']}/refunds",
        {"amount_minor": amount_minor, "reason": reason},
    )


def test_staff_refund_in_parts_up_to_the_total_and_one_fen_more_is_refused_with_nothing_changed(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    created = book(client, offer)
    payment = pay_by_sandbox(client, created, django_capture_on_commit_callbacks)
    staff = signed_in(person("ops", is_staff=True))

    answers = []
    for amount, reason in [(10_000, "goodwill"), (10_000, "price match"), (5_440, "late pickup")]:
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_refund(staff, created, amount, reason)
        assert response.status_code == 201, response.content
        body = response.json()
        answers.append((body["refunded"]["amount_minor"], body["order_refunded"]["amount_minor"]))

    assert answers == [(10_000, 10_000), (10_000, 20_000), (5_440, TOTAL)]
    payment.refresh_from_db()
    assert payment.refunded_minor == TOTAL
    assert sorted(Refund.objects.values_list("amount_minor", "status")) == [
        (5_440, "succeeded"),
        (10_000, "succeeded"),
        (10_000, "succeeded"),
    ]
    order = order_of(created)
    assert held_by_subject(order) == {}
    assert balance(clearing()) == 0
    assert balance(account(Subject.REFUNDS_PAYABLE)) == 0
    before = everything_money()

    with django_capture_on_commit_callbacks(execute=True):
        refused = staff_refund(staff, created, 1, "one more")

    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_input"
    assert everything_money() == before


def test_staff_without_two_factor_cannot_refund_and_nothing_changes(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    created = book(client, offer)
    pay_by_sandbox(client, created, django_capture_on_commit_callbacks)
    password_only = User.objects.create_user(
        username="ops2", email="ops2@example.com", is_staff=True
    )
    before = everything_money()

    with django_capture_on_commit_callbacks(execute=True):
        refused = staff_refund(signed_in(password_only), created, 1_000, "goodwill")

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert Refund.objects.count() == 0
    assert everything_money() == before


def test_two_staff_refunds_with_the_same_reason_are_two_refunds(
    client, django_capture_on_commit_callbacks
):
    """Staff give 50.00 goodwill twice, for two separate complaints, with the same words."""
    offer = ticket_offer()
    created = book(client, offer)
    payment = pay_by_sandbox(client, created, django_capture_on_commit_callbacks)
    staff = signed_in(person("ops", is_staff=True))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_refund(staff, created, 5_000, "goodwill")
        assert response.status_code == 201, response.content

    payment.refresh_from_db()
    order = order_of(created)
    assert list(Refund.objects.values_list("amount_minor", flat=True)) == [5_000, 5_000]
    assert payment.refunded_minor == 10_000
    assert order.refunded_minor == 10_000
    assert sum(held_by_subject(order).values()) == TOTAL - 10_000


def test_staff_refunds_of_different_amounts_with_the_same_reason_are_both_made(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    created = book(client, offer)
    pay_by_sandbox(client, created, django_capture_on_commit_callbacks)
    staff = signed_in(person("ops", is_staff=True))

    with django_capture_on_commit_callbacks(execute=True):
        first = staff_refund(staff, created, 5_000, "goodwill")
    with django_capture_on_commit_callbacks(execute=True):
        second = staff_refund(staff, created, 3_000, "goodwill")

    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert order_of(created).refunded_minor == 8_000


def test_a_staff_refund_retried_with_the_same_idempotency_key_refunds_once(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    created = book(client, offer)
    pay_by_sandbox(client, created, django_capture_on_commit_callbacks)
    staff = signed_in(person("ops", is_staff=True))

    answers = []
    for _ in range(2):  # the operator's browser resends the form
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                staff,
                f"/api/v1/orders/{created['order']['code']}/refunds",
                {"amount_minor": 5_000, "reason": "goodwill"},
                HTTP_IDEMPOTENCY_KEY="refund-form-1",
            )
        assert response.status_code == 201, response.content
        answers.append(response.json()["refunded"]["amount_minor"])

    assert answers == [5_000, 5_000]
    assert list(Refund.objects.values_list("amount_minor", flat=True)) == [5_000]
    assert order_of(created).refunded_minor == 5_000
    assert sum(held_by_subject(order_of(created)).values()) == TOTAL - 5_000


def test_a_customer_who_is_not_staff_may_neither_refund_nor_read_the_money_trail(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    created = book(customer, offer)
    pay_by_sandbox(customer, created, django_capture_on_commit_callbacks)
    before = everything_money()

    with django_capture_on_commit_callbacks(execute=True):
        refund = staff_refund(customer, created, 1_000, "I want it back")
    trail = customer.get(f"/api/v1/orders/{created['order']['code']}/money-trail")

    assert (refund.status_code, refund.json()["code"]) == (403, "permission_denied")
    assert (trail.status_code, trail.json()["code"]) == (403, "permission_denied")
    assert everything_money() == before


# --- the wallet --------------------------------------------------------------------------


def test_a_wallet_top_up_is_credited_once_the_sandbox_captures_it_and_shows_in_the_wallet(
    django_capture_on_commit_callbacks,
):
    buyer = person("li.wei")
    customer = signed_in(buyer)
    response = post(
        customer,
        "/api/v1/wallet/top-ups",
        {"amount_minor": 50_000, "currency": "CNY"},
        HTTP_IDEMPOTENCY_KEY="top-up-1",
    )
    assert response.status_code == 201, response.content
    payment = Payment.objects.get(code=response.json()["payment"]["code"])
    assert (payment.purpose, payment.wallet_owner_id, payment.status) == (
        "wallet_top_up",
        buyer.pk,
        "pending",
    )
    assert customer.get("/api/v1/wallet").json() == {"balances": [], "movements": []}

    with django_capture_on_commit_callbacks(execute=True):
        deliver(customer, payment)

    assert wallet_balance(buyer) == 50_000
    assert balance(clearing()) == 50_000
    wallet = customer.get("/api/v1/wallet").json()
    assert [(b["amount_minor"], b["currency"]) for b in wallet["balances"]] == [(50_000, "CNY")]
    assert [(m["kind"], m["amount"]["amount_minor"], m["order"]) for m in wallet["movements"]] == [
        ("wallet.topped_up", 50_000, None)
    ]


def test_a_replayed_or_repeated_top_up_notification_credits_the_wallet_once(
    django_capture_on_commit_callbacks,
):
    buyer = person("li.wei")
    customer = signed_in(buyer)
    payment = top_up(customer, buyer, 20_000, django_capture_on_commit_callbacks)
    body, headers = build_notification(payment, "captured", event_id="evt_top_up_again")
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # the same event replayed, after a new event for the same capture
            response = customer.post(
                "/api/v1/payments/sandbox/notify",
                data=body,
                content_type="application/json",
                **meta,
            )
            assert response.status_code == 200
        deliver(customer, payment, "failed")  # a late "failed" undoes nothing

    assert wallet_balance(buyer) == 20_000
    assert JournalEntry.objects.filter(kind="wallet.topped_up").count() == 1
    payment.refresh_from_db()
    assert payment.status == "captured"


def test_a_forged_top_up_notification_credits_nothing(django_capture_on_commit_callbacks):
    buyer = person("li.wei")
    customer = signed_in(buyer)
    response = post(
        customer,
        "/api/v1/wallet/top-ups",
        {"amount_minor": 1_000, "currency": "CNY"},
        HTTP_IDEMPOTENCY_KEY="top-up-1",
    )
    payment = Payment.objects.get(code=response.json()["payment"]["code"])
    body, headers = build_notification(payment, "captured")
    forged = body.replace(b'"amount_minor":1000', b'"amount_minor":9000000')
    assert forged != body
    before = everything_money()

    with django_capture_on_commit_callbacks(execute=True):
        refused = customer.post(
            "/api/v1/payments/sandbox/notify",
            data=forged,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )

    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_signature")
    assert everything_money() == before
    assert customer.get("/api/v1/wallet").json()["balances"] == []


def test_the_wallet_is_for_signed_in_customers_only(client):
    assert client.get("/api/v1/wallet").status_code == 401


def test_part_from_the_wallet_and_the_rest_by_sandbox_confirms_the_order_and_debits_the_wallet_exactly(
    django_capture_on_commit_callbacks,
):
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    top_up(customer, buyer, 10_000, django_capture_on_commit_callbacks)
    created = book(customer, offer)
    assert order_of(created).customer_id == buyer.pk

    with django_capture_on_commit_callbacks(execute=True):
        part = pay_from_wallet(customer, created, 4_000)

    assert part.status_code == 201, part.content
    assert (part.json()["payment"]["provider"], part.json()["payment"]["status"]) == (
        "wallet",
        "captured",
    )
    assert order_of(created).status == "pending_payment"
    assert wallet_balance(buyer) == 6_000
    assert held_by_subject(order_of(created)) == {"customer_advances": 4_000}

    rest = pay_by_sandbox(customer, created, django_capture_on_commit_callbacks)

    assert rest.amount_minor == TOTAL - 4_000
    order = order_of(created)
    assert order.status == "confirmed"
    assert wallet_balance(buyer) == 6_000
    assert held_by_subject(order) == {
        "supplier_payable": NET,
        "platform_revenue_margin": MARGIN,
        "taxes_payable": TAX,
    }
    assert balance(clearing()) == 10_000 + TOTAL - 4_000
    movements = customer.get("/api/v1/wallet").json()["movements"]
    assert [(m["kind"], m["amount"]["amount_minor"], m["order"]) for m in movements] == [
        ("payment.wallet", -4_000, order.code),
        ("wallet.topped_up", 10_000, None),
    ]


def test_paying_more_from_the_wallet_than_it_holds_is_refused_with_nothing_changed(
    django_capture_on_commit_callbacks,
):
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    top_up(customer, buyer, 5_000, django_capture_on_commit_callbacks)
    created = book(customer, offer)
    before = everything_money()

    refused = pay_from_wallet(customer, created, 5_001)

    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_funds"
    assert everything_money() == before
    assert wallet_balance(buyer) == 5_000
    assert order_of(created).status == "pending_payment"


def test_only_the_customer_who_booked_can_pay_from_a_wallet(django_capture_on_commit_callbacks):
    offer = ticket_offer()
    buyer, stranger = person("li.wei"), person("wang.fang")
    top_up(signed_in(stranger), stranger, 50_000, django_capture_on_commit_callbacks)
    created = book(signed_in(buyer), offer)
    before = everything_money()

    refused = pay_from_wallet(signed_in(stranger), created)

    assert refused.status_code == 404  # the stranger may not even see the order
    assert everything_money() == before


def expire_now_and_sweep(created: dict, django_capture_on_commit_callbacks) -> None:
    Order.objects.filter(code=created["order"]["code"]).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_unpaid_orders() == 1


def test_a_part_paid_order_that_expires_gives_the_wallet_its_money_back(
    django_capture_on_commit_callbacks,
):
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    top_up(customer, buyer, 10_000, django_capture_on_commit_callbacks)
    created = book(customer, offer)
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_from_wallet(customer, created, 4_000).status_code == 201

    expire_now_and_sweep(created, django_capture_on_commit_callbacks)

    order = order_of(created)
    assert order.status == "expired"
    assert wallet_balance(buyer) == 10_000
    wallet_payment = order.payments.get()
    assert (wallet_payment.provider, wallet_payment.refunded_minor) == ("wallet", 4_000)
    assert list(Refund.objects.values_list("amount_minor", "status")) == [(4_000, "succeeded")]
    assert held_by_subject(order) == {}
    assert balance(account(Subject.REFUNDS_PAYABLE)) == 0
    assert InventorySlot.objects.get(offer=offer, date=FAR).held == 0


def test_a_late_sandbox_payment_for_the_rest_of_an_expired_order_whose_wallet_part_went_back_is_refunded(
    django_capture_on_commit_callbacks,
):
    """The wallet's 40.00 went back when the order expired, so 214.40 no longer pays it.

    The sandbox payment for the rest was opened before the expiry and captured after it.
    The order must not be confirmed for 214.40 of its 254.40: that money goes back.
    """
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    top_up(customer, buyer, 10_000, django_capture_on_commit_callbacks)
    created = book(customer, offer)
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_from_wallet(customer, created, 4_000).status_code == 201
    rest = start_sandbox(customer, created)
    assert rest.amount_minor == TOTAL - 4_000
    expire_now_and_sweep(created, django_capture_on_commit_callbacks)
    assert wallet_balance(buyer) == 10_000

    with django_capture_on_commit_callbacks(execute=True):
        deliver(customer, rest)

    order = order_of(created)
    rest.refresh_from_db()
    assert order.status == "expired"
    assert (rest.status, rest.refunded_minor) == ("captured", TOTAL - 4_000)
    assert wallet_balance(buyer) == 10_000
    assert held_by_subject(order) == {}
    assert balance(clearing()) == 10_000  # only the top-up stays with us


def test_cancelling_with_refund_to_wallet_credits_the_customers_wallet(
    django_capture_on_commit_callbacks,
):
    offer = ticket_offer()
    buyer = person("li.wei")
    customer = signed_in(buyer)
    created = book(customer, offer)
    payment = pay_by_sandbox(customer, created, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = customer.post(
            f"/api/v1/orders/{created['order']['code']}/cancel?refund_to=wallet"
        )

    assert response.status_code == 200, response.content
    assert response.json()["refund"]["amount_minor"] == TOTAL
    order = order_of(created)
    payment.refresh_from_db()
    assert (order.status, order.refunded_minor, payment.refunded_minor) == (
        "cancelled",
        TOTAL,
        TOTAL,
    )
    assert list(Refund.objects.values_list("destination", "amount_minor", "status")) == [
        ("wallet", TOTAL, "succeeded")
    ]
    assert wallet_balance(buyer) == TOTAL
    assert balance(clearing()) == TOTAL  # the money stays with us, now owed to the wallet
    assert balance(account(Subject.REFUNDS_PAYABLE)) == 0
    assert held_by_subject(order) == {}


# --- distributors on account -------------------------------------------------------------


def distributor(credit_limit_minor: int, deposit_minor: int) -> tuple[Organisation, str]:
    org = Organisation.objects.create(
        code="tianjin-travel",
        kind=OrganisationKind.DISTRIBUTOR,
        name_en="Tianjin Travel",
        credit_limit_minor=credit_limit_minor,
    )
    _key, secret = ApiKey.issue(org, ApiKey.Scope.PARTNER)
    if deposit_minor:
        deposit = account(Subject.DISTRIBUTOR_DEPOSIT, organisation=org)
        with transaction.atomic():
            post_entry(
                "deposit.received",
                [debit(clearing(), deposit_minor), credit(deposit, deposit_minor)],
            )
    return org, secret


def deposit_and_owed(org: Organisation) -> tuple[int, int]:
    """(deposit left, amount owed on credit), both as positive numbers."""
    return (
        -balance(account(Subject.DISTRIBUTOR_DEPOSIT, organisation=org)),
        balance(account(Subject.DISTRIBUTOR_CREDIT, organisation=org)),
    )


def pay_on_account(client: Client, created: dict, secret: str):
    return post(
        client,
        f"/api/v1/orders/{created['order']['code']}/payments",
        {"provider": "account"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_a_distributor_pays_on_account_from_its_deposit_first_then_on_credit(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    org, secret = distributor(credit_limit_minor=30_000, deposit_minor=10_000)
    created = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert order_of(created).partner_id == org.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_on_account(client, created, secret)

    assert response.status_code == 201, response.content
    assert response.json()["payment"]["provider"] == "account"
    order = order_of(created)
    assert order.status == "confirmed"
    assert deposit_and_owed(org) == (0, TOTAL - 10_000)
    assert held_by_subject(order) == {
        "supplier_payable": NET,
        "platform_revenue_margin": MARGIN,
        "taxes_payable": TAX,
    }


def test_an_order_beyond_the_deposit_and_the_credit_limit_is_refused_with_nothing_changed(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    org, secret = distributor(credit_limit_minor=30_000, deposit_minor=10_000)
    first = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_on_account(client, first, secret).status_code == 201
    second = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")
    before = everything_money()

    refused = pay_on_account(client, second, secret)

    assert refused.status_code == 409
    assert refused.json()["code"] == "credit_limit_exceeded"
    assert everything_money() == before
    assert deposit_and_owed(org) == (0, 15_440)
    assert order_of(second).status == "pending_payment"


def test_a_raised_credit_limit_lets_the_distributor_owe_more(
    client, django_capture_on_commit_callbacks
):
    """The limit is the organisation's, read when it pays, not the one it had first."""
    offer = ticket_offer()
    org, secret = distributor(credit_limit_minor=30_000, deposit_minor=0)
    first = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_on_account(client, first, secret).status_code == 201
    Organisation.objects.filter(pk=org.pk).update(credit_limit_minor=60_000)
    second = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_on_account(client, second, secret)

    assert response.status_code == 201, response.content
    assert order_of(second).status == "confirmed"
    assert deposit_and_owed(org) == (0, 2 * TOTAL)


def test_only_a_distributor_key_pays_on_account(client, django_capture_on_commit_callbacks):
    offer = ticket_offer()
    created = book(client, offer)
    before = everything_money()

    refused = post(
        client,
        f"/api/v1/orders/{created['order']['code']}/payments",
        {"provider": "account"},
        HTTP_X_ORDER_TOKEN=created["access_token"],
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert everything_money() == before


def test_refunding_an_order_paid_on_account_first_reduces_what_the_distributor_owes(
    client, django_capture_on_commit_callbacks
):
    offer = ticket_offer()
    org, secret = distributor(credit_limit_minor=30_000, deposit_minor=10_000)
    created = book(client, offer, HTTP_AUTHORIZATION=f"Bearer {secret}")
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_on_account(client, created, secret).status_code == 201
    assert deposit_and_owed(org) == (0, 15_440)

    with django_capture_on_commit_callbacks(execute=True):
        partial = staff_refund(signed_in(person("ops", is_staff=True)), created, 5_000, "goodwill")
    assert partial.status_code == 201, partial.content
    assert deposit_and_owed(org) == (0, 10_440)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(
            f"/api/v1/orders/{created['order']['code']}/cancel",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["refund"]["amount_minor"] == TOTAL - 5_000
    # 104.40 still owed is cleared first; the remaining 100.00 goes back to the deposit.
    assert deposit_and_owed(org) == (10_000, 0)
    order = order_of(created)
    assert (order.status, order.refunded_minor) == ("cancelled", TOTAL)
    assert held_by_subject(order) == {}
    assert balance(account(Subject.REFUNDS_PAYABLE)) == 0
