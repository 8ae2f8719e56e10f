"""Starting a payment: the signed cashier URL for alipay.trade.page.pay / wap.pay."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from omnitrip.payments.errors import ProviderUnavailable
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_alipay.numbers import alipay_number
from omnitrip.plugins.payment_alipay.provider import AlipayProvider, AlipayWapProvider

from . import fake_alipay

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def cashier_params(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == fake_alipay.GATEWAY
    pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    assert len(pairs) == len(dict(pairs))
    return dict(pairs)


def alipay_payment(total_minor: int = 123_450, provider: str = "alipay"):
    return payment_for(order_to_pay(total_minor=total_minor), provider=provider)


def test_the_cashier_url_carries_a_signature_that_verifies_independently(alipay):
    payment = alipay_payment()

    result = AlipayProvider().start(payment, return_url="/orders/OT-1/done")

    params = cashier_params(result.redirect_url)
    assert fake_alipay.rsa2_valid(
        alipay.merchant, fake_alipay.request_string(params), params["sign"]
    )
    assert not fake_alipay.rsa2_valid(
        alipay.stranger, fake_alipay.request_string(params), params["sign"]
    )


def test_the_cashier_url_has_the_common_parameters_of_page_pay(alipay):
    payment = alipay_payment()
    before = timezone.now().astimezone(SHANGHAI).replace(microsecond=0, tzinfo=None)

    result = AlipayProvider().start(payment, return_url="/orders/OT-1/done?x=1&y=2")

    params = cashier_params(result.redirect_url)
    assert sorted(params) == [
        "app_id",
        "biz_content",
        "charset",
        "format",
        "method",
        "notify_url",
        "return_url",
        "sign",
        "sign_type",
        "timestamp",
        "version",
    ]
    assert {k: params[k] for k in ("app_id", "method", "format", "charset", "sign_type")} == {
        "app_id": fake_alipay.APP_ID,
        "method": "alipay.trade.page.pay",
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
    }
    assert params["version"] == "1.0"
    assert params["notify_url"] == "https://shop.example/api/v1/payments/alipay/notify"
    assert params["return_url"] == "https://shop.example/orders/OT-1/done?x=1&y=2"
    stamped = dt.datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S")
    assert before <= stamped <= before + dt.timedelta(seconds=5)
    assert (result.external_id, result.qr_content) == ("", "")


def test_biz_content_has_the_servers_amount_in_yuan_and_the_payment_code(alipay):
    payment = alipay_payment(total_minor=123_450)

    result = AlipayProvider().start(payment, return_url="https://shop.example/back")

    biz = json.loads(cashier_params(result.redirect_url)["biz_content"])
    assert biz["out_trade_no"] == alipay_number(payment.code)
    assert biz["total_amount"] == "1234.50"
    assert biz["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert biz["subject"] == payment.order.code
    expires = payment.order.hold_expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert biz["time_expire"] == expires
    assert "quit_url" not in biz


@pytest.mark.parametrize(
    ("total_minor", "yuan"),
    [(1, "0.01"), (10, "0.10"), (100, "1.00"), (99_999_999_99, "99999999.99")],
)
def test_amounts_are_written_exactly_in_yuan(alipay, total_minor, yuan):
    payment = alipay_payment(total_minor=total_minor)

    result = AlipayProvider().start(payment, return_url="/back")

    assert json.loads(cashier_params(result.redirect_url)["biz_content"])["total_amount"] == yuan


def test_alipay_wap_uses_the_wap_method_product_and_its_own_notify_url(alipay):
    payment = alipay_payment(provider="alipay_wap")

    result = AlipayWapProvider().start(payment, return_url="/orders/OT-1/done")

    params = cashier_params(result.redirect_url)
    biz = json.loads(params["biz_content"])
    assert params["method"] == "alipay.trade.wap.pay"
    assert params["notify_url"] == "https://shop.example/api/v1/payments/alipay_wap/notify"
    assert (biz["product_code"], biz["total_amount"]) == ("QUICK_WAP_WAY", "1234.50")
    assert biz["quit_url"] == "https://shop.example/orders/OT-1/done"
    assert fake_alipay.rsa2_valid(
        alipay.merchant, fake_alipay.request_string(params), params["sign"]
    )


def test_an_expired_hold_is_not_sent_as_a_deadline(alipay):
    order = order_to_pay(total_minor=500)
    order.hold_expires_at = timezone.now() - dt.timedelta(minutes=1)
    order.save(update_fields=["hold_expires_at"])
    payment = payment_for(order, provider="alipay")

    result = AlipayProvider().start(payment, return_url="/back")

    assert "time_expire" not in json.loads(cashier_params(result.redirect_url)["biz_content"])


def test_a_payment_in_another_currency_is_refused(alipay):
    payment = payment_for(order_to_pay(currency="USD"), provider="alipay")

    with pytest.raises(ProviderUnavailable):
        AlipayProvider().start(payment, return_url="/back")
