from django.apps import AppConfig


class PaymentSandboxConfig(AppConfig):
    name = "omnitrip.plugins.payment_sandbox"
    label = "payment_sandbox"
