from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "omnitrip.accounts"
    label = "accounts"
