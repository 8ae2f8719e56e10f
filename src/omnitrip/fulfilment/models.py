"""E-vouchers: what the traveller shows and the supplier redeems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Valid")
    REDEEMED = "redeemed", _("Redeemed")
    VOID = "void", _("Void")


class Voucher(models.Model):
    order_item = models.ForeignKey(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="vouchers"
    )
    # Unguessable: 20 characters from a 32-symbol alphabet (100 bits).
    code = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=12, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order_item"], name="voucher_one_per_item"),
        ]
