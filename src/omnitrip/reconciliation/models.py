"""Settlement-file reconciliation runs and what each found.

A run is the audit record of one imported provider file: who imported it, when, its
SHA-256, the period compared and one item per line or missing row. Runs and items are
written once by :func:`omnitrip.reconciliation.services.reconcile_file` and never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnitrip.core.money import Money

from .states import LineKind, Outcome, RunStatus


class ReconciliationRun(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    provider = models.CharField(_("provider"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Inclusive"))
    # The instants the period stands for, in the file's time zone: what was compared.
    window_start = models.DateTimeField(_("compared from"))
    window_end = models.DateTimeField(_("compared until"), help_text=_("Exclusive"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices)
    line_count = models.PositiveIntegerField(_("lines in the file"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    missing_in_file_count = models.PositiveIntegerField(_("missing in the file"), default=0)
    extra_in_file_count = models.PositiveIntegerField(_("not recorded by us"), default=0)
    amount_mismatch_count = models.PositiveIntegerField(_("amount differs"), default=0)
    currency_mismatch_count = models.PositiveIntegerField(_("currency differs"), default=0)
    status_mismatch_count = models.PositiveIntegerField(_("status differs"), default=0)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file imported twice is one run.
            models.UniqueConstraint(
                fields=["provider", "file_sha256"], name="reconciliation_run_file_once"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="reconciliation_run_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.provider} {self.period_start}…{self.period_end})"

    def count(self, outcome: str) -> int:
        """How many items have ``outcome``."""
        return int(getattr(self, f"{outcome}_count"))

    @property
    def discrepancy_count(self) -> int:
        return sum(self.count(outcome) for outcome in Outcome.values if outcome != Outcome.MATCHED)


class ReconciliationItem(models.Model):
    """One file line compared with our row, or one of our rows the file lacks."""

    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="items"
    )
    # File lines first, in file order; then our rows the file lacks.
    position = models.PositiveIntegerField(_("position"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices)
    reference = models.CharField(_("reference"), max_length=128)
    provider_transaction_id = models.CharField(
        _("provider transaction id"), max_length=128, blank=True
    )
    # Set when the line (or the missing row) is one of ours of this provider.
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refund = models.ForeignKey(
        "payments.Refund",
        verbose_name=_("refund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_amount_minor = models.BigIntegerField(_("amount in the file"), null=True, blank=True)
    file_currency = models.CharField(_("currency in the file"), max_length=3, blank=True)
    our_amount_minor = models.BigIntegerField(_("our amount"), null=True, blank=True)
    our_currency = models.CharField(_("our currency"), max_length=3, blank=True)
    fee_minor = models.BigIntegerField(_("fee"), default=0)
    occurred_at = models.CharField(_("time in the file"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    # The file's row as the provider's parser read it (untruncated).
    raw = models.JSONField(_("file row"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reconciliation item")
        verbose_name_plural = _("reconciliation items")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="reconciliation_item_position")
        ]
        indexes = [models.Index(fields=["run", "outcome"], name="reconciliation_item_outcome")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.kind} {self.reference}"

    @property
    def file_amount(self) -> Money | None:
        if self.file_amount_minor is None:
            return None
        return Money(self.file_amount_minor, self.file_currency)

    @property
    def our_amount(self) -> Money | None:
        if self.our_amount_minor is None:
            return None
        return Money(self.our_amount_minor, self.our_currency)

    @property
    def fee(self) -> Money | None:
        """The provider's fee, in the file's currency (none for a row the file lacks)."""
        if not self.file_currency:
            return None
        return Money(self.fee_minor, self.file_currency)
