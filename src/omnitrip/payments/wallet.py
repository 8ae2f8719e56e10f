"""Wallet top-ups: a customer adds stored value through any external provider."""

from __future__ import annotations

from django.db import transaction

from omnitrip.accounts.models import User
from omnitrip.core.errors import InvalidInput

from . import services
from .errors import ProviderUnavailable
from .models import Payment
from .postings import INTERNAL_PROVIDERS
from .providers import get_provider
from .providers.base import StartResult

MAX_TOP_UP_MINOR = 5_000_000  # a ceiling per top-up (50,000.00 in a 2-decimal currency)


def start_top_up(
    user: User,
    amount_minor: int,
    currency: str,
    provider_name: str,
    *,
    idempotency_key: str,
    return_url: str,
    client_ip: str = "",
) -> tuple[Payment, StartResult]:
    """Open a payment that, once captured, credits ``user``'s wallet in ``currency``.

    The amount is the customer's choice, validated here; the ledger entry is written when
    the provider's notification is processed. Idempotent per key.
    """
    if provider_name in INTERNAL_PROVIDERS:
        raise ProviderUnavailable("A wallet is topped up through an external payment method")
    if not 0 < amount_minor <= MAX_TOP_UP_MINOR:
        raise InvalidInput(
            f"Top up between 1 and {MAX_TOP_UP_MINOR} minor units", field="amount_minor"
        )
    provider = get_provider(provider_name)
    with transaction.atomic():
        payment = services.create_payment(
            None,
            provider_name,
            idempotency_key=idempotency_key,
            amount_minor=amount_minor,
            currency=currency,
            wallet_owner=user,
        )
    result = provider.start(payment, return_url=return_url, client_ip=client_ip)
    with transaction.atomic():
        services.mark_pending(payment, result.external_id)
    payment.refresh_from_db()
    return payment, result
