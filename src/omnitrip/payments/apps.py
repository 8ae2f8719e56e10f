from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "omnitrip.payments"
    label = "payments"
