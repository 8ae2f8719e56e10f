"""Every write to vouchers: issue on confirmation, void on cancellation, redeem at the counter."""

from __future__ import annotations

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from omnitrip.accounts.models import Organisation
from omnitrip.core.errors import Conflict
from omnitrip.core.locking import lock_row, lock_rows
from omnitrip.orders.models import Order, OrderEvent, OrderItem
from omnitrip.orders.states import OrderStatus

from .codes import new_voucher_code
from .emails import send_vouchers_email_after_commit
from .errors import OrderNotConfirmed, VoucherAlreadyRedeemed, VoucherExpired, VoucherVoid
from .models import Voucher, VoucherStatus
from .queries import access_voucher, vouchers_of_order

SYSTEM_ACTOR = "system:fulfilment"

# A completed order is still a paid one: an open-dated ticket in it stays usable.
_LIVE_ORDER_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.COMPLETED})


def issue_vouchers(order: Order, *, actor: str = SYSTEM_ACTOR) -> list[Voucher]:
    """Give every item of a confirmed order its voucher and e-mail them after commit.

    Meant to run inside the order service's transaction, right after the order became
    confirmed; opens a savepoint of its own otherwise. Locks the order row (harmless if
    the caller already holds it), so two calls for one order cannot both create vouchers.
    Raises :class:`OrderNotConfirmed` for an order that is not confirmed or completed.

    Idempotent: items that already have a voucher keep it, and a call that creates
    nothing writes no event and sends no e-mail. When vouchers were created it writes a
    ``vouchers_issued`` order event and, on commit, e-mails the vouchers (a mail failure
    is logged, never raised). Returns all the order's vouchers in item order.
    """
    with transaction.atomic():
        locked = lock_row(Order, order.pk)
        if locked.status not in _LIVE_ORDER_STATUSES:
            raise OrderNotConfirmed(
                f"Order {locked.code} is {locked.status}", order_status=locked.status
            )
        items = list(
            OrderItem.objects.filter(order=locked, vouchers__isnull=True).order_by("position")
        )
        if items:
            codes = _fresh_codes(len(items))
            Voucher.objects.bulk_create(
                Voucher(order_item=item, code=code) for item, code in zip(items, codes, strict=True)
            )
            OrderEvent.objects.create(
                order=locked,
                kind="vouchers_issued",
                actor=actor,
                data={"items": [item.position for item in items]},
            )
            transaction.on_commit(partial(send_vouchers_email_after_commit, locked.pk))
        return vouchers_of_order(locked)


def _fresh_codes(count: int) -> list[str]:
    # 100 random bits make a clash practically impossible, but a clash would fail the
    # unique index and with it the whole confirmation, so rule it out for the price of
    # one indexed query.
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {new_voucher_code() for _ in range(count - len(codes))} - codes
        taken = set(Voucher.objects.filter(code__in=candidates).values_list("code", flat=True))
        codes |= candidates - taken
    return list(codes)


def void_vouchers(order: Order, *, reason: str, actor: str = SYSTEM_ACTOR) -> int:
    """Void the order's still-valid vouchers, e.g. when the order is cancelled.

    Redeemed vouchers stay redeemed: the service was delivered. Locks the order's issued
    voucher rows (in primary-key order) so a redemption racing the cancellation either
    finishes first — and its voucher stays redeemed — or finds the voucher void.
    Writes a ``vouchers_voided`` order event with ``reason`` in the same transaction.
    Idempotent: a second call finds nothing to void, writes nothing and returns 0.
    Returns how many vouchers it voided. Nothing happens on commit.
    """
    with transaction.atomic():
        positions = dict(OrderItem.objects.filter(order_id=order.pk).values_list("pk", "position"))
        # Filter on item ids rather than through a join so FOR UPDATE locks only vouchers.
        issued = lock_rows(
            Voucher.objects.filter(order_item_id__in=list(positions), status=VoucherStatus.ISSUED)
        )
        if not issued:
            return 0
        Voucher.objects.filter(pk__in=[v.pk for v in issued]).update(
            status=VoucherStatus.VOID, voided_at=timezone.now()
        )
        OrderEvent.objects.create(
            order_id=order.pk,
            kind="vouchers_voided",
            actor=actor,
            reason=reason[:300],
            data={"items": sorted(positions[v.order_item_id] for v in issued)},
        )
        return len(issued)


