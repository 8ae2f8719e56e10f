from django.apps import AppConfig


class PaymentWechatpayConfig(AppConfig):
    name = "omnitrip.plugins.payment_wechatpay"
    label = "payment_wechatpay"
