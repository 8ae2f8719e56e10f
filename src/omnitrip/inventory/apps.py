from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "omnitrip.inventory"
    label = "inventory"
