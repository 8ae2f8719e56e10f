from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "omnitrip.orders"
    label = "orders"
