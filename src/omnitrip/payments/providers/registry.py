"""Which providers exist. Plug-in apps call :func:`register` from ``AppConfig.ready``."""

from __future__ import annotations

from .base import PaymentProvider

_providers: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    if not provider.name:
        raise ValueError("a provider needs a name")
    _providers[provider.name] = provider
    return provider


def get_provider(name: str) -> PaymentProvider:
    from omnitrip.payments.errors import UnknownProvider

    provider = _providers.get(name)
    if provider is None or not provider.is_enabled():
        raise UnknownProvider(f"Unknown payment provider {name!r}")
    return provider


def all_providers() -> list[PaymentProvider]:
    return [p for p in _providers.values() if p.is_enabled()]
