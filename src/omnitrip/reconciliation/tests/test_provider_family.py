"""Providers of one family (alipay, alipay_wap) share one bill; others stay out of it."""

from __future__ import annotations

import json

import pytest

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.providers import (
    PaymentProvider,
    RefundResult,
    SettlementLine,
    StartResult,
    register,
    registry,
)
from omnitrip.reconciliation.models import ReconciliationRun
from omnitrip.reconciliation.services import reconcile_file

from .factories import NOON, paid

pytestmark = pytest.mark.django_db


class FakeAlipay(PaymentProvider):
    """Stands in for the real Alipay plug-in: its 'bill' is a JSON list of lines."""

    name = "alipay"

    def start(self, payment, *, return_url, client_ip=""):
        return StartResult()

    def verify_notification(self, body, headers):
        raise NotImplementedError

    def refund(self, payment, refund):
        return RefundResult(status="failed")

    def parse_settlement(self, content):
        return [SettlementLine(**line) for line in json.loads(content)]


@pytest.fixture
def fake_alipay(monkeypatch):
    # Register into a copy of the registry: the real plug-ins come back after the test.
    monkeypatch.setattr(registry, "_providers", dict(registry._providers))
    return register(FakeAlipay())


def alipay_bill(*payments) -> bytes:
    return json.dumps(
        [
            {
                "kind": "payment",
                "reference": payment.code,
                "provider_transaction_id": f"2026030122001{number:04d}",
                "amount_minor": payment.amount_minor,
                "currency": payment.currency,
                "fee_minor": 6,
                "occurred_at": "2026-03-01T20:00:00+08:00",
            }
            for number, payment in enumerate(payments)
        ]
    ).encode()


def test_a_line_of_the_alipay_bill_matches_a_payment_made_through_alipay_wap(fake_alipay):
    wap = paid(provider="alipay_wap")
    web = paid(provider="alipay")

    run = reconcile_file("alipay", alipay_bill(wap, web), file_name="alipay.csv")

    assert run.provider == "alipay"
    assert run.status == "balanced"
    assert list(run.items.values_list("outcome", "reference", "payment_id", "fee_minor")) == [
        ("matched", wap.code, wap.pk, 6),
        ("matched", web.code, web.pk, 6),
    ]


def test_an_alipay_run_lists_missing_payments_of_the_whole_family_and_nothing_else(fake_alipay):
    listed = paid(provider="alipay")
    missing_wap = paid(provider="alipay_wap")
    paid(provider="sandbox")
    paid(provider="wechatpay_native")
    paid(provider="alipayx")  # another name that merely starts alike

    run = reconcile_file("alipay", alipay_bill(listed), file_name="alipay.csv")

    assert list(run.items.values_list("outcome", "reference")) == [
        ("matched", listed.code),
        ("missing_in_file", missing_wap.code),
    ]


def test_a_sandbox_payment_in_an_alipay_bill_is_extra(fake_alipay):
    sandbox_payment = paid(provider="sandbox", at=NOON)

    run = reconcile_file("alipay", alipay_bill(sandbox_payment), file_name="alipay.csv")

    assert list(run.items.values_list("outcome", "payment_id", "detail")) == [
        (
            "extra_in_file",
            None,
            f"Payment {sandbox_payment.code} was made through sandbox, not alipay",
        )
    ]


def test_a_provider_line_breaking_the_interface_is_refused_and_nothing_is_stored(fake_alipay):
    payment = paid(provider="alipay")
    line = json.loads(alipay_bill(payment))[0]
    line["amount_minor"] = -payment.amount_minor

    with pytest.raises(InvalidInput) as caught:
        reconcile_file("alipay", json.dumps([line]).encode(), file_name="alipay.csv")

    assert caught.value.detail == "Settlement line 1: a negative amount or fee"
    assert ReconciliationRun.objects.count() == 0
