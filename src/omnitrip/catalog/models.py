"""The catalogue: destinations, products, offers and their commercial terms.

One shape for every kind of product: product → offer → inventory slot (per date).
A hotel's offer is a room type sold under a rate plan; a tour's offer is a departure
class; an attraction's offer is a ticket type; a route's offer is a scheduled departure
in a seat class.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnitrip.accounts.models import Organisation
from omnitrip.core.i18n import pick


class Destination(models.Model):
    class Level(models.IntegerChoices):
        COUNTRY = 1, _("Country")
        PROVINCE = 2, _("Province / state")
        CITY = 3, _("City")
        AREA = 4, _("Area")

    code = models.SlugField(max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # Materialised path of codes ("/cn/yunnan/kunming/"): "everything under Yunnan" is a
    # prefix match that uses the index on both SQLite and PostgreSQL.
    path = models.CharField(max_length=400, unique=True, editable=False)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    summary_en = models.TextField(blank=True)
    summary_zh = models.TextField(blank=True)
    # The travel guide a destination office writes: plain paragraphs separated by blank lines.
    guide_en = models.TextField(blank=True)
    guide_zh = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_featured = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=1) | Q(parent__isnull=False, level__gt=1),
                name="destination_root_is_country",
            )
        ]

    def save(self, *args, **kwargs):
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return pick(self, "name")

    def __str__(self) -> str:
        return self.name_en


class DestinationImage(models.Model):
    """A photo on a destination's page, captioned in both languages (the alt text)."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="destinations/%Y/")
    alt_en = models.CharField(max_length=200, blank=True)
    alt_zh = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    @property
    def alt(self) -> str:
        return pick(self, "alt")


class Amenity(models.Model):
    code = models.SlugField(max_length=48, unique=True)
    name_en = models.CharField(max_length=80)
    name_zh = models.CharField(max_length=80)

    @property
    def name(self) -> str:
        return pick(self, "name")

    def __str__(self) -> str:
        return self.code


class CancellationPolicy(models.Model):
    """When a booking can be cancelled and what it costs.

    ``rules`` is a list of penalty steps ``[{"days_before": 7, "penalty_percent": "0"},
    {"days_before": 2, "penalty_percent": "50"}, {"days_before": 0, "penalty_percent": "100"}]``:
    cancelling at least ``days_before`` days before the service starts (in the product's
    time zone) costs ``penalty_percent`` of the price; the step with the largest
    ``days_before`` that still applies wins. The policy is copied onto each order item at
    booking, so later edits never change an existing booking's refund.
    """

    class Kind(models.TextChoices):
        FREE = "free", _("Free cancellation until a deadline, then a penalty")
        NON_REFUNDABLE = "non_refundable", _("Non-refundable")

    code = models.SlugField(max_length=48, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    rules = models.JSONField(default=list, blank=True)

    def snapshot(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "rules": self.rules,
            "name_en": self.name_en,
            "name_zh": self.name_zh,
        }

    def __str__(self) -> str:
        return self.code


class ProductKind(models.TextChoices):
    HOTEL = "hotel", _("Hotel")
    TOUR = "tour", _("Tour / package")
    ATTRACTION = "attraction", _("Attraction ticket")
    TRANSPORT = "transport", _("Transport")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUSPENDED = "suspended", _("Suspended")


class Product(models.Model):
    code = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=ProductKind.choices, db_index=True)
    status = models.CharField(
        max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="products")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="products")
    # Denormalised from destination.path so search filters on one table.
    destination_path = models.CharField(max_length=400, db_index=True, editable=False)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    description_en = models.TextField(blank=True)
    description_zh = models.TextField(blank=True)
    policies_en = models.TextField(
        blank=True, help_text="House rules, check-in times, what to bring"
    )
    policies_zh = models.TextField(blank=True)
    # Lower-cased titles and destination names in both languages for free-text search.
    search_text = models.TextField(blank=True, editable=False)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    currency = models.CharField(max_length=3, default="CNY")
    star_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    review_count = models.PositiveIntegerField(default=0)
    popularity = models.PositiveIntegerField(default=0, help_text="Bookings in the last 90 days")
    check_in_time = models.TimeField(null=True, blank=True)
    check_out_time = models.TimeField(null=True, blank=True)
    # Transport: where the route goes.
    origin_name_en = models.CharField(max_length=120, blank=True)
    origin_name_zh = models.CharField(max_length=120, blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="products")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "kind", "destination_path"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="product_star_rating_range",
            )
        ]

    def save(self, *args, **kwargs):
        self.destination_path = self.destination.path
        self.search_text = build_search_text(self)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return pick(self, "title")

    @property
    def description(self) -> str:
        return pick(self, "description")

    def __str__(self) -> str:
        return self.code


