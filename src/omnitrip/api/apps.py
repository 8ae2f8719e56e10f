from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "omnitrip.api"
    label = "api"
