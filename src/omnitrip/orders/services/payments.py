"""Paying for orders: start a payment, act on provider notifications, pay from a wallet or
on account, and refund orders — every step with its ledger entry in the same transaction.

The payment app stores and verifies; this module decides what a payment means for the
order, always under the order's lock (order first, then payment: one lock order).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from omnitrip.accounts.models import Organisation, OrganisationKind, User
from omnitrip.core.errors import Conflict, InvalidInput, PermissionDenied
from omnitrip.core.locking import lock_row, set_lock_timeout
from omnitrip.ledger.errors import CreditLimitExceeded, InsufficientFunds
from omnitrip.ledger.models import Account
from omnitrip.ledger.services import (
    account_for,
    balance,
    credit,
    debit,
    lock_accounts,
    post_entry,
)
from omnitrip.ledger.subjects import Subject
from omnitrip.payments import services as payments
from omnitrip.payments.errors import AmountMismatch, ProviderUnavailable
from omnitrip.payments.models import Payment, Refund, WebhookEvent
from omnitrip.payments.providers import get_provider
from omnitrip.payments.providers.base import StartResult
from omnitrip.payments.states import PaymentStatus

from .. import events, notifications
from ..errors import OrderExpired, OrderNotPayable
from ..locks import order_for_update
from ..models import Order
from ..postings import advances, post_refund_requested
from ..states import OrderStatus
from .lifecycle import confirm_paid_order, expire_if_due, expire_now

log = logging.getLogger("omnitrip.orders")


def captured_minor(order: Order) -> int:
    """What the order's captured payments still hold: collected less refunded. Money that
    went back (a wallet part-payment returned at expiry) no longer pays for anything."""
    totals = order.payments.filter(status=PaymentStatus.CAPTURED).aggregate(
        collected=Sum("amount_minor"), returned=Sum("refunded_minor")
    )
    return int(totals["collected"] or 0) - int(totals["returned"] or 0)


def amount_due(order: Order) -> int:
    return max(order.total_minor - captured_minor(order), 0)


def _check_payable(order: Order) -> Order:
    order = expire_if_due(order)
    if order.status == OrderStatus.EXPIRED:
        raise OrderExpired("The reservation has expired; please book again")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(f"This order is {order.status}")
    if amount_due(order) <= 0:
        raise OrderNotPayable("This order is already paid; confirmation is on its way")
    return order


def start_payment(
    order: Order,
    provider_name: str,
    *,
    idempotency_key: str,
    return_url: str,
    actor: str,
    client_ip: str = "",
) -> tuple[Payment, StartResult]:
    """Open a payment for what is still due on the order; idempotent per key.

    The amount and currency always come from the order (its total less what a wallet or
    another payment already covered). Refuses orders that are not waiting for payment or
    whose hold has expired.
    """
    provider = get_provider(provider_name)
    order = _check_payable(order)
    if not provider.supports_currency(order.currency):
        raise ProviderUnavailable(f"{provider_name} cannot collect {order.currency}")
    due = amount_due(order)
    with transaction.atomic():
        payment = payments.create_payment(
            order, provider_name, idempotency_key=f"{idempotency_key}:{due}", amount_minor=due
        )
    if payment.status not in (PaymentStatus.CREATED, PaymentStatus.PENDING):
        raise OrderNotPayable(f"This payment is already {payment.status}")
    # Vendor I/O happens outside any transaction.
    result = provider.start(payment, return_url=return_url, client_ip=client_ip)
    with transaction.atomic():
        payments.mark_pending(payment, result.external_id)
        events.record(
            order,
            "payment_started",
            actor=actor,
            payment=payment.code,
            provider=provider_name,
            amount_minor=due,
        )
    payment.refresh_from_db()
    return payment, result


def receive_payment_notification(
    provider_name: str, body: bytes, headers: Mapping[str, str], remote_addr: str = ""
) -> WebhookEvent:
    """Webhook entry: verify and store first, then process (in a task when a broker runs).

    A replay of a stored notification is acknowledged and changes nothing.
    Raises InvalidSignature for forged or stale notifications (recorded by the payment app).
    """
    from ..tasks import process_payment_event

    event, _notification, created = payments.store_notification(
        provider_name, body, headers, remote_addr=remote_addr
    )
    # A replay of an event whose processing never finished (a worker died) runs it again;
    # processing is idempotent, so a replay of a processed event is simply acknowledged.
    if created or event.status == WebhookEvent.Status.RECEIVED:
        process_payment_event.delay(event.pk)
    return event


def process_stale_notifications(*, older_than_seconds: int = 60, limit: int = 200) -> int:
    """Process notifications stored but still ``received`` after a while. Processing is
    idempotent, so one that a worker is handling right now is at worst applied once."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    waiting = (
        WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED, received_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for event_id in list(waiting):
        try:
            process_payment_event(event_id)
            done += 1
        except Conflict:
            continue  # busy right now; the next sweep tries again
        except Exception:  # one broken event must not hold up the others
            log.exception("stored notification %s could not be processed", event_id)
    return done


