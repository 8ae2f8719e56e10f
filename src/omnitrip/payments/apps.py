from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "omnitrip.payments"
    label = "payments"

    def ready(self) -> None:
        from .internal import AccountProvider, WalletProvider
        from .providers import register

        register(WalletProvider())
        register(AccountProvider())
