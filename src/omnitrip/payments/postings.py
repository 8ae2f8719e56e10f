"""What captures and refund payouts do to the ledger."""

from __future__ import annotations

from omnitrip.ledger.models import Account, JournalEntry
from omnitrip.ledger.services import (
    Posting,
    account_for,
    balance,
    credit,
    debit,
    lock_accounts,
    post_entry,
)
from omnitrip.ledger.subjects import Subject

from .models import Payment, Refund

INTERNAL_PROVIDERS = {"wallet", "account"}


def clearing(payment: Payment) -> Account:
    return account_for(Subject.PROVIDER_CLEARING, payment.currency, provider=payment.provider)


def post_capture(payment: Payment) -> JournalEntry | None:
    """An external provider collected the money: clearing → advances (or the wallet).

    Internal providers (wallet, account) post their own entry when they pay, so this
    does nothing for them. Idempotent per payment.
    """
    if payment.provider in INTERNAL_PROVIDERS:
        return None
    if payment.purpose == Payment.Purpose.WALLET_TOP_UP:
        target = account_for(Subject.CUSTOMER_WALLET, payment.currency, user=payment.wallet_owner)
        kind = "wallet.topped_up"
    else:
        target = account_for(Subject.CUSTOMER_ADVANCES, payment.currency)
        kind = "payment.captured"
    return post_entry(
        kind,
        [debit(clearing(payment), payment.amount_minor), credit(target, payment.amount_minor)],
        order=payment.order,
        payment=payment,
        actor=f"provider:{payment.provider}",
        idempotency_key=f"capture:{payment.code}",
    )


def payout_account(refund: Refund) -> Account:
    """Where a refund's money goes when it is paid out."""
    payment = refund.payment
    if refund.destination == Refund.Destination.WALLET or payment.provider == "wallet":
        owner = payment.wallet_owner or (payment.order.customer if payment.order else None)
        return account_for(Subject.CUSTOMER_WALLET, refund.currency, user=owner)
    if payment.provider == "account":
        assert payment.order is not None
        assert payment.order.partner is not None
        return account_for(
            Subject.DISTRIBUTOR_DEPOSIT, refund.currency, organisation=payment.order.partner
        )
    return clearing(payment)


def _payout_postings(refund: Refund) -> list[Posting]:
    payment = refund.payment
    if payment.provider == "account" and refund.destination == Refund.Destination.ORIGINAL:
        # Back on account: first reduce what the distributor owes, then the deposit.
        assert payment.order is not None
        assert payment.order.partner is not None
        partner = payment.order.partner
        owed = account_for(Subject.DISTRIBUTOR_CREDIT, refund.currency, organisation=partner)
        deposit = account_for(Subject.DISTRIBUTOR_DEPOSIT, refund.currency, organisation=partner)
        lock_accounts([owed, deposit])
        to_credit = min(refund.amount_minor, max(balance(owed), 0))
        return [credit(owed, to_credit), credit(deposit, refund.amount_minor - to_credit)]
    return [credit(payout_account(refund), refund.amount_minor)]


def post_refund_paid(refund: Refund) -> JournalEntry:
    """The refund reached the customer: refunds payable → clearing / wallet / deposit."""
    payable = account_for(Subject.REFUNDS_PAYABLE, refund.currency)
    return post_entry(
        "refund.paid",
        [debit(payable, refund.amount_minor), *_payout_postings(refund)],
        order=refund.payment.order,
        payment=refund.payment,
        refund=refund,
        actor=f"provider:{refund.payment.provider}",
        idempotency_key=f"refund-paid:{refund.code}",
    )
