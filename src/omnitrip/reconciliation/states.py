"""Reconciliation statuses and outcomes.

A run is written once, complete, in one transaction, and never changes afterwards: its
status says what it found, so there is no transition table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    BALANCED = "balanced", _("Balanced")
    DISCREPANCIES = "discrepancies", _("Discrepancies")


class Outcome(models.TextChoices):
    """What comparing one file line, or one of our rows, with the other side found."""

    MATCHED = "matched", _("Matched")
    # We recorded a captured payment / succeeded refund in the period; the file lacks it.
    MISSING_IN_FILE = "missing_in_file", _("Missing in the file")
    # The file has a line we have no record of (for this provider).
    EXTRA_IN_FILE = "extra_in_file", _("Not recorded by us")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount differs")
    CURRENCY_MISMATCH = "currency_mismatch", _("Currency differs")
    # The file has money moving that we consider not to have moved (failed payment,
    # pending or failed refund).
    STATUS_MISMATCH = "status_mismatch", _("Status differs")


class LineKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
