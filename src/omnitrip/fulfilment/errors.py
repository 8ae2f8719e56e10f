"""Why a voucher cannot be issued or redeemed: stable codes the API and pages rely on."""

from __future__ import annotations

from omnitrip.core.errors import Conflict, NotFound


class VoucherNotFound(NotFound):
    """No such code, or a code of another supplier's product.

    Both cases answer the same way on purpose: a supplier must not be able to tell a
    stranger's valid code from a made-up one.
    """

    code = "voucher_not_found"
    title = "No voucher with this code"


class VoucherAlreadyRedeemed(Conflict):
    """The voucher was used before; ``extra["redeemed_at"]`` says when (ISO 8601, UTC)."""

    code = "voucher_already_redeemed"
    title = "This voucher has already been redeemed"


class VoucherVoid(Conflict):
    """The voucher was voided, or its order is no longer confirmed (e.g. cancelled)."""

    code = "voucher_void"
    title = "This voucher is no longer valid"


class VoucherExpired(Conflict):
    """An open-dated ticket presented after the last day of its validity."""

    code = "voucher_expired"
    title = "This voucher has expired"


class OrderNotConfirmed(Conflict):
    """Vouchers are only issued for confirmed orders."""

    code = "order_not_confirmed"
    title = "Vouchers can only be issued for a confirmed order"
