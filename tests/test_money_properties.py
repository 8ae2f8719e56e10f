"""Random sequences of money operations on the real services keep the books straight.

A hypothesis state machine books, pays (sandbox, wallet, both), tops wallets up, refunds,
cancels and expires orders on a small catalogue, in any order, and after every step
checks what must always hold: the ledger balances, no wallet is overdrawn, no payment is
refunded more than it took, and every order's money in the ledger is exactly what its
payments took less what they gave back.

Each example runs in its own savepoint on top of the test's transaction, rolled back at
the end, so every example starts from an empty ledger and a fresh catalogue. Refund and
notification tasks run eagerly (no broker); on-commit callbacks are run at the end of
each step, as a real commit would.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from omnitrip.accounts.models import User
from omnitrip.catalog.models import Offer
from omnitrip.catalog.tests import factories as cf
from omnitrip.core.errors import InvalidInput
from omnitrip.inventory.errors import SoldOut
from omnitrip.ledger.errors import InsufficientFunds
from omnitrip.ledger.models import Account, JournalEntry, JournalLine
from omnitrip.ledger.queries import check_ledger
from omnitrip.ledger.subjects import Subject
from omnitrip.orders.errors import NotCancellable, OrderExpired, OrderNotPayable
from omnitrip.orders.models import Order
from omnitrip.orders.postings import held_for_order
from omnitrip.orders.services import payments as order_payments
from omnitrip.orders.services.checkout import Contact, place_order
from omnitrip.orders.services.lifecycle import cancel_order, expire_unpaid_orders
from omnitrip.payments.models import Payment, Refund, WebhookEvent
from omnitrip.payments.states import PaymentStatus
from omnitrip.payments.wallet import start_top_up
from omnitrip.plugins.payment_sandbox.provider import build_notification
from omnitrip.pricing.requests import ItemRequest

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

TODAY = dt.date.today()
FAR = TODAY + dt.timedelta(days=10)  # free cancellation
NEAR = TODAY + dt.timedelta(days=2)  # half the price is kept on cancellation
TRAVELLER = Contact("Li Wei", "li.wei@example.com")
ORDER_ERRORS = (OrderNotPayable, OrderExpired, NotCancellable)


def money_fingerprint() -> tuple:
    """Every money row, to show that a refused operation changed nothing."""
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        sorted(Account.objects.values_list("code", "balance_minor")),
        sorted(Payment.objects.values_list("pk", "status", "refunded_minor")),
        Refund.objects.count(),
        sorted(Order.objects.values_list("pk", "status", "refunded_minor")),
    )


def net_received(order: Order) -> int:
    """What the order's captured payments took, less what they gave back."""
    totals = order.payments.filter(status=PaymentStatus.CAPTURED).aggregate(
        taken=Sum("amount_minor"), given_back=Sum("refunded_minor")
    )
    return int(totals["taken"] or 0) - int(totals["given_back"] or 0)


