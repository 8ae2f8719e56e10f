"""Reads shared by the back office, the command and the service."""

from __future__ import annotations

import hashlib

from omnitrip.payments.providers import PaymentProvider, all_providers

from .models import ReconciliationRun


def file_digest(content: bytes) -> str:
    """The SHA-256 that identifies an imported file."""
    return hashlib.sha256(content).hexdigest()


def previous_run(provider_name: str, digest: str) -> ReconciliationRun | None:
    """The run that already imported the file with ``digest`` for this provider."""
    return ReconciliationRun.objects.filter(provider=provider_name, file_sha256=digest).first()


def provider_family(provider_name: str) -> str:
    """Providers sharing one settlement file: ``alipay_wap`` → ``alipay``."""
    return provider_name.split("_", 1)[0]


def settlement_providers() -> list[PaymentProvider]:
    """Enabled providers that can read a settlement file, by name."""
    return sorted(
        (
            provider
            for provider in all_providers()
            if type(provider).parse_settlement is not PaymentProvider.parse_settlement
        ),
        key=lambda provider: provider.name,
    )
