from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "omnitrip.pricing"
    label = "pricing"

    def ready(self) -> None:
        from . import freshness

        freshness.connect()
