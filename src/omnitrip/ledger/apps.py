from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "omnitrip.ledger"
    label = "ledger"
