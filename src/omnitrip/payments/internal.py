"""Internal payment methods: the customer's wallet and a distributor's account.

They move money inside the ledger only, so they have no hosted page and no callbacks;
the order services pay with them directly (``orders.services.payments``). Refunds to
them are paid at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import InvalidSignature, ProviderUnavailable
from .models import Payment, Refund
from .providers.base import Notification, PaymentProvider, RefundResult, StartResult


class InternalProvider(PaymentProvider):
    def start(self, payment: Payment, *, return_url: str, client_ip: str = "") -> StartResult:
        raise ProviderUnavailable(f"{self.name} payments are made with their own service")

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise InvalidSignature(f"{self.name} takes no notifications")

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        return RefundResult(status="succeeded", external_id=f"{self.name}:{refund.code}")


class WalletProvider(InternalProvider):
    name = "wallet"
    display_name_en = "Wallet balance"
    display_name_zh = "账户余额"


class AccountProvider(InternalProvider):
    name = "account"
    display_name_en = "On account (distributors)"
    display_name_zh = "挂账（分销商）"
