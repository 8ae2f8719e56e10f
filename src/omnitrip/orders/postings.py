"""What orders do to the ledger: the split at confirmation and where refunds come from."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from omnitrip.core.money import Money
from omnitrip.ledger.models import Account, JournalEntry, JournalLine
from omnitrip.ledger.services import Posting, account_for, credit, debit, post_entry
from omnitrip.ledger.subjects import Subject
from omnitrip.payments.models import Refund

from .models import Order

SPLIT_SUBJECTS = (Subject.SUPPLIER_PAYABLE, Subject.PLATFORM_REVENUE_MARGIN, Subject.TAXES_PAYABLE)


def advances(currency: str) -> Account:
    return account_for(Subject.CUSTOMER_ADVANCES, currency)


def post_split(order: Order, *, actor: str) -> JournalEntry:
    """Book a confirmed order's money: advances → supplier net + platform margin + taxes.

    Each item's margin is its subtotal × the commission rate copied at booking; the
    supplier gets the rest of the subtotal; taxes and fees added on top go to taxes
    payable. Idempotent per order.
    """
    cur = order.currency
    margin_total = taxes_total = 0
    net_by_supplier: dict[int, int] = defaultdict(int)
    suppliers = {}
    for item in order.items.select_related("product__supplier"):
        margin = (
            Money(item.subtotal_minor, cur)
            .percentage(Decimal(item.commission_percent))
            .amount_minor
        )
        net_by_supplier[item.product.supplier_id] += item.subtotal_minor - margin
        suppliers[item.product.supplier_id] = item.product.supplier
        margin_total += margin
        taxes_total += item.taxes_minor
    postings = [debit(advances(cur), order.total_minor)]
    postings += [
        credit(account_for(Subject.SUPPLIER_PAYABLE, cur, organisation=suppliers[pk]), net)
        for pk, net in sorted(net_by_supplier.items())
    ]
    postings.append(credit(account_for(Subject.PLATFORM_REVENUE_MARGIN, cur), margin_total))
    postings.append(credit(account_for(Subject.TAXES_PAYABLE, cur), taxes_total))
    return post_entry(
        "order.confirmed", postings, order=order, actor=actor, idempotency_key=f"split:{order.code}"
    )


def held_for_order(order: Order) -> dict[int, tuple[Account, int]]:
    """Money this order still has in advances and in its split, per account (credit side)."""
    rows = (
        JournalLine.objects.filter(
            entry__order=order,
            account__subject__in=[Subject.CUSTOMER_ADVANCES, *SPLIT_SUBJECTS],
        )
        .values("account")
        .annotate(total=Sum("amount_minor"))
    )
    accounts = Account.objects.in_bulk([r["account"] for r in rows])
    return {r["account"]: (accounts[r["account"]], -int(r["total"])) for r in rows if r["total"]}


def refund_sources(order: Order, amount_minor: int) -> list[Posting]:
    """Debits that free ``amount_minor`` of the order's money for a refund.

    Money not yet split (an unconfirmed order, a late or duplicate payment) comes back
    from advances first; the rest comes out of the split in its own proportions, so a
    partial refund takes back the same share from the supplier, the margin and taxes.
    """
    held = held_for_order(order)
    in_advances = sum(
        held_amount
        for account, held_amount in held.values()
        if account.subject == Subject.CUSTOMER_ADVANCES
    )
    from_advances = min(amount_minor, max(in_advances, 0))
    postings = [debit(advances(order.currency), from_advances)] if from_advances else []
    rest = amount_minor - from_advances
    if rest:
        split = [
            (account, amount)
            for account, amount in held.values()
            if account.subject != Subject.CUSTOMER_ADVANCES and amount > 0
        ]
        if sum(amount for _, amount in split) < rest:
            raise AssertionError(
                f"order {order.code}: refund {amount_minor} exceeds the money it holds"
            )
        parts = Money(rest, order.currency).allocate([amount for _, amount in split])
        postings += [
            debit(account, part.amount_minor)
            for (account, _), part in zip(split, parts, strict=True)
        ]
    return postings


def post_refund_requested(order: Order, refund: Refund, *, actor: str) -> JournalEntry:
    """Set aside a refund's money in refunds payable until it is paid out. Idempotent."""
    key = f"refund-requested:{refund.code}"
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    sources = refund_sources(order, refund.amount_minor)
    payable = account_for(Subject.REFUNDS_PAYABLE, refund.currency)
    return post_entry(
        "refund.requested",
        [*sources, credit(payable, refund.amount_minor)],
        order=order,
        payment=refund.payment,
        refund=refund,
        actor=actor,
        idempotency_key=key,
    )
