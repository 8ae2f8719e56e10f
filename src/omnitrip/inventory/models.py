"""Inventory: one slot per offer per date, and the holds that reserve it."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnitrip.catalog.models import Offer


class InventorySlot(models.Model):
    """Capacity and price of one offer on one local date.

    Open-dated tickets have one slot with ``date`` NULL: their total quota.
    ``held`` counts units reserved by live holds; ``sold`` units of confirmed orders.
    The database refuses ``held + sold > capacity`` whatever the code does.
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField(null=True, blank=True)
    capacity = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)
    price_minor = models.BigIntegerField(help_text="Adult / base-occupancy price per unit")
    child_price_minor = models.BigIntegerField(null=True, blank=True)
    is_closed = models.BooleanField(default=False, help_text="Stop-sell")
    min_stay = models.PositiveSmallIntegerField(
        default=1, help_text="Minimum nights for arrival on this date"
    )
    max_stay = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_to_arrival = models.BooleanField(default=False)
    closed_to_departure = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "date"], name="slot_unique_offer_date"),
            models.UniqueConstraint(
                fields=["offer"], condition=Q(date__isnull=True), name="slot_unique_open_quota"
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(sold__gte=0), name="slot_counts_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=F("held") + F("sold")), name="slot_never_oversold"
            ),
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="slot_price_non_negative"),
            models.CheckConstraint(condition=Q(min_stay__gte=1), name="slot_min_stay_positive"),
        ]
        indexes = [models.Index(fields=["date", "offer"], name="slot_date_offer")]

    @property
    def remaining(self) -> int:
        return self.capacity - self.held - self.sold

    def __str__(self) -> str:
        return f"{self.offer_id}@{self.date or 'open'}"


class HoldStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONVERTED = "converted", _("Converted to a sale")
    RELEASED = "released", _("Released")


class Hold(models.Model):
    """Units of one slot reserved for an unpaid order until ``expires_at``.

    ``reference`` names the owner (an order item) so inventory never imports orders.
    """

    slot = models.ForeignKey(InventorySlot, on_delete=models.PROTECT, related_name="holds")
    reference = models.CharField(max_length=64, db_index=True)
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=HoldStatus.choices, default=HoldStatus.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="hold_quantity_positive"),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="active"), name="hold_active_expiry"
            ),
            models.Index(fields=["slot"], condition=Q(status="active"), name="hold_active_slot"),
        ]
