from __future__ import annotations

import pytest
from django.test import override_settings

from . import fake_alipay


@pytest.fixture(scope="session")
def keys() -> fake_alipay.Keys:
    """Our key, Alipay's key and a forger's key, RSA 2048, made once per run."""
    return fake_alipay.new_keys()


@pytest.fixture
def alipay(keys):
    """Alipay configured with the test keys, on a public base URL like production's."""
    with override_settings(
        ALIPAY=fake_alipay.settings_for(keys), PUBLIC_BASE_URL=fake_alipay.BASE_URL
    ):
        yield keys