def process_payment_event(event_id: int, *, now: dt.datetime | None = None) -> str:
    """Apply one stored notification to its payment and order. Idempotent per event."""
    now = now or timezone.now()
    event = WebhookEvent.objects.get(pk=event_id)
    if event.status == WebhookEvent.Status.PROCESSED:
        return "already processed"
    payment = Payment.objects.filter(code=event.payment_code, provider=event.provider).first()
    if payment is None:
        payments.mark_webhook_failed(event, "unknown_payment")
        return "unknown_payment"
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(payment.order_id) if payment.order_id else None
        payment = lock_row(Payment, payment.pk)
        actor = f"provider:{event.provider}"
        if event.outcome != "captured":
            changed = payments.record_failure(
                payment, event.outcome, f"provider said {event.outcome}"
            )
            # A "closed" after a paid trade was refunded changes nothing: no event either.
            if changed and order is not None:
                events.record(
                    order,
                    "payment_failed",
                    actor=actor,
                    payment=payment.code,
                    outcome=event.outcome,
                )
            payments.mark_webhook_processed(event)
            return event.outcome
        try:
            changed = payments.record_capture(
                payment,
                amount_minor=event.amount_minor,
                currency=event.currency,
                external_id=event.external_payment_id,
                event_id=event.external_id,
            )
        except AmountMismatch as exc:
            if order is not None:
                events.record(
                    order,
                    "payment_rejected",
                    actor=actor,
                    payment=payment.code,
                    reason=str(exc.detail),
                )
            payments.mark_webhook_failed(event, exc.code)
            return exc.code
        if changed and order is not None:
            events.record(
                order,
                "payment_captured",
                actor=actor,
                payment=payment.code,
                amount_minor=payment.amount_minor,
            )
            settle_capture(order, payment, now=now)
        payments.mark_webhook_processed(event)
        return "captured"


def settle_capture(order: Order, payment: Payment, *, now: dt.datetime) -> None:
    """Money has arrived for a (locked) order: confirm it once fully paid, or give the
    money back if the order cannot be delivered."""
    actor = f"provider:{payment.provider}"
    if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        if amount_due(order) > 0 and order.status == OrderStatus.PENDING_PAYMENT:
            return  # partly paid (e.g. wallet first): waits for the rest
        if amount_due(order) <= 0 and confirm_paid_order(order, actor=actor, now=now):
            _refund_overpayment(order)
            return
        # The units are gone, or an expired order was only partly paid: return it all.
        if order.status == OrderStatus.PENDING_PAYMENT:
            expire_now(order, actor="system:payment", reason="units gone before payment", now=now)
        refund_captured(order, reason="unbookable", actor="system:payment")
        notifications.payment_refunded_unbookable(order, payment.amount_minor)
        return
    # Confirmed already (a second payment) or cancelled meanwhile: this money goes back.
    reason = (
        "duplicate payment"
        if order.status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED)
        else f"order {order.status}"
    )
    _refund_payment(order, payment, payment.amount_minor, reason=reason, actor="system:payment")
    events.record(
        order,
        "payment_refunded_automatically",
        actor="system:payment",
        payment=payment.code,
        amount_minor=payment.amount_minor,
        reason=reason,
    )
    notifications.payment_refunded_unbookable(order, payment.amount_minor)


def _refund_overpayment(order: Order) -> None:
    extra = captured_minor(order) - order.total_minor
    if extra > 0:
        refund_captured(order, reason="overpayment", actor="system:payment", limit=extra)


