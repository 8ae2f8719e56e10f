"""Storefront views, one module per use case; each module exports its ``urlpatterns``."""
