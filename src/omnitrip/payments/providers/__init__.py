"""Payment providers: one small interface and a registry filled by plug-in apps."""

from .base import Notification, PaymentProvider, RefundResult, SettlementLine, StartResult
from .registry import all_providers, get_provider, register

__all__ = [
    "Notification",
    "PaymentProvider",
    "RefundResult",
    "SettlementLine",
    "StartResult",
    "all_providers",
    "get_provider",
    "register",
]
