from __future__ import annotations

import logging

import pytest
from django.db import transaction

from omnitrip.catalog.tests import factories as catalog
from omnitrip.fulfilment import emails
from omnitrip.fulfilment.codes import format_code
from omnitrip.fulfilment.emails import send_vouchers_email
from omnitrip.fulfilment.models import Voucher
from omnitrip.fulfilment.services import issue_vouchers, void_vouchers
from omnitrip.orders.models import Order
from omnitrip.orders.states import OrderStatus

from . import factories

pytestmark = pytest.mark.django_db


def test_vouchers_are_emailed_after_commit_with_the_pdf_attached(
    django_capture_on_commit_callbacks, mailoutbox
):
    order = factories.confirmed_order(catalog.hotel_offer(), catalog.dated_offer())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vouchers = issue_vouchers(order)
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["li.wei@example.com"]
    assert message.subject == f"Your vouchers for order {order.code}"
    assert message.body.startswith(f"Dear Li Wei,\n\nYour order {order.code} is confirmed.")
    for voucher in vouchers:
        assert f"Voucher code: {format_code(voucher.code)}" in message.body
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"omnitrip-vouchers-{order.code}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    ((html, html_type),) = message.alternatives
    assert html_type == "text/html"
    assert format_code(vouchers[0].code) in html


def test_chinese_order_gets_its_vouchers_in_chinese(django_capture_on_commit_callbacks, mailoutbox):
    order = factories.confirmed_order(catalog.hotel_offer(), language="zh-hans")

    with django_capture_on_commit_callbacks(execute=True):
        (voucher,) = issue_vouchers(order)

    (message,) = mailoutbox
    assert message.subject == f"订单 {order.code} 的电子凭证"
    assert message.body.startswith(f"Li Wei，您好：\n\n您的订单 {order.code} 已确认")
    assert f"凭证码：{format_code(voucher.code)}" in message.body
    assert "入住：" in message.body


def test_issuing_again_sends_no_second_email(django_capture_on_commit_callbacks, mailoutbox):
    order = factories.confirmed_order(catalog.hotel_offer())
    with django_capture_on_commit_callbacks(execute=True):
        issue_vouchers(order)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issue_vouchers(order)

    assert callbacks == []
    assert len(mailoutbox) == 1


def test_nothing_is_emailed_when_the_confirmation_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    order = factories.confirmed_order(catalog.hotel_offer())

    def confirm_then_fail():
        with transaction.atomic():
            issue_vouchers(order)
            raise RuntimeError("the order service failed after issuing")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        confirm_then_fail()

    assert callbacks == []
    assert mailoutbox == []
    assert Voucher.objects.count() == 0


def test_mail_failure_is_logged_and_does_not_undo_the_vouchers(
    django_capture_on_commit_callbacks, mailoutbox, monkeypatch, caplog
):
    order = factories.confirmed_order(catalog.hotel_offer())

    def broken(order_id):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(emails, "send_vouchers_email", broken)
    with (
        caplog.at_level(logging.ERROR, logger="omnitrip.fulfilment.emails"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        issue_vouchers(order)

    assert mailoutbox == []
    assert Voucher.objects.filter(order_item__order=order).count() == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"e-mailing the vouchers of order id {order.pk} failed"
    ]


def test_cancelled_order_or_voided_vouchers_are_not_emailed(mailoutbox):
    cancelled = factories.confirmed_order(catalog.hotel_offer())
    issue_vouchers(cancelled)
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)
    voided = factories.confirmed_order(catalog.hotel_offer())
    issue_vouchers(voided)
    void_vouchers(voided, reason="test")

    assert send_vouchers_email(cancelled.pk) is False
    assert send_vouchers_email(voided.pk) is False
    assert send_vouchers_email(-1) is False
    assert mailoutbox == []