def _refund_payment(
    order: Order,
    payment: Payment,
    amount_minor: int,
    *,
    reason: str,
    actor: str,
    destination: str = Refund.Destination.ORIGINAL,
    key: str | None = None,
) -> Refund:
    # One refund per (reason, order, payment) unless the caller names the request: an
    # automatic refund retried is the same refund; two staff refunds are two.
    refund = payments.request_refund(
        payment,
        amount_minor,
        reason=reason[:60],
        destination=destination,
        idempotency_key=f"{key or reason[:30]}:{order.code}:{payment.code}"[:80],
    )
    post_refund_requested(order, refund, actor=actor)
    return refund


def _refund_across_payments(
    order: Order,
    amount_minor: int,
    *,
    reason: str,
    actor: str,
    destination: str = Refund.Destination.ORIGINAL,
    key: str | None = None,
) -> int:
    """Refund up to ``amount_minor`` from the order's captured payments, newest first, each
    no more than it still holds. Returns what was refunded."""
    remaining = amount_minor
    for payment in order.payments.filter(status=PaymentStatus.CAPTURED).order_by("-pk"):
        share = min(remaining, payment.amount_minor - payment.refunded_minor)
        if share > 0:
            _refund_payment(
                order, payment, share, reason=reason, actor=actor, destination=destination, key=key
            )
            remaining -= share
        if remaining <= 0:
            break
    return amount_minor - remaining


def refund_captured(order: Order, *, reason: str, actor: str, limit: int | None = None) -> int:
    """Return money still held by the order's captured payments (all of it, or ``limit``):
    for orders that will not be delivered, so ``order.refunded_minor`` is not touched."""
    held = sum(
        p.amount_minor - p.refunded_minor
        for p in order.payments.filter(status=PaymentStatus.CAPTURED)
    )
    refunded = _refund_across_payments(
        order, min(held, limit if limit is not None else held), reason=reason, actor=actor
    )
    if refunded:
        events.record(order, "refund_requested", actor=actor, amount_minor=refunded, reason=reason)
    return refunded


def refund_order(
    order: Order,
    amount_minor: int,
    *,
    reason: str,
    actor: str,
    destination: str = Refund.Destination.ORIGINAL,
    request_key: str | None = None,
) -> int:
    """Refund ``amount_minor`` of a (locked) order across its captured payments, newest
    first, each back to its own method (or all to the customer's wallet). ``request_key``
    names the request, so two refunds for the same reason stay two refunds."""
    if destination == Refund.Destination.WALLET and order.customer_id is None:
        raise InvalidInput("Only a signed-in customer's order can be refunded to a wallet")
    refunded = _refund_across_payments(
        order, amount_minor, reason=reason, actor=actor, destination=destination, key=request_key
    )
    if refunded:
        Order.objects.filter(pk=order.pk).update(refunded_minor=order.refunded_minor + refunded)
        order.refunded_minor += refunded
        events.record(
            order,
            "refund_requested",
            actor=actor,
            amount_minor=refunded,
            reason=reason,
            destination=destination,
            request=request_key or "",
        )
    return refunded


def refund_partially(
    order: Order,
    amount_minor: int,
    *,
    reason: str,
    actor: str,
    destination: str = Refund.Destination.ORIGINAL,
    idempotency_key: str | None = None,
) -> int:
    """Staff: give back part of a confirmed or completed order (a goodwill or price
    adjustment). Never more than is left unrefunded; the split gives back its share.
    Idempotent per ``idempotency_key``: a retried request returns the first refund's amount."""
    from omnitrip.core.ids import public_code

    request_key = f"staff-{idempotency_key}" if idempotency_key else public_code("SR", 12)
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(order.pk, nowait=True)
        earlier = order.events.filter(kind="refund_requested", data__request=request_key).first()
        if earlier is not None:
            return int(earlier.data["amount_minor"])
        if order.status not in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED):
            raise OrderNotPayable(
                f"Only a confirmed or completed order can be refunded, not {order.status}"
            )
        left = order.total_minor - order.refunded_minor
        if not 0 < amount_minor <= left:
            raise InvalidInput(
                f"The refund must be between 1 and {left} minor units", field="amount_minor"
            )
        return refund_order(
            order,
            amount_minor,
            reason=reason or "partial refund",
            actor=actor,
            request_key=request_key,
            destination=destination,
        )


# --- internal methods: wallet and account ------------------------------------------------


