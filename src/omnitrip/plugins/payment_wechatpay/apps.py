from django.apps import AppConfig


class PaymentWechatpayConfig(AppConfig):
    name = "omnitrip.plugins.payment_wechatpay"
    label = "payment_wechatpay"
    verbose_name = "WeChat Pay"

    def ready(self) -> None:
        from omnitrip.payments.providers import register

        from .provider import H5Provider, NativeProvider

        # Both are registered always; each is enabled only while settings.WECHATPAY
        # holds every key (see config.REQUIRED).
        register(NativeProvider())
        register(H5Provider())