def build_search_text(product: Product) -> str:
    dest: Destination | None = product.destination
    parts = [
        product.title_en,
        product.title_zh,
        product.code,
        product.address,
        product.origin_name_en,
        product.origin_name_zh,
    ]
    while dest is not None:
        parts += [dest.name_en, dest.name_zh]
        dest = dest.parent
    return " ".join(p for p in parts if p).lower()


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/")
    alt_en = models.CharField(max_length=200, blank=True)
    alt_zh = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class TaxFee(models.Model):
    """A tax or fee charged on a product's offers, shown as its own quote line.

    Bases: ``percent`` of the item subtotal (``rate``); ``per_night`` = ``amount_minor`` per
    unit per night; ``per_person`` = ``amount_minor`` per guest, and for stays per guest per
    night (a city tax such as the taxe de séjour); ``per_booking`` = once per item.
    """

    class Basis(models.TextChoices):
        PERCENT = "percent", _("Percent of the price")
        PER_NIGHT = "per_night", _("Per unit per night")
        PER_PERSON = "per_person", _("Per person")
        PER_BOOKING = "per_booking", _("Per booking")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="taxes")
    code = models.SlugField(max_length=32)
    name_en = models.CharField(max_length=80)
    name_zh = models.CharField(max_length=80)
    is_tax = models.BooleanField(default=True, help_text="Tax (vs. a fee)")
    basis = models.CharField(max_length=16, choices=Basis.choices)
    rate = models.DecimalField(max_digits=6, decimal_places=3, default=0)
    amount_minor = models.BigIntegerField(default=0)
    # Included taxes are inside the price and shown for information; excluded ones are added.
    is_included = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="taxfee_unique_code"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, amount_minor__gte=0), name="taxfee_non_negative"
            ),
        ]


class RoomType(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="room_types")
    code = models.SlugField(max_length=48)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    max_adults = models.PositiveSmallIntegerField(default=2)
    max_children = models.PositiveSmallIntegerField(default=1)
    max_occupancy = models.PositiveSmallIntegerField(default=3)
    bed_en = models.CharField(max_length=80, blank=True)
    bed_zh = models.CharField(max_length=80, blank=True)
    size_sqm = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="roomtype_unique_code")
        ]

    @property
    def name(self) -> str:
        return pick(self, "name")


class MealPlan(models.TextChoices):
    ROOM_ONLY = "RO", _("Room only")
    BED_AND_BREAKFAST = "BB", _("Breakfast included")
    HALF_BOARD = "HB", _("Half board")
    FULL_BOARD = "FB", _("Full board")
    ALL_INCLUSIVE = "AI", _("All inclusive")


class Prepayment(models.TextChoices):
    FULL = "full", _("Pay the full amount when booking")
    NONE = "none", _("Pay at the property")  # not sold online yet: kept for the vocabulary


