from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omnitrip.catalog.tests import factories as catalog
from omnitrip.fulfilment.codes import format_code
from omnitrip.fulfilment.errors import (
    VoucherAlreadyRedeemed,
    VoucherExpired,
    VoucherNotFound,
    VoucherVoid,
)
from omnitrip.fulfilment.models import Voucher, VoucherStatus
from omnitrip.fulfilment.services import issue_vouchers, redeem_voucher, void_vouchers
from omnitrip.orders.models import Order, OrderEvent
from omnitrip.orders.states import OrderStatus

from . import factories

pytestmark = pytest.mark.django_db


def supplier_of(voucher: Voucher):
    return voucher.order_item.product.supplier


def unchanged(voucher: Voucher) -> bool:
    """The voucher row is exactly as it was when ``voucher`` was read."""
    row = Voucher.objects.get(pk=voucher.pk)
    return (row.status, row.redeemed_at, row.redeemed_by_id, row.voided_at) == (
        voucher.status,
        voucher.redeemed_at,
        voucher.redeemed_by_id,
        voucher.voided_at,
    )


def redemption_events() -> int:
    return OrderEvent.objects.filter(kind="voucher_redeemed").count()


def test_supplier_redeems_its_voucher_and_the_redemption_is_recorded():
    voucher = factories.issued_voucher()
    supplier = supplier_of(voucher)

    redeemed = redeem_voucher(supplier, voucher.code, actor="user:7")

    row = Voucher.objects.get(pk=voucher.pk)
    assert (row.status, row.redeemed_by_id) == (VoucherStatus.REDEEMED, supplier.pk)
    assert row.redeemed_at is not None
    assert (redeemed.status, redeemed.redeemed_at) == (VoucherStatus.REDEEMED, row.redeemed_at)
    event = OrderEvent.objects.get(kind="voucher_redeemed")
    assert (event.order_id, event.actor, event.data) == (
        voucher.order_item.order_id,
        "user:7",
        {"voucher": voucher.code, "item": 1},
    )


def test_second_redemption_is_refused_and_keeps_the_first_redemption_time():
    voucher = factories.issued_voucher()
    supplier = supplier_of(voucher)
    redeem_voucher(supplier, voucher.code, actor="user:7")
    first = Voucher.objects.get(pk=voucher.pk)

    with pytest.raises(VoucherAlreadyRedeemed) as caught:
        redeem_voucher(supplier, voucher.code, actor="user:8")

    assert (caught.value.code, caught.value.status) == ("voucher_already_redeemed", 409)
    assert caught.value.extra == {"redeemed_at": first.redeemed_at.isoformat()}
    assert unchanged(first)
    assert redemption_events() == 1


def test_another_suppliers_voucher_is_not_found_and_stays_issued():
    voucher = factories.issued_voucher()
    stranger = catalog.OrganisationFactory()

    with pytest.raises(VoucherNotFound) as caught:
        redeem_voucher(stranger, voucher.code, actor="user:9")

    assert (caught.value.code, caught.value.status) == ("voucher_not_found", 404)
    assert unchanged(voucher)
    assert redemption_events() == 0


def test_unknown_and_malformed_codes_are_not_found_in_the_same_way():
    voucher = factories.issued_voucher()
    supplier = supplier_of(voucher)
    answers = []

    for code in ["0" * 20, "not a code", ""]:
        with pytest.raises(VoucherNotFound) as caught:
            redeem_voucher(supplier, code, actor="user:7")
        answers.append((caught.value.code, caught.value.status, caught.value.detail))

    assert answers == [("voucher_not_found", 404, "No voucher with this code")] * 3
    assert unchanged(voucher)


def test_void_voucher_is_refused():
    voucher = factories.issued_voucher()
    void_vouchers(voucher.order_item.order, reason="cancelled")
    voucher.refresh_from_db()

    with pytest.raises(VoucherVoid) as caught:
        redeem_voucher(supplier_of(voucher), voucher.code, actor="user:7")

    assert (caught.value.code, caught.value.status) == ("voucher_void", 409)
    assert unchanged(voucher)
    assert redemption_events() == 0


def test_voucher_of_a_cancelled_order_is_refused_as_void_even_if_not_voided():
    voucher = factories.issued_voucher()
    Order.objects.filter(pk=voucher.order_item.order_id).update(status=OrderStatus.CANCELLED)

    with pytest.raises(VoucherVoid) as caught:
        redeem_voucher(supplier_of(voucher), voucher.code, actor="user:7")

    assert caught.value.extra == {"order_status": "cancelled"}
    assert unchanged(voucher)
    assert redemption_events() == 0


def test_code_typed_in_lowercase_with_hyphens_and_look_alike_letters_is_redeemed():
    voucher = factories.issued_voucher()
    typed = format_code(voucher.code).lower().replace("0", "o").replace("1", "l")

    redeem_voucher(supplier_of(voucher), f"  {typed} ", actor="user:7")

    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.REDEEMED


def test_scanned_qr_payload_is_redeemed():
    voucher = factories.issued_voucher()

    redeem_voucher(supplier_of(voucher), f"OMNITRIP:V:{voucher.code}", actor="scanner:1")

    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.REDEEMED


def test_hotel_voucher_is_redeemable_before_the_check_in_date():
    voucher = factories.issued_voucher(catalog.hotel_offer())
    assert voucher.order_item.start_date > timezone.localdate()

    redeem_voucher(supplier_of(voucher), voucher.code, actor="user:7")

    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.REDEEMED


def open_ticket_voucher(valid_until: dt.date) -> Voucher:
    offer = catalog.open_dated_ticket()
    order = factories.order()
    factories.order_item(order, offer, valid_until=valid_until, timezone="Asia/Shanghai")
    return issue_vouchers(order)[0]


def test_open_dated_ticket_is_redeemable_until_midnight_of_its_last_day_in_local_time(monkeypatch):
    voucher = open_ticket_voucher(dt.date(2030, 6, 1))
    # 15:59 UTC is 23:59 in Shanghai: still the last valid day there.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 6, 1, 15, 59, tzinfo=dt.UTC))

    redeem_voucher(supplier_of(voucher), voucher.code, actor="user:7")

    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.REDEEMED


def test_open_dated_ticket_past_its_last_valid_day_is_refused_as_expired(monkeypatch):
    voucher = open_ticket_voucher(dt.date(2030, 6, 1))
    # 16:01 UTC on the 1st is already the 2nd in Shanghai.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 6, 1, 16, 1, tzinfo=dt.UTC))

    with pytest.raises(VoucherExpired) as caught:
        redeem_voucher(supplier_of(voucher), voucher.code, actor="user:7")

    assert (caught.value.code, caught.value.status) == ("voucher_expired", 409)
    assert caught.value.extra == {"valid_until": "2030-06-01"}
    assert unchanged(voucher)
    assert redemption_events() == 0


def test_redemption_takes_one_read_one_guarded_update_and_one_event(django_assert_num_queries):
    voucher = factories.issued_voucher()
    supplier = supplier_of(voucher)

    # SAVEPOINT, SELECT voucher with its item, order and product, UPDATE, INSERT event, RELEASE
    with django_assert_num_queries(5):
        redeem_voucher(supplier, voucher.code, actor="scanner:1")