def redeem_voucher(organisation: Organisation, code: str, *, actor: str) -> Voucher:
    """A supplier redeems a voucher of one of its products, exactly once.

    ``code`` may be typed loosely (case, hyphens, spaces, O/I/L for 0/1) or be the QR
    payload. Raises :class:`~.errors.VoucherNotFound` for an unknown code and equally for
    another supplier's; :class:`~.errors.VoucherAlreadyRedeemed` (with ``redeemed_at``),
    :class:`~.errors.VoucherVoid` for a void voucher or an order no longer confirmed, and
    :class:`~.errors.VoucherExpired` for an open-dated ticket past its last valid day in
    the product's time zone. Dated items are redeemable before their date (a hotel
    redeems at check-in).

    No lock is needed from the caller: the status change is one guarded UPDATE that only
    matches a still-issued voucher, so of two racing redemptions exactly one succeeds.
    Writes a ``voucher_redeemed`` order event in the same transaction. Not idempotent by
    design: a second call raises ``VoucherAlreadyRedeemed``. Nothing happens on commit.
    """
    with transaction.atomic():
        voucher = access_voucher(organisation, code)
        _refuse_unless_redeemable(voucher)
        now = timezone.now()
        if not _mark_redeemed(voucher, organisation, now):
            # Someone redeemed or voided it between our read and our write; report what
            # they did, as seen now that their transaction has committed.
            voucher.refresh_from_db(fields=["status", "redeemed_at", "voided_at"])
            _refuse_unless_redeemable(voucher)
            raise Conflict("The voucher changed while it was being redeemed; try again")
        item = voucher.order_item
        OrderEvent.objects.create(
            order_id=item.order_id,
            kind="voucher_redeemed",
            actor=actor,
            data={"voucher": voucher.code, "item": item.position},
        )
    voucher.status = VoucherStatus.REDEEMED
    voucher.redeemed_at = now
    voucher.redeemed_by = organisation
    return voucher


def _mark_redeemed(voucher: Voucher, organisation: Organisation, now: dt.datetime) -> bool:
    """The guarded write: True when this call turned the voucher from issued to redeemed.

    The ``status`` condition is what makes redemption single-use. On PostgreSQL a
    concurrent UPDATE of the row waits for ours and then re-checks the condition against
    the committed row, matching nothing; on SQLite writers are serialised anyway.
    """
    updated = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED).update(
        status=VoucherStatus.REDEEMED, redeemed_at=now, redeemed_by=organisation
    )
    return updated == 1


def _refuse_unless_redeemable(voucher: Voucher) -> None:
    if voucher.status == VoucherStatus.REDEEMED:
        when = voucher.redeemed_at.isoformat() if voucher.redeemed_at else None
        raise VoucherAlreadyRedeemed(f"This voucher was redeemed at {when}", redeemed_at=when)
    if voucher.status == VoucherStatus.VOID:
        raise VoucherVoid()
    item = voucher.order_item
    if item.order.status not in _LIVE_ORDER_STATUSES:
        raise VoucherVoid(f"The order is {item.order.status}", order_status=item.order.status)
    if item.valid_until is not None and _local_today(item.timezone) > item.valid_until:
        until = item.valid_until.isoformat()
        raise VoucherExpired(f"This voucher was valid until {until}", valid_until=until)


def _local_today(zone: str) -> dt.date:
    # Validity is a local date: a ticket valid until the 1st is still good at 23:59 in
    # the attraction's time zone, whatever the date is in UTC.
    return timezone.now().astimezone(ZoneInfo(zone)).date()
