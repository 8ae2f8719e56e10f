from django.apps import AppConfig


class PaymentAlipayConfig(AppConfig):
    name = "omnitrip.plugins.payment_alipay"
    label = "payment_alipay"
    verbose_name = "Alipay payments"

    def ready(self) -> None:
        from omnitrip.payments.providers import register

        from .provider import AlipayProvider, AlipayWapProvider

        # Both are registered; each is offered only while settings.ALIPAY holds keys.
        register(AlipayProvider())
        register(AlipayWapProvider())
