from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The traveller's pages: presentation only, every write goes through domain services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "omnitrip.storefront"
    label = "storefront"
