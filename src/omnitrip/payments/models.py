"""Payments, refunds, their append-only events and stored inbound webhooks."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from omnitrip.core.models import money
from omnitrip.core.money import Money

from .states import PaymentStatus, RefundStatus


class Payment(models.Model):
    """One attempt to collect an order's amount through one provider.

    The amount and currency are copied from the order when the attempt starts: whatever a
    client or a callback claims, this row is what we expect to be paid.
    """

    class Purpose(models.TextChoices):
        ORDER = "order", "Order"
        WALLET_TOP_UP = "wallet_top_up", "Wallet top-up"

    code = models.CharField(max_length=20, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.ORDER)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    # Whose wallet a top-up credits, or which wallet paid (provider "wallet").
    wallet_owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(max_length=32)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    refunded_minor = models.BigIntegerField(default=0)
    idempotency_key = models.CharField(max_length=80)
    external_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"], name="payment_idempotent"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0) & Q(refunded_minor__lte=F("amount_minor")),
                name="payment_refund_within_amount",
            ),
        ]

    @property
    def amount(self) -> Money:
        return money(self.amount_minor, self.currency)

    @property
    def refundable(self) -> Money:
        if self.status != PaymentStatus.CAPTURED:
            return Money.zero(self.currency)
        return money(self.amount_minor - self.refunded_minor, self.currency)


class PaymentEvent(models.Model):
    """Append-only record of everything that happened to a payment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    amount_minor = models.BigIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Refund(models.Model):
    class Destination(models.TextChoices):
        ORIGINAL = "original", "Original payment method"
        WALLET = "wallet", "Customer wallet"

    code = models.CharField(max_length=20, unique=True)
    destination = models.CharField(
        max_length=12, choices=Destination.choices, default=Destination.ORIGINAL
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reason = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    external_id = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_positive")
        ]

    @property
    def amount(self) -> Money:
        return money(self.amount_minor, self.currency)


class WebhookEvent(models.Model):
    """An inbound provider notification, stored before it is acted on.

    The unique ``(provider, external_id)`` makes a replayed notification a no-op.
    """

    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSED = "processed"
        FAILED = "failed"

    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=160)
    payment_code = models.CharField(max_length=20, blank=True)
    # What the verified notification said, so processing (maybe in a worker) never has to
    # re-verify or re-parse the vendor's body.
    outcome = models.CharField(max_length=16, blank=True)
    amount_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    external_payment_id = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="webhook_unique")
        ]


class RejectedCallback(models.Model):
    """A callback we refused (bad signature, stale, wrong amount): kept for the audit."""

    provider = models.CharField(max_length=32)
    code = models.CharField(max_length=40)
    detail = models.CharField(max_length=300)
    body = models.TextField()
    remote_addr = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
