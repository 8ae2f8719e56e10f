"""One wallet, many orders paid from it at the same moment, on PostgreSQL.

Every test releases its threads on one barrier, one connection each, so the payments
really collide inside the database. The wallet's row lock (``lock_accounts``) serialises
them and the guarded balance backs it: exactly as many payments as the balance covers go
through. The control test turns both off and shows the race they prevent.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from omnitrip.accounts.models import User
from omnitrip.catalog.tests import factories as cf
from omnitrip.ledger import services as ledger_services
from omnitrip.ledger.errors import InsufficientFunds
from omnitrip.ledger.models import Account, JournalLine
from omnitrip.ledger.queries import check_ledger
from omnitrip.ledger.services import Posting, account_for
from omnitrip.ledger.subjects import Subject
from omnitrip.orders.models import Order
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.services.checkout import Contact, place_order
from omnitrip.payments.models import Payment
from omnitrip.payments.wallet import start_top_up
from omnitrip.plugins.payment_sandbox.provider import build_notification
from omnitrip.pricing.requests import ItemRequest
from tests.racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date.today() + dt.timedelta(days=10)


def outcome(result: Any) -> str:
    if isinstance(result, Payment):
        return "paid"
    return getattr(result, "code", None) or f"{type(result).__name__}: {result}"


def customer_with_orders(orders: int, price_minor: int, wallet_minor: int) -> tuple[User, list]:
    """A customer whose wallet was topped up through the sandbox, with unpaid orders."""
    user = User.objects.create_user(username="li.wei", email="li.wei@example.com")
    payment, _ = start_top_up(
        user, wallet_minor, "CNY", "sandbox", idempotency_key="top-up", return_url="/"
    )
    body, headers = build_notification(payment, "captured")
    order_payments.receive_payment_notification("sandbox", body, headers)
    assert wallet_left(user) == wallet_minor
    offer = cf.dated_offer(start=DAY, days=1, capacity=orders, price_minor=price_minor)
    placed = [
        place_order(
            [ItemRequest(offer.code, DAY, None, 1, 1)],
            Contact("Li Wei", "li.wei@example.com"),
            actor="test:customer",
            customer=user,
        ).order
        for _ in range(orders)
    ]
    assert {order.total_minor for order in placed} == {price_minor}
    # As in a shop that has taken payments before: the platform's accounts exist, so
    # no racer has to create one.
    account_for(Subject.CUSTOMER_ADVANCES, "CNY")
    return user, placed


def wallet(user: User) -> Account:
    return Account.objects.get(subject=Subject.CUSTOMER_WALLET, user=user)


def wallet_left(user: User) -> int:
    return -wallet(user).balance_minor


def wallet_lines_left(user: User) -> int:
    return -sum(
        JournalLine.objects.filter(account=wallet(user)).values_list("amount_minor", flat=True)
    )


def pay_from_wallet(user: User, orders: list[Order]) -> Callable[[int], Any]:
    def attempt(number: int) -> Payment:
        order = Order.objects.get(pk=orders[number].pk)
        return order_payments.pay_with_wallet(order, user, actor=f"user:{user.pk}")

    return attempt


def test_two_orders_racing_for_one_wallet_that_covers_only_one_exactly_one_is_paid(
    require_postgres,
):
    user, orders = customer_with_orders(2, price_minor=8_000, wallet_minor=10_000)

    results = race(2, pay_from_wallet(user, orders))

    assert Counter(map(outcome, results)) == Counter({"paid": 1, "insufficient_funds": 1})
    loser = next(r for r in results if not isinstance(r, Payment))
    assert isinstance(loser, InsufficientFunds)
    assert loser.detail == "The wallet balance is not enough for this payment"
    assert loser.extra == {"balance_minor": 2_000}
    assert wallet_left(user) == wallet_lines_left(user) == 2_000
    statuses = {o.pk: o.status for o in Order.objects.all()}
    paid = next(r for r in results if isinstance(r, Payment))
    assert statuses[paid.order_id] == "confirmed"
    assert sorted(statuses.values()) == ["confirmed", "pending_payment"]
    assert Payment.objects.filter(provider="wallet").count() == 1
    assert check_ledger().problems == []


def test_sixteen_orders_racing_for_one_wallet_are_paid_only_as_often_as_the_balance_covers(
    require_postgres,
):
    user, orders = customer_with_orders(16, price_minor=12_000, wallet_minor=50_000)

    results = race(16, pay_from_wallet(user, orders))

    assert Counter(map(outcome, results)) == Counter({"paid": 4, "insufficient_funds": 12})
    assert all(isinstance(r, Payment | InsufficientFunds) for r in results)
    assert wallet_left(user) == wallet_lines_left(user) == 50_000 - 4 * 12_000
    assert Counter(Order.objects.values_list("status", flat=True)) == Counter(
        {"confirmed": 4, "pending_payment": 12}
    )
    paid_orders = {r.order_id for r in results if isinstance(r, Payment)}
    assert paid_orders == set(Order.objects.filter(status="confirmed").values_list("pk", flat=True))
    assert Payment.objects.filter(provider="wallet", status="captured").count() == 4
    assert check_ledger().problems == []


def test_control_without_the_wallet_lock_and_the_guard_both_orders_are_paid_from_one_balance(
    require_postgres, monkeypatch
):
    """Turn the lock and the guarded increment off, and the race shows.

    Both payments read "100.00 left" before either writes, both pass the balance check,
    and each writes ``balance = -100.00 + 80.00`` as an absolute value: a lost update the
    CHECK constraint cannot see (-20.00 is a legal balance). 160.00 has been spent from a
    wallet that held 100.00, and only the lines still tell the truth.
    """
    user, orders = customer_with_orders(2, price_minor=8_000, wallet_minor=10_000)
    everyone_has_read = threading.Barrier(2, timeout=30)

    def read_then_write(posting: Posting) -> None:
        seen = Account.objects.values_list("balance_minor", flat=True).get(pk=posting.account.pk)
        everyone_has_read.wait()  # nobody writes until every racer has read
        Account.objects.filter(pk=posting.account.pk).update(
            balance_minor=seen + posting.amount_minor
        )

    monkeypatch.setattr(order_payments, "lock_accounts", lambda accounts: {})
    monkeypatch.setattr(ledger_services, "_move_guarded_balance", read_then_write)

    results = race(2, pay_from_wallet(user, orders))

    assert Counter(map(outcome, results)) == Counter({"paid": 2})
    assert Counter(Order.objects.values_list("status", flat=True)) == Counter({"confirmed": 2})
    assert wallet_left(user) == 2_000  # what the row believes
    assert wallet_lines_left(user) == -6_000  # what was really spent: overdrawn by 60.00
    code = wallet(user).code
    assert check_ledger().problems == [
        f"{code}: cached balance -2000 != lines 6000",
        f"{code} is overdrawn by 6000",
    ]


def test_with_the_lock_off_the_guarded_balance_alone_still_lets_only_one_payment_through(
    require_postgres, monkeypatch
):
    """The CHECK constraint is the backstop: both racers pass the balance check (neither
    has written yet), but the second increment would take the wallet below zero and is
    refused by the database, so that payment rolls back whole."""
    user, orders = customer_with_orders(2, price_minor=8_000, wallet_minor=10_000)
    everyone_has_checked = threading.Barrier(2, timeout=30)
    checked = threading.local()
    real_balance = order_payments.balance

    def balance_then_wait(account: Account) -> int:
        seen = real_balance(account)
        if not getattr(checked, "done", False):
            checked.done = True
            everyone_has_checked.wait()  # both have seen 100.00 before either spends
        return seen

    monkeypatch.setattr(order_payments, "lock_accounts", lambda accounts: {})
    monkeypatch.setattr(order_payments, "balance", balance_then_wait)

    results = race(2, pay_from_wallet(user, orders))

    assert Counter(map(outcome, results)) == Counter({"paid": 1, "insufficient_funds": 1})
    loser = next(r for r in results if not isinstance(r, Payment))
    assert loser.detail == "Not enough balance"  # the database's refusal, not the check's
    assert wallet_left(user) == wallet_lines_left(user) == 2_000
    assert Counter(Order.objects.values_list("status", flat=True)) == Counter(
        {"confirmed": 1, "pending_payment": 1}
    )
    assert Payment.objects.filter(provider="wallet").count() == 1
    assert check_ledger().problems == []
