from __future__ import annotations

import pytest

from omnitrip.catalog.tests import factories as catalog
from omnitrip.core.ids import ALPHABET
from omnitrip.fulfilment.codes import (
    format_code,
    is_well_formed,
    new_voucher_code,
    normalise_code,
)
from omnitrip.fulfilment.errors import OrderNotConfirmed
from omnitrip.fulfilment.models import Voucher, VoucherStatus
from omnitrip.fulfilment.services import issue_vouchers, redeem_voucher, void_vouchers
from omnitrip.orders.models import OrderEvent
from omnitrip.orders.states import OrderStatus

from . import factories

pytestmark = pytest.mark.django_db


def test_confirmed_order_gets_one_issued_voucher_per_item_in_item_order():
    order = factories.confirmed_order(catalog.hotel_offer(), catalog.dated_offer())

    vouchers = issue_vouchers(order, actor="provider:sandbox")

    items = list(order.items.order_by("position"))
    assert [v.order_item_id for v in vouchers] == [items[0].pk, items[1].pk]
    assert [v.status for v in vouchers] == [VoucherStatus.ISSUED, VoucherStatus.ISSUED]
    assert all(v.issued_at is not None for v in vouchers)
    events = list(OrderEvent.objects.filter(order=order).values_list("kind", "actor", "data"))
    assert events == [("vouchers_issued", "provider:sandbox", {"items": [1, 2]})]


def test_issuing_twice_creates_nothing_and_returns_the_same_vouchers():
    order = factories.confirmed_order(catalog.hotel_offer(), catalog.dated_offer())
    first = issue_vouchers(order)

    second = issue_vouchers(order)

    assert [(v.pk, v.code) for v in second] == [(v.pk, v.code) for v in first]
    assert Voucher.objects.filter(order_item__order=order).count() == 2
    assert OrderEvent.objects.filter(order=order, kind="vouchers_issued").count() == 1


def test_issuing_after_an_item_was_added_only_covers_the_new_item():
    order = factories.confirmed_order(catalog.hotel_offer())
    (first,) = issue_vouchers(order)
    factories.order_item(order, catalog.dated_offer())

    vouchers = issue_vouchers(order)

    assert len(vouchers) == 2
    assert (vouchers[0].pk, vouchers[0].code) == (first.pk, first.code)
    assert vouchers[1].order_item.position == 2


@pytest.mark.parametrize(
    "status", [OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.EXPIRED]
)
def test_order_that_is_not_confirmed_gets_no_vouchers(status):
    order = factories.confirmed_order(status=status)

    with pytest.raises(OrderNotConfirmed) as caught:
        issue_vouchers(order)

    assert (caught.value.code, caught.value.status) == ("order_not_confirmed", 409)
    assert Voucher.objects.count() == 0
    assert OrderEvent.objects.count() == 0


def test_voucher_codes_are_twenty_symbols_of_the_public_alphabet_and_all_different():
    orders = [
        factories.confirmed_order(catalog.dated_offer(), catalog.dated_offer()) for _ in range(3)
    ]
    stored = [v.code for order in orders for v in issue_vouchers(order)]
    generated = [new_voucher_code() for _ in range(2000)]

    for code in stored + generated:
        assert len(code) == 20
        assert set(code) <= set(ALPHABET)
    assert len(set(stored)) == 6
    assert len(set(generated)) == 2000


def test_code_is_shown_in_groups_of_four():
    assert format_code("7K3M9Q2X1BCDEFGHJKMN") == "7K3M-9Q2X-1BCD-EFGH-JKMN"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7k3m-9q2x-1bcd-efgh-jkmn", "7K3M9Q2X1BCDEFGHJKMN"),
        (" 7K3M 9Q2X 1BCD EFGH JKMN ", "7K3M9Q2X1BCDEFGHJKMN"),
        ("7K3M-9Q2X-IBCD-EFGH-JKMN", "7K3M9Q2X1BCDEFGHJKMN"),
        ("7k3m-9q2x-lbcd-efgh-jkmo", "7K3M9Q2X1BCDEFGHJKM0"),
        ("OMNITRIP:V:7K3M9Q2X1BCDEFGHJKMN", "7K3M9Q2X1BCDEFGHJKMN"),
        ("７Ｋ３Ｍ－９Ｑ２Ｘ－１ＢＣＤ－ＥＦＧＨ－ＪＫＭＮ", "7K3M9Q2X1BCDEFGHJKMN"),
    ],
)
def test_typed_or_scanned_code_is_normalised_to_the_stored_form(typed, stored):
    assert normalise_code(typed) == stored


@pytest.mark.parametrize(
    "code", ["", "7K3M9Q2X1BCDEFGHJKM", "7K3M9Q2X1BCDEFGHJKMNP", "7K3M9Q2X1BCDEFGHJKMU"]
)
def test_codes_of_the_wrong_length_or_with_foreign_symbols_are_malformed(code):
    assert not is_well_formed(code)


def test_voiding_marks_issued_vouchers_void_and_leaves_redeemed_ones_alone():
    hotel, ticket = catalog.hotel_offer(), catalog.dated_offer()
    order = factories.confirmed_order(hotel, ticket)
    redeemed, issued = issue_vouchers(order)
    redeem_voucher(hotel.product.supplier, redeemed.code, actor="user:1")
    redeemed.refresh_from_db()

    voided = void_vouchers(order, reason="customer cancelled", actor="user:2")

    issued.refresh_from_db()
    assert voided == 1
    assert (issued.status, issued.voided_at is not None) == (VoucherStatus.VOID, True)
    after = Voucher.objects.get(pk=redeemed.pk)
    assert (after.status, after.redeemed_at, after.voided_at) == (
        VoucherStatus.REDEEMED,
        redeemed.redeemed_at,
        None,
    )
    event = OrderEvent.objects.get(order=order, kind="vouchers_voided")
    assert (event.actor, event.reason, event.data) == (
        "user:2",
        "customer cancelled",
        {"items": [2]},
    )


def test_voiding_twice_changes_nothing_the_second_time():
    order = factories.confirmed_order(catalog.hotel_offer())
    (voucher,) = issue_vouchers(order)
    assert void_vouchers(order, reason="cancelled") == 1
    voucher.refresh_from_db()

    assert void_vouchers(order, reason="cancelled again") == 0

    after = Voucher.objects.get(pk=voucher.pk)
    assert (after.status, after.voided_at) == (VoucherStatus.VOID, voucher.voided_at)
    assert OrderEvent.objects.filter(order=order, kind="vouchers_voided").count() == 1
