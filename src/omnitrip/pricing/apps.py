from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "omnitrip.pricing"
    label = "pricing"
