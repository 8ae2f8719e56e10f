"""People, organisations and machine credentials."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from omnitrip.core.ids import secret_token, token_digest


class User(AbstractUser):
    # Nullable, unlike AbstractUser.email (typed str), hence the override's type: ignore.
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)  # type: ignore[assignment]
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(max_length=10, default="en")
    preferred_currency = models.CharField(max_length=3, blank=True)


class OrganisationKind(models.TextChoices):
    OPERATOR = "operator", _("Platform operator")
    SUPPLIER = "supplier", _("Supplier")
    DISTRIBUTOR = "distributor", _("Distributor")
    AGENT = "agent", _("Agent")
    HOST = "host", _("Host")
    DESTINATION_OFFICE = "destination_office", _("Destination office")


class Organisation(models.Model):
    """A business the platform deals with: a hotel group, tour operator, agency, …"""

    code = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=OrganisationKind.choices, db_index=True)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="CNY", help_text="Currency it sells in")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    # Suppliers: the platform's margin, as a percentage of the sale price (copied onto
    # each order item at booking).
    commission_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("15.00")
    )
    # Distributors: how much they may owe on account, in minor units of ``currency``.
    credit_limit_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_percent__gte=0, commission_percent__lt=100),
                name="organisation_commission_range",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit_minor__gte=0),
                name="organisation_credit_limit_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]


class ApiKey(models.Model):
    """A machine credential of one organisation. Only the SHA-256 of the secret is kept."""

    class Scope(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier (redeem vouchers, read own bookings)")
        PARTNER = "partner", _("Partner (search and book)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(
        cls, organisation: Organisation, scope: str, name: str = "default"
    ) -> tuple[ApiKey, str]:
        """Create a key; returns the row and the secret, which is shown once and never stored."""
        secret = f"otk_{secret_token(30)}"
        key = cls.objects.create(
            organisation=organisation,
            name=name,
            scope=scope,
            prefix=secret[:12],
            digest=token_digest(secret),
        )
        return key, secret
