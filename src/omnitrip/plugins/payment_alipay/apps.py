from django.apps import AppConfig


class PaymentAlipayConfig(AppConfig):
    name = "omnitrip.plugins.payment_alipay"
    label = "payment_alipay"
