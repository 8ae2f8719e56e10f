"""check-invariants: healthy data passes; each kind of corruption is named."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from omnitrip.catalog.tests import factories as cf
from omnitrip.fulfilment.models import Voucher
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.invariants import check_all
from omnitrip.orders.models import Order
from omnitrip.payments.models import Payment
from omnitrip.plugins.payment_sandbox.provider import build_notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

DAY = dt.date.today() + dt.timedelta(days=5)


def booked_and_paid(client, django_capture_on_commit_callbacks):
    offer = cf.dated_offer(capacity=5)
    created = client.post(
        "/api/v1/orders",
        data=json.dumps(
            {
                "items": [{"offer": offer.code, "start_date": DAY.isoformat(), "quantity": 2}],
                "contact": {"name": "Li Wei", "email": "li@example.com"},
            }
        ),
        content_type="application/json",
    ).json()
    code, token = created["order"]["code"], created["access_token"]
    client.post(
        f"/api/v1/orders/{code}/payments",
        data=json.dumps({"provider": "sandbox"}),
        content_type="application/json",
        HTTP_X_ORDER_TOKEN=token,
    )
    payment = Payment.objects.get(order__code=code)
    body, headers = build_notification(payment, "captured")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/payments/sandbox/notify",
            data=body,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
    return offer, Order.objects.get(code=code)


def test_a_healthy_database_passes_every_check(client, django_capture_on_commit_callbacks):
    booked_and_paid(client, django_capture_on_commit_callbacks)
    assert check_all() == {"inventory": [], "orders": [], "ledger": []}


def test_units_sold_without_a_sale_behind_them_are_reported(
    client, django_capture_on_commit_callbacks
):
    offer, _ = booked_and_paid(client, django_capture_on_commit_callbacks)
    InventorySlot.objects.filter(offer=offer, date=DAY).update(sold=3)
    problems = check_all()["inventory"]
    assert len(problems) == 1
    assert "sold 3 but sold holds add up to 2" in problems[0]


def test_a_confirmed_order_without_its_voucher_is_reported(
    client, django_capture_on_commit_callbacks
):
    _, order = booked_and_paid(client, django_capture_on_commit_callbacks)
    Voucher.objects.filter(order_item__order=order).delete()
    assert check_all()["orders"] == [f"order {order.code} item 1 is confirmed without a voucher"]


def test_money_kept_for_an_order_that_is_not_delivered_is_reported(
    client, django_capture_on_commit_callbacks
):
    _, order = booked_and_paid(client, django_capture_on_commit_callbacks)
    Order.objects.filter(pk=order.pk).update(status="expired", confirmed_at=None)
    problems = check_all()["orders"]
    assert any("was not refunded" in p and order.code in p for p in problems)


def test_the_command_exits_non_zero_and_lists_the_problem(
    client, django_capture_on_commit_callbacks, capsys
):
    offer, _ = booked_and_paid(client, django_capture_on_commit_callbacks)
    call_command("check_invariants")
    assert capsys.readouterr().out == "inventory: OK\norders: OK\nledger: OK\n"
    InventorySlot.objects.filter(offer=offer, date=DAY).update(held=1)
    with pytest.raises(SystemExit) as exited:
        call_command("check_invariants")
    assert exited.value.code == 1
    assert "held 1 but live holds add up to 0" in capsys.readouterr().err
