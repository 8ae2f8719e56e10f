"""Keys made in the test run, WeChat Pay's side of the protocol, and its settings."""

from __future__ import annotations

import pytest
import responses
from django.test import override_settings

from .wechat_side import WechatSide, new_rsa_key

PUBLIC_BASE_URL = "https://trip.example"


@pytest.fixture(scope="session")
def merchant_key():
    return new_rsa_key()


@pytest.fixture(scope="session")
def platform_key():
    return new_rsa_key()


@pytest.fixture(scope="session")
def stranger_key():
    """A key WeChat Pay never had: what a forger signs with."""
    return new_rsa_key()


@pytest.fixture
def wechat(merchant_key, platform_key):
    """WeChat Pay's side, with ``settings.WECHATPAY`` configured for it during the test."""
    side = WechatSide(merchant_key=merchant_key, platform_key=platform_key)
    with override_settings(
        WECHATPAY=side.settings(),
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        WEBHOOK_TOLERANCE_SECONDS=300,
    ):
        yield side


@pytest.fixture
def wechat_api():
    """Every HTTP request is answered by what the test registers, or fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
