"""Abstract model bases shared by domain apps (no concrete models here)."""

from __future__ import annotations

from django.db import models

from .money import Money


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def money(amount_minor: int | None, currency: str) -> Money:
    """Wrap a stored minor amount; ``None`` reads as zero."""
    return Money(int(amount_minor or 0), currency)
