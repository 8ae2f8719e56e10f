"""Supplier operations, authenticated by the supplier's API key."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from omnitrip.accounts.models import ApiKey
from omnitrip.fulfilment.services import redeem_voucher as redeem

from ..auth import supplier_auth
from ..schemas import Problem, RedeemIn, RedeemOut

router = Router(tags=["supplier"])


@router.post(
    "/supplier/vouchers/redeem",
    auth=supplier_auth,
    response={
        200: RedeemOut,
        400: Problem,
        401: Problem,
        404: Problem,
        409: Problem,
        415: Problem,
        422: Problem,
    },
    operation_id="redeem_voucher",
)
def redeem_voucher(request: HttpRequest, body: RedeemIn):
    """Redeem a voucher by its code, exactly once; only the supplier of its product may."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]  # set by ninja's auth=supplier_auth
    voucher = redeem(key.organisation, body.code, actor=f"api-key:{key.prefix}")
    item = voucher.order_item
    return RedeemOut(
        code=voucher.code,
        status=voucher.status,
        redeemed_at=voucher.redeemed_at,
        order=item.order.code,
        item=item.position,
        product=item.product.code,
        start_date=item.start_date,
        quantity=item.quantity,
        guest_name=item.order.contact_name,
    )
