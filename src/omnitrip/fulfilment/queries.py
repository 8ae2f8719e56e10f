"""Reads of vouchers shared by the services, the PDF, the e-mail and supplier screens."""

from __future__ import annotations

from omnitrip.accounts.models import Organisation
from omnitrip.orders.models import Order

from .codes import is_well_formed, normalise_code
from .errors import VoucherNotFound
from .models import Voucher

_RELATED = (
    "order_item__order",
    "order_item__offer",
    "order_item__product__supplier",
)


def vouchers_of_order(order: Order) -> list[Voucher]:
    """Every voucher of ``order`` in item order, with what a printed voucher shows."""
    return list(
        Voucher.objects.filter(order_item__order_id=order.pk)
        .select_related(*_RELATED)
        .order_by("order_item__position")
    )


def access_voucher(organisation: Organisation, code: str) -> Voucher:
    """The voucher ``code`` (as typed or scanned) of one of ``organisation``'s products.

    Raises :class:`VoucherNotFound` when the code is malformed, unknown or belongs to
    another supplier — one answer for all three, so nobody can probe for valid codes.
    """
    normalised = normalise_code(code)
    if not is_well_formed(normalised):
        raise VoucherNotFound()
    voucher = (
        Voucher.objects.select_related(*_RELATED)
        .filter(code=normalised, order_item__product__supplier_id=organisation.pk)
        .first()
    )
    if voucher is None:
        raise VoucherNotFound()
    return voucher
