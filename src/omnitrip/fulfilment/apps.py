from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "omnitrip.fulfilment"
    label = "fulfilment"
