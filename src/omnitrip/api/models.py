"""Idempotency records for API writes (``Idempotency-Key`` header)."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a key is stored and replayed for every retry with that key.

    Keys are scoped to who is calling (an API key, a user or a guest session) so two
    clients cannot collide; the request fingerprint detects a key reused for another body.
    """

    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=120)
    operation = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "operation", "key"], name="idempotency_unique")
        ]
