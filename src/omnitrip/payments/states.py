"""Payment and refund statuses and their transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Waiting for the payer")
    CAPTURED = "captured", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.CREATED: {
        PaymentStatus.PENDING,
        PaymentStatus.CAPTURED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
    },
    PaymentStatus.PENDING: {PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.CANCELLED},
    # A provider may report success after a decline or a time-out on our side: money taken
    # must be recorded so it can be refunded.
    PaymentStatus.FAILED: {PaymentStatus.CAPTURED},
    PaymentStatus.CANCELLED: {PaymentStatus.CAPTURED},
    PaymentStatus.CAPTURED: set(),
}


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


REFUND_TRANSITIONS: dict[str, set[str]] = {
    RefundStatus.PENDING: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
    RefundStatus.FAILED: {RefundStatus.PENDING},
    RefundStatus.SUCCEEDED: set(),
}
