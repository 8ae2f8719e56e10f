from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "omnitrip.catalog"
    label = "catalog"
