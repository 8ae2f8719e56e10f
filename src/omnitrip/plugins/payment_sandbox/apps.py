from django.apps import AppConfig


class PaymentSandboxConfig(AppConfig):
    name = "omnitrip.plugins.payment_sandbox"
    label = "payment_sandbox"
    verbose_name = "Sandbox payments"

    def ready(self) -> None:
        from omnitrip.payments.providers import register

        from .provider import SandboxProvider

        register(SandboxProvider())
