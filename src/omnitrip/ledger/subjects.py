"""Accounting subjects: the classes of account the business reports on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    PROVIDER_CLEARING = "provider_clearing", _("Provider clearing")
    CUSTOMER_ADVANCES = "customer_advances", _("Customer advances")
    CUSTOMER_WALLET = "customer_wallet", _("Customer wallet")
    DISTRIBUTOR_DEPOSIT = "distributor_deposit", _("Distributor deposit")
    DISTRIBUTOR_CREDIT = "distributor_credit", _("Distributor credit")
    SUPPLIER_PAYABLE = "supplier_payable", _("Supplier payable")
    AGENT_COMMISSION_PAYABLE = "agent_commission_payable", _("Agent commission payable")
    PLATFORM_REVENUE_MARGIN = "platform_revenue_margin", _("Platform revenue: margin")
    PLATFORM_REVENUE_FEES = "platform_revenue_fees", _("Platform revenue: fees")
    TAXES_PAYABLE = "taxes_payable", _("Taxes payable")
    REFUNDS_PAYABLE = "refunds_payable", _("Refunds payable")
    LOYALTY_POINTS_LIABILITY = "loyalty_points_liability", _("Loyalty points liability")


class Kind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    REVENUE = "revenue", _("Revenue")
    EXPENSE = "expense", _("Expense")


KIND_OF: dict[str, str] = {
    Subject.PROVIDER_CLEARING: Kind.ASSET,
    Subject.DISTRIBUTOR_CREDIT: Kind.ASSET,
    Subject.CUSTOMER_ADVANCES: Kind.LIABILITY,
    Subject.CUSTOMER_WALLET: Kind.LIABILITY,
    Subject.DISTRIBUTOR_DEPOSIT: Kind.LIABILITY,
    Subject.SUPPLIER_PAYABLE: Kind.LIABILITY,
    Subject.AGENT_COMMISSION_PAYABLE: Kind.LIABILITY,
    Subject.TAXES_PAYABLE: Kind.LIABILITY,
    Subject.REFUNDS_PAYABLE: Kind.LIABILITY,
    Subject.LOYALTY_POINTS_LIABILITY: Kind.LIABILITY,
    Subject.PLATFORM_REVENUE_MARGIN: Kind.REVENUE,
    Subject.PLATFORM_REVENUE_FEES: Kind.REVENUE,
}

# Accounts whose balance is kept on the row (and guarded by a CHECK) because a payment
# may only spend what is there.
GUARDED = {Subject.CUSTOMER_WALLET, Subject.DISTRIBUTOR_DEPOSIT, Subject.DISTRIBUTOR_CREDIT}
