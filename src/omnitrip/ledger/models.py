"""Chart of accounts and the append-only journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .subjects import Kind, Subject


class Account(models.Model):
    """One subject × owner × currency. ``balance_minor`` (debit-positive) is kept only for
    guarded accounts; for the others the lines are the truth."""

    code = models.CharField(max_length=160, unique=True)
    subject = models.CharField(max_length=32, choices=Subject.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    currency = models.CharField(max_length=3)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    provider = models.CharField(max_length=32, blank=True)
    is_guarded = models.BooleanField(default=False)
    balance_minor = models.BigIntegerField(default=0)
    # For distributor credit: how far the balance (what they owe) may go.
    limit_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Liabilities we guard (wallet, deposit) are credit-normal: never above zero.
            models.CheckConstraint(
                condition=~Q(subject__in=["customer_wallet", "distributor_deposit"])
                | Q(balance_minor__lte=0),
                name="account_stored_value_not_negative",
            ),
            # A distributor's debt stays between zero and its credit limit.
            models.CheckConstraint(
                condition=~Q(subject="distributor_credit")
                | (Q(balance_minor__gte=0) & Q(balance_minor__lte=models.F("limit_minor"))),
                name="account_credit_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class JournalEntry(models.Model):
    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    memo = models.CharField(max_length=300, blank=True)
    actor = models.CharField(max_length=120, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    refund = models.ForeignKey(
        "payments.Refund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    # Retries post once: a second post with the same key returns the first entry.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(help_text="Debit positive, credit negative")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="journalline_not_zero")
        ]
        indexes = [models.Index(fields=["account", "entry"], name="journalline_account_entry")]
