from django.apps import AppConfig


class PaymentStripeConfig(AppConfig):
    name = "omnitrip.plugins.payment_stripe"
    label = "payment_stripe"
