"""Orders, their items and their append-only event trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnitrip.catalog.models import Offer, Product
from omnitrip.core.models import money
from omnitrip.core.money import Money

from .states import OrderStatus


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE_WEB = "mobile_web", _("Mobile web")
    API = "api", _("Partner API")
    WIDGET = "widget", _("Widget")
    SMS = "sms", _("SMS service hall")
    IVR = "ivr", _("IVR phone hall")
    KIOSK = "kiosk", _("Kiosk")
    AGENT_PORTAL = "agent_portal", _("Agent portal")
    CALL_CENTRE = "call_centre", _("Call centre")
    STORE = "store", _("Dealer shop")


class Order(models.Model):
    code = models.CharField(max_length=16, unique=True)
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    partner = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=10, default="en")
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField(default=0)
    # Guest access: the token is HMAC(SECRET_KEY, code + salt), so it can be shown again on
    # an idempotent replay without being stored; we keep only its SHA-256 to compare.
    access_salt = models.CharField(max_length=32, default="")
    access_digest = models.CharField(max_length=64)
    # Idempotent checkout: a retried request with the same key (per caller) gets this order.
    idempotency_scope = models.CharField(max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    hold_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The terms of booking the buyer accepted (storefront checkout): which version, when,
    # from where. Blank for channels that record acceptance elsewhere (partner contracts).
    terms_version = models.CharField(max_length=32, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(total_minor__gte=0), name="order_total_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0) & Q(refunded_minor__lte=models.F("total_minor")),
                name="order_refund_within_total",
            ),
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="order_idempotency",
            ),
        ]
        indexes = [models.Index(fields=["status", "hold_expires_at"], name="order_status_expiry")]

    @property
    def total(self) -> Money:
        return money(self.total_minor, self.currency)

    @property
    def refunded(self) -> Money:
        return money(self.refunded_minor, self.currency)

    def __str__(self) -> str:
        return self.code


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    start_date = models.DateField(
        null=True, blank=True, help_text="Arrival / departure / visit date"
    )
    end_date = models.DateField(null=True, blank=True, help_text="Check-out date for stays")
    quantity = models.PositiveIntegerField(help_text="Rooms, or tickets / seats")
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    # Price snapshot: the itemised quote as it was when the customer booked.
    lines = models.JSONField(default=list)
    subtotal_minor = models.BigIntegerField()
    taxes_minor = models.BigIntegerField(default=0, help_text="Taxes and fees added on top")
    total_minor = models.BigIntegerField()
    # The platform's margin on this item, copied from the supplier at booking.
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # Terms snapshot: refunds are computed from these, never from the current catalogue.
    cancellation_policy = models.JSONField(default=dict)
    timezone = models.CharField(max_length=64)
    service_starts_at = models.DateTimeField(null=True, blank=True)
    service_ends_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Open-dated tickets")
    hold_reference = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orderitem_position"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orderitem_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(total_minor=models.F("subtotal_minor") + models.F("taxes_minor")),
                name="orderitem_total_adds_up",
            ),
        ]


class OrderEvent(models.Model):
    """Append-only: one row per status change and per notable thing that happened."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.CharField(
        max_length=120, help_text="user:<id>, api-key:<prefix>, system:<task>, provider:<name>"
    )
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
