from __future__ import annotations

import pytest
import responses
from django.test import override_settings

from .factories import STRIPE


@pytest.fixture(autouse=True)
def stripe_configured():
    """Stripe keys pointing at a stand-in API base, and a five-minute webhook window."""
    with override_settings(
        STRIPE=STRIPE, WEBHOOK_TOLERANCE_SECONDS=300, PUBLIC_BASE_URL="https://shop.example"
    ):
        yield


@pytest.fixture
def stripe_api():
    """Intercepts every HTTP request; one that no test registered fails as unreachable."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock
