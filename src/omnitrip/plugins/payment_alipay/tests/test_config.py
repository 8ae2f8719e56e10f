"""Registration, configuration, keys and amounts."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from omnitrip.payments.errors import UnknownProvider
from omnitrip.payments.providers import all_providers, get_provider
from omnitrip.payments.tests.factories import order_to_pay, payment_for
from omnitrip.plugins.payment_alipay.amounts import minor_from_yuan, yuan_from_minor
from omnitrip.plugins.payment_alipay.provider import AlipayProvider, AlipayWapProvider

from . import fake_alipay

pytestmark = pytest.mark.django_db


def test_both_providers_are_registered_and_offered_when_configured(alipay):
    page, wap = get_provider("alipay"), get_provider("alipay_wap")

    assert type(page) is AlipayProvider
    assert type(wap) is AlipayWapProvider
    assert (page.display_name_en, page.display_name_zh) == ("Alipay", "支付宝")
    assert (wap.display_name_en, wap.display_name_zh) == ("Alipay (mobile)", "支付宝（手机网站）")
    assert {"alipay", "alipay_wap"} <= {p.name for p in all_providers()}


@pytest.mark.parametrize("missing", ["APP_ID", "PRIVATE_KEY", "ALIPAY_PUBLIC_KEY"])
def test_without_any_one_of_the_three_values_alipay_is_not_offered(keys, missing):
    with override_settings(ALIPAY=fake_alipay.settings_for(keys, **{missing: ""})):
        assert AlipayProvider().is_enabled() is False
        with pytest.raises(UnknownProvider):
            get_provider("alipay")
        with pytest.raises(UnknownProvider):
            get_provider("alipay_wap")
        assert not {"alipay", "alipay_wap"} & {p.name for p in all_providers()}


def test_only_renminbi_is_supported():
    provider = AlipayProvider()

    assert provider.supports_currency("CNY") is True
    assert provider.supports_currency("USD") is False
    assert provider.supports_currency("cny") is False


def _signed_with(keys, settings_changes) -> bool:
    payment = payment_for(order_to_pay(total_minor=100), provider="alipay")
    with override_settings(
        ALIPAY=fake_alipay.settings_for(keys, **settings_changes),
        PUBLIC_BASE_URL=fake_alipay.BASE_URL,
    ):
        url = AlipayProvider().start(payment, return_url="/back").redirect_url
    params = dict(parse_qsl(urlsplit(url).query))
    assert json.loads(params["biz_content"])["total_amount"] == "1.00"
    return fake_alipay.rsa2_valid(keys.merchant, fake_alipay.request_string(params), params["sign"])


def test_keys_may_be_paths_to_pem_files(keys, tmp_path):
    private = tmp_path / "app_private_key.pem"
    private.write_text(fake_alipay.private_pem(keys.merchant))
    public = tmp_path / "alipay_public_key.pem"
    public.write_text(fake_alipay.public_pem(keys.alipay))

    assert _signed_with(keys, {"PRIVATE_KEY": str(private), "ALIPAY_PUBLIC_KEY": str(public)})


def test_keys_may_be_the_bare_base64_alipays_console_prints(keys):
    pem = fake_alipay.private_pem(keys.merchant)
    bare = "".join(line for line in pem.splitlines() if not line.startswith("-----"))

    assert _signed_with(
        keys,
        {"PRIVATE_KEY": bare, "ALIPAY_PUBLIC_KEY": fake_alipay.public_base64(keys.alipay)},
    )


def test_an_unreadable_key_is_a_configuration_error_not_a_signature(keys):
    payment = payment_for(order_to_pay(total_minor=100), provider="alipay")

    with (
        override_settings(ALIPAY=fake_alipay.settings_for(keys, PRIVATE_KEY="not a key!")),
        pytest.raises(ImproperlyConfigured),
    ):
        AlipayProvider().start(payment, return_url="/back")


@pytest.mark.parametrize(
    ("minor", "text"),
    [(1, "0.01"), (99, "0.99"), (100, "1.00"), (123_450, "1234.50"), (10**13, "100000000000.00")],
)
def test_fen_become_yuan_text_and_back_exactly(minor, text):
    assert yuan_from_minor(minor) == text
    assert minor_from_yuan(text) == minor


@pytest.mark.parametrize(("text", "minor"), [("1234.5", 123_450), ("7", 700), ("0.10", 10)])
def test_yuan_with_fewer_decimals_are_read_exactly(text, minor):
    assert minor_from_yuan(text) == minor


@pytest.mark.parametrize(
    "text", ["", "1.005", "1e3", "-1.00", " 1.00", "1,000.00", "NaN", "Infinity", "1."]
)
def test_anything_but_plain_yuan_is_refused(text):
    with pytest.raises(ValueError, match="not an amount"):
        minor_from_yuan(text)


def test_negative_amounts_are_read_only_when_allowed():
    assert minor_from_yuan("-0.12", allow_negative=True) == -12


@pytest.mark.parametrize("minor", [0, -1, True])
def test_only_positive_fen_are_sent(minor):
    with pytest.raises(ValueError, match="positive"):
        yuan_from_minor(minor)
