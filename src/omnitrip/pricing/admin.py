from django.contrib import admin

from .models import ExchangeRate

admin.site.register(
    ExchangeRate, list_display=("base", "quote", "rate", "as_of"), list_filter=("base", "quote")
)