def held_by_subject(order: Order) -> dict[str, int]:
    held: dict[str, int] = {}
    for account, amount in held_for_order(order).values():
        held[account.subject] = held.get(account.subject, 0) + amount
    return held


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # A savepoint per example, marked like Django's own test transaction so the
        # services' durable blocks may open inside it; rolled back in teardown().
        self._example = transaction.atomic()
        self._example._from_testcase = True
        self._example.__enter__()
        self.offers = self._catalogue()
        self.customers = [
            User.objects.create_user(username=name, email=f"{name}@example.com")
            for name in ("li.wei", "wang.fang")
        ]
        self.orders: list[int] = []
        self.pending: list[int] = []  # sandbox payments started, not yet notified
        self.steps = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    @staticmethod
    def _catalogue() -> list[tuple[Offer, dt.date]]:
        taxed = cf.dated_offer(capacity=6, price_minor=12_000)
        cf.vat(taxed.product)
        cheap_supplier = cf.OrganisationFactory(commission_percent=Decimal("12.50"))
        scarce = cf.dated_offer(
            capacity=2, price_minor=9_999, product_fields={"supplier": cheap_supplier}
        )
        return [(taxed, FAR), (scarce, NEAR)]

    # --- helpers -------------------------------------------------------------------------

    def key(self, prefix: str) -> str:
        self.steps += 1
        return f"{prefix}-{self.steps}"

    def pick_order(self, index: int, *statuses: str) -> Order:
        """One of this example's orders, preferring those in ``statuses``: operations are
        mostly tried where they can succeed, and on any order when none is in them."""
        candidates = list(
            Order.objects.filter(pk__in=self.orders, status__in=statuses).values_list(
                "pk", flat=True
            )
        )
        pool = candidates or self.orders
        return Order.objects.get(pk=pool[index % len(pool)])

    def attempt(self, what: str, action, errors) -> bool:
        """Run ``action`` (with its commit callbacks); a refusal must change nothing."""
        before = money_fingerprint()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                action()
        except errors as error:
            event(f"{what}: refused, {error.code}")
            assert money_fingerprint() == before
            return False
        event(f"{what}: done")
        return True

    def notify(self, payment: Payment, outcome: str = "captured") -> None:
        body, headers = build_notification(payment, outcome)
        with TestCase.captureOnCommitCallbacks(execute=True):
            stored = order_payments.receive_payment_notification("sandbox", body, headers)
        # Eager tasks swallow exceptions: a notification that was not processed is a bug.
        stored.refresh_from_db()
        assert (stored.status, stored.error) == (WebhookEvent.Status.PROCESSED, "")
        if payment.order_id:
            status = Order.objects.values_list("status", flat=True).get(pk=payment.order_id)
            event(f"order {status} after a {outcome} notification")

    # --- operations ----------------------------------------------------------------------

    @initialize(amounts=st.tuples(*[st.sampled_from([0, 10_000, 30_000, 100_000])] * 2))
    def wallets_start_with_some_money(self, amounts: tuple[int, int]) -> None:
        for customer, amount in enumerate(amounts):
            if amount:
                self.top_up_a_wallet(customer, amount)

    @initialize(offer=st.integers(0, 1), quantity=st.integers(1, 2), paid=st.booleans())
    def a_first_order(self, offer: int, quantity: int, paid: bool) -> None:
        self.place_an_order(0, offer, quantity)
        if paid:
            self.pay_by_sandbox(0, deliver_now=True)

    @rule(
        customer=st.integers(0, 1),
        offer=st.integers(0, 1),
        quantity=st.integers(1, 2),
    )
    def place_an_order(self, customer: int, offer: int, quantity: int) -> None:
        chosen, date = self.offers[offer]
        try:
            placed = place_order(
                [ItemRequest(chosen.code, date, None, quantity, 1)],
                TRAVELLER,
                actor="test:customer",
                customer=self.customers[customer],
            )
        except SoldOut:
            return
        self.orders.append(placed.order.pk)

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 20), deliver_now=st.booleans())
    def pay_by_sandbox(self, index: int, deliver_now: bool) -> None:
        order = self.pick_order(index, "pending_payment")
        started: list[Payment] = []

        def start() -> None:
            payment, _ = order_payments.start_payment(
                order, "sandbox", idempotency_key=self.key("pay"), return_url="/", actor="test"
            )
            started.append(payment)

        if not self.attempt("start a sandbox payment", start, ORDER_ERRORS):
            return
        if deliver_now:
            self.notify(started[0])
        else:
            self.pending.append(started[0].pk)

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 20), outcome=st.sampled_from(["captured", "captured", "failed"]))
    def deliver_a_pending_notification(self, index: int, outcome: str) -> None:
        payment = Payment.objects.get(pk=self.pending.pop(index % len(self.pending)))
        self.notify(payment, outcome)

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 20), share=st.none() | st.floats(0.05, 1.0))
    def pay_from_wallet(self, index: int, share: float | None) -> None:
        order = self.pick_order(index, "pending_payment")
        due = order_payments.amount_due(order)
        amount = None if share is None else max(1, int(due * share))
        wallets = Account.objects.filter(subject=Subject.CUSTOMER_WALLET, user=order.customer)
        in_wallet = -(wallets.aggregate(total=Sum("balance_minor"))["total"] or 0)
        done = self.attempt(
            "pay from the wallet",
            lambda: order_payments.pay_with_wallet(
                order, order.customer, amount_minor=amount, actor="test:customer"
            ),
            (*ORDER_ERRORS, InsufficientFunds, InvalidInput),
        )
        # Whatever the wallet covers of what is due on a payable order is taken.
        payable = order.status == "pending_payment" and order.hold_expires_at > timezone.now()
        assert done == (payable and 0 < (amount or due) <= min(due, in_wallet)), (
            order.code,
            amount,
        )

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 20), share=st.floats(0.05, 0.95), deliver_now=st.booleans())
    def pay_part_from_the_wallet_and_the_rest_by_sandbox(
        self, index: int, share: float, deliver_now: bool
    ) -> None:
        """The checkout's "use my balance" box: the wallet first, a provider for the rest."""
        self.pay_from_wallet(index, share)
        self.pay_by_sandbox(index, deliver_now)

    @rule(customer=st.integers(0, 1), amount=st.integers(1, 40_000) | st.just(30_000))
    def top_up_a_wallet(self, customer: int, amount: int) -> None:
        payment, _ = start_top_up(
            self.customers[customer],
            amount,
            "CNY",
            "sandbox",
            idempotency_key=self.key("top-up"),
            return_url="/",
        )
        self.notify(payment)

    @precondition(lambda self: self.orders)
    @rule(
        index=st.integers(0, 20),
        share=st.floats(0.0, 1.2),
        to_wallet=st.booleans(),
        reason=st.sampled_from(["goodwill", "price match"]),  # staff repeat themselves
    )
    def refund_part_as_staff(self, index: int, share: float, to_wallet: bool, reason: str) -> None:
        order = self.pick_order(index, "confirmed")
        amount = max(1, int(order.total_minor * share))
        done = self.attempt(
            "refund as staff",
            lambda: order_payments.refund_partially(
                order,
                amount,
                reason=reason,
                actor="user:staff",
                destination=Refund.Destination.WALLET if to_wallet else "original",
            ),
            (*ORDER_ERRORS, InvalidInput),
        )
        # Any amount up to what is left unrefunded on a confirmed order goes through.
        left = order.total_minor - order.refunded_minor
        assert done == (order.status == "confirmed" and amount <= left), (order.code, amount)

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 20), to_wallet=st.booleans())
    def cancel(self, index: int, to_wallet: bool) -> None:
        order = self.pick_order(index, "confirmed", "pending_payment")
        self.attempt(
            "cancel",
            lambda: cancel_order(
                order,
                actor="test:customer",
                refund_destination="wallet" if to_wallet else "original",
            ),
            ORDER_ERRORS,
        )

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 20))
    def let_the_hold_run_out(self, index: int) -> None:
        order = self.pick_order(index, "pending_payment")
        Order.objects.filter(pk=order.pk).update(
            hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            expire_unpaid_orders()

    # --- what always holds ---------------------------------------------------------------

    @invariant()
    def the_ledger_balances(self) -> None:
        assert check_ledger().problems == []

    @invariant()
    def no_wallet_is_overdrawn(self) -> None:
        wallets = Account.objects.filter(subject=Subject.CUSTOMER_WALLET)
        assert list(wallets.filter(balance_minor__gt=0).values_list("code", flat=True)) == []

    @invariant()
    def every_refund_is_paid_out(self) -> None:
        # The sandbox and the internal methods pay refunds at once.
        assert list(Refund.objects.exclude(status="succeeded").values_list("code", "status")) == []
        payable = JournalLine.objects.filter(account__subject=Subject.REFUNDS_PAYABLE)
        assert (payable.aggregate(total=Sum("amount_minor"))["total"] or 0) == 0

    @invariant()
    def no_payment_gives_back_more_than_it_took(self) -> None:
        for payment in Payment.objects.all():
            refunds = payment.refunds.aggregate(total=Sum("amount_minor"))["total"] or 0
            assert 0 <= payment.refunded_minor <= payment.amount_minor, payment.code
            assert refunds == payment.refunded_minor, payment.code

    @invariant()
    def each_order_holds_what_its_payments_took_less_what_they_gave_back(self) -> None:
        for order in Order.objects.filter(pk__in=self.orders):
            assert sum(held_by_subject(order).values()) == net_received(order), order.code

    @invariant()
    def no_order_lives_on_another_orders_advances(self) -> None:
        for order in Order.objects.filter(pk__in=self.orders):
            held = held_by_subject(order)
            assert held.get(Subject.CUSTOMER_ADVANCES, 0) >= 0, (order.code, held)

    @invariant()
    def no_order_says_it_refunded_more_than_its_payments_gave_back(self) -> None:
        for order in Order.objects.filter(pk__in=self.orders):
            given_back = order.payments.aggregate(total=Sum("refunded_minor"))["total"] or 0
            assert order.refunded_minor <= given_back, order.code

    @invariant()
    def a_confirmed_order_was_paid_in_full(self) -> None:
        for order in Order.objects.filter(pk__in=self.orders, status="confirmed"):
            held = held_by_subject(order)
            # Its total, less what staff gave back: never less (nor more, which would
            # be a duplicate payment nobody returned).
            assert net_received(order) == order.total_minor - order.refunded_minor, (
                order.code,
                held,
            )
            if not Refund.objects.filter(payment__order=order).exists():
                split = sum(v for k, v in held.items() if k != Subject.CUSTOMER_ADVANCES)
                assert split == order.total_minor, (order.code, held)
                assert held.get(Subject.CUSTOMER_ADVANCES, 0) == 0, (order.code, held)


# Shrinking a failure replays hundreds of database-backed examples (minutes): off by
# default, so a failure prints its whole (at most 15-step) run at once; set
# OMNITRIP_SHRINK=1 to get the shortest failing sequence instead.
PHASES = (
    list(Phase)
    if os.environ.get("OMNITRIP_SHRINK")
    else [Phase.explicit, Phase.reuse, Phase.generate]
)


def test_money_stays_accounted_for_whatever_customers_and_staff_do(db):
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,  # keep no example files in the working tree
            phases=PHASES,
        ),
    )
