from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "omnitrip.reconciliation"
    label = "reconciliation"