class RatePlan(models.Model):
    """A hotel's way of selling a room: meal plan, cancellation and prepayment terms.

    A *standard* plan has its own prices per date on its offers' inventory slots. A *derived*
    plan takes its parent's price and applies a percentage or an amount (negative = off;
    an amount is in minor units of the product's currency, per night) and shares the
    parent's rooms (no inventory of its own).
    Occupancy pricing: the slot price is for ``base_occupancy`` adults; one adult pays
    ``single_adjustment_minor`` less/more, each extra adult adds ``extra_adult_minor`` and each
    child ``extra_child_minor`` per night.
    """

    class Derivation(models.TextChoices):
        PERCENT = "percent", _("Percentage of the parent price")
        AMOUNT = "amount", _("Amount added to the parent price")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rate_plans")
    code = models.SlugField(max_length=48)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    meal_plan = models.CharField(max_length=2, choices=MealPlan.choices, default=MealPlan.ROOM_ONLY)
    cancellation_policy = models.ForeignKey(CancellationPolicy, on_delete=models.PROTECT)
    prepayment = models.CharField(max_length=8, choices=Prepayment.choices, default=Prepayment.FULL)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    derivation = models.CharField(max_length=8, choices=Derivation.choices, blank=True)
    derivation_value = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    base_occupancy = models.PositiveSmallIntegerField(default=2)
    single_adjustment_minor = models.BigIntegerField(default=0)
    extra_adult_minor = models.BigIntegerField(default=0)
    extra_child_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="rateplan_unique_code"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, derivation="")
                | Q(parent__isnull=False, derivation__in=["percent", "amount"]),
                name="rateplan_derived_has_rule",
            ),
        ]

    @property
    def name(self) -> str:
        return pick(self, "name")


class LengthOfStayDiscount(models.Model):
    """Stays of at least ``min_nights`` get ``percent_off`` (the largest that applies wins)."""

    rate_plan = models.ForeignKey(
        RatePlan, on_delete=models.CASCADE, related_name="length_of_stay_discounts"
    )
    min_nights = models.PositiveSmallIntegerField()
    percent_off = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["min_nights"]
        constraints = [
            models.UniqueConstraint(fields=["rate_plan", "min_nights"], name="los_unique"),
            models.CheckConstraint(
                condition=Q(percent_off__gt=0, percent_off__lt=100, min_nights__gte=2),
                name="los_sane",
            ),
        ]


class Offer(models.Model):
    """A bookable variant of a product; inventory slots hang off it (or off its pool)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="offers")
    code = models.CharField(
        max_length=40, unique=True, help_text="Short public code, e.g. for SMS booking"
    )
    name_en = models.CharField(max_length=160)
    name_zh = models.CharField(max_length=160)
    is_active = models.BooleanField(default=True)
    # Hotel
    room_type = models.ForeignKey(
        RoomType, null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    rate_plan = models.ForeignKey(
        RatePlan, null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    # A derived hotel offer sells the rooms of its pool offer (same room type, parent plan).
    inventory_pool = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="pooled_offers"
    )
    # Tours, tickets and transport
    cancellation_policy = models.ForeignKey(
        CancellationPolicy, null=True, blank=True, on_delete=models.PROTECT
    )
    min_party = models.PositiveSmallIntegerField(default=1)
    max_party = models.PositiveSmallIntegerField(default=20)
    is_open_dated = models.BooleanField(
        default=False, help_text="Ticket valid N days from purchase"
    )
    validity_days = models.PositiveSmallIntegerField(null=True, blank=True)
    departure_time = models.TimeField(null=True, blank=True)
    arrival_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    seat_class = models.CharField(max_length=32, blank=True)
    duration_days = models.PositiveSmallIntegerField(default=1, help_text="Tour length in days")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_party__gte=1) & Q(max_party__gte=models.F("min_party")),
                name="offer_party_range",
            ),
            models.CheckConstraint(
                condition=Q(is_open_dated=False) | Q(validity_days__gte=1),
                name="offer_open_dated_has_validity",
            ),
        ]

    @property
    def name(self) -> str:
        return pick(self, "name")

    @property
    def inventory_offer_id(self) -> int:
        """The offer whose slots hold this offer's inventory."""
        return self.inventory_pool_id or self.pk

    def policy(self) -> CancellationPolicy | None:
        if self.rate_plan_id:
            rate_plan = self.rate_plan
            assert rate_plan is not None  # rate_plan_id is set
            return rate_plan.cancellation_policy
        return self.cancellation_policy

    def __str__(self) -> str:
        return self.code
