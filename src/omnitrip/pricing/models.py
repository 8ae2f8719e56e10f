"""Exchange rates for display. Prices are always charged in the supplier's currency."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ExchangeRate(models.Model):
    """1 unit of ``base`` = ``rate`` units of ``quote``, as published on ``as_of``."""

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    as_of = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "as_of"], name="fx_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_positive"),
        ]
        indexes = [models.Index(fields=["base", "quote", "-as_of"])]
