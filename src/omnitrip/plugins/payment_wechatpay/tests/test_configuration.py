"""Registration, enabling by settings, and the forms keys may be given in."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from omnitrip.payments.errors import UnknownProvider
from omnitrip.payments.providers import all_providers, get_provider
from omnitrip.payments.tests.factories import payment_for
from omnitrip.plugins.payment_wechatpay.config import REQUIRED, current_config
from omnitrip.plugins.payment_wechatpay.provider import H5Provider, NativeProvider

from .wechat_side import private_pem, public_pem


def test_both_providers_are_registered_and_enabled_by_complete_settings(wechat):
    native, h5 = get_provider("wechatpay_native"), get_provider("wechatpay_h5")

    assert (type(native), type(h5)) == (NativeProvider, H5Provider)
    assert (native.display_name_en, native.display_name_zh) == (
        "WeChat Pay (scan QR code)",
        "微信支付（扫码）",
    )
    assert (h5.display_name_en, h5.display_name_zh) == (
        "WeChat Pay (mobile browser)",
        "微信支付（手机浏览器）",
    )
    assert {"wechatpay_native", "wechatpay_h5"} <= {p.name for p in all_providers()}


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_setting_disables_both_providers(wechat, missing):
    with override_settings(WECHATPAY=wechat.settings(**{missing: "  "})):
        for name in ("wechatpay_native", "wechatpay_h5"):
            with pytest.raises(UnknownProvider):
                get_provider(name)
        assert not {"wechatpay_native", "wechatpay_h5"} & {p.name for p in all_providers()}


def test_only_renminbi_is_collected():
    assert NativeProvider().supports_currency("CNY")
    assert not NativeProvider().supports_currency("USD")
    assert not H5Provider().supports_currency("HKD")


def test_keys_may_be_files(wechat, merchant_key, platform_key, tmp_path):
    (tmp_path / "apiclient_key.pem").write_text(private_pem(merchant_key))
    (tmp_path / "pub_key.pem").write_text(public_pem(platform_key))

    with override_settings(
        WECHATPAY=wechat.settings(
            PRIVATE_KEY=str(tmp_path / "apiclient_key.pem"),
            PLATFORM_PUBLIC_KEY=str(tmp_path / "pub_key.pem"),
        )
    ):
        config = current_config()

    assert config.private_key.private_numbers() == merchant_key.private_numbers()
    assert config.platform_public_key.public_numbers() == platform_key.public_key().public_numbers()


def test_pem_text_with_escaped_newlines_from_the_environment_is_accepted(wechat, merchant_key):
    escaped = private_pem(merchant_key).replace("\n", "\\n")

    with override_settings(WECHATPAY=wechat.settings(PRIVATE_KEY=escaped)):
        assert current_config().private_key.private_numbers() == merchant_key.private_numbers()


@pytest.mark.django_db
def test_a_platform_certificate_works_and_its_serial_is_the_key_id(wechat, platform_key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(platform_key.public_key())
        .serial_number(0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(platform_key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    payment = payment_for(provider="wechatpay_native")
    body, headers = wechat.callback(
        wechat.transaction(payment), serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    )

    with override_settings(
        WECHATPAY=wechat.settings(PLATFORM_PUBLIC_KEY=pem, PLATFORM_PUBLIC_KEY_ID="")
    ):
        assert current_config().platform_public_key_id == "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        assert NativeProvider().verify_notification(body, headers).outcome == "captured"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"API_V3_KEY": "too-short"}, "API_V3_KEY must be 32 bytes"),
        ({"PRIVATE_KEY": "/nonexistent/apiclient_key.pem"}, "neither PEM text nor a readable file"),
        (
            {"PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"},
            "not a PEM",
        ),
        (
            {"PLATFORM_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"},
            "not a PEM",
        ),
    ],
)
def test_a_wrong_key_is_a_configuration_error_naming_the_setting(wechat, changes, message):
    with (
        override_settings(WECHATPAY=wechat.settings(**changes)),
        pytest.raises(ImproperlyConfigured, match=message),
    ):
        current_config()


def test_a_key_that_is_not_rsa_is_refused(wechat):
    elliptic = ec.generate_private_key(ec.SECP256R1())
    pem = elliptic.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

    with (
        override_settings(WECHATPAY=wechat.settings(PRIVATE_KEY=pem)),
        pytest.raises(ImproperlyConfigured, match="RSA"),
    ):
        current_config()