def pay_with_wallet(
    order: Order,
    user: User,
    *,
    amount_minor: int | None = None,
    actor: str,
    now: dt.datetime | None = None,
) -> Payment:
    """Pay all or part of the order from the customer's wallet, at once.

    Locks the order, then the wallet account: two payments racing for one balance
    serialise and the second sees what the first left (the CHECK constraint backs it).
    Confirms the order when nothing more is due. Not idempotent by itself: each call
    spends; callers pass an Idempotency-Key through the API.
    """
    now = now or timezone.now()
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(order.pk, nowait=True)
        if order.customer_id != user.pk:
            raise PermissionDenied("Only the customer who booked can pay from their wallet")
        order = _check_payable(order)
        due = amount_due(order)
        amount = due if amount_minor is None else amount_minor
        if not 0 < amount <= due:
            raise InvalidInput(
                f"Pay between 1 and {due} minor units from the wallet", field="amount_minor"
            )
        wallet = account_for(Subject.CUSTOMER_WALLET, order.currency, user=user)
        lock_accounts([wallet])
        if -balance(wallet) < amount:
            raise InsufficientFunds(
                "The wallet balance is not enough for this payment", balance_minor=-balance(wallet)
            )
        payment = _internal_payment(order, "wallet", amount, owner=user)
        post_entry(
            "payment.wallet",
            [debit(wallet, amount), credit(advances(order.currency), amount)],
            order=order,
            payment=payment,
            actor=actor,
            idempotency_key=f"capture:{payment.code}",
        )
        events.record(
            order, "payment_captured", actor=actor, payment=payment.code, amount_minor=amount
        )
        settle_capture(order, payment, now=now)
        return payment


def pay_on_account(
    order: Order, organisation: Organisation, *, actor: str, now: dt.datetime | None = None
) -> Payment:
    """A distributor pays its order on account: deposit first, then credit up to its limit."""
    now = now or timezone.now()
    with transaction.atomic():
        set_lock_timeout()
        order = order_for_update(order.pk, nowait=True)
        if organisation.kind != OrganisationKind.DISTRIBUTOR or order.partner_id != organisation.pk:
            raise PermissionDenied("Only the distributor that placed the order can pay on account")
        order = _check_payable(order)
        due = amount_due(order)
        deposit = account_for(
            Subject.DISTRIBUTOR_DEPOSIT, order.currency, organisation=organisation
        )
        owed = account_for(Subject.DISTRIBUTOR_CREDIT, order.currency, organisation=organisation)
        locked = lock_accounts([deposit, owed])
        # The limit lives on the organisation; the account row carries it for the CHECK.
        # Lowering it below what is owed only stops new credit.
        current_limit = Organisation.objects.values_list("credit_limit_minor", flat=True).get(
            pk=organisation.pk
        )
        limit = max(current_limit, balance(owed))
        if locked[owed.pk].limit_minor != limit:
            Account.objects.filter(pk=owed.pk).update(limit_minor=limit)
            locked[owed.pk].limit_minor = limit
        from_deposit = min(due, max(-balance(deposit), 0))
        on_credit = due - from_deposit
        if balance(owed) + on_credit > locked[owed.pk].limit_minor:
            raise CreditLimitExceeded(
                "The order exceeds the deposit and the credit limit",
                available_minor=-balance(deposit) + locked[owed.pk].limit_minor - balance(owed),
            )
        payment = _internal_payment(order, "account", due)
        post_entry(
            "payment.account",
            [
                debit(deposit, from_deposit),
                debit(owed, on_credit),
                credit(advances(order.currency), due),
            ],
            order=order,
            payment=payment,
            actor=actor,
            idempotency_key=f"capture:{payment.code}",
        )
        events.record(
            order,
            "payment_captured",
            actor=actor,
            payment=payment.code,
            amount_minor=due,
            from_deposit=from_deposit,
            on_credit=on_credit,
        )
        settle_capture(order, payment, now=now)
        return payment


def _internal_payment(
    order: Order, provider: str, amount: int, *, owner: User | None = None
) -> Payment:
    from omnitrip.core.ids import public_code

    payment = payments.create_payment(
        order,
        provider,
        idempotency_key=public_code(provider.upper(), 16),
        amount_minor=amount,
        wallet_owner=owner,
    )
    payments.record_capture(
        payment,
        amount_minor=amount,
        currency=order.currency,
        external_id=f"{provider}:{payment.code}",
        event_id=f"{provider}:{payment.code}",
    )
    payment.refresh_from_db()
    return payment
