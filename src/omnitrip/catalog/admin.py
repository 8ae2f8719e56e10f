from django.contrib import admin

from .models import (
    Amenity,
    CancellationPolicy,
    Destination,
    DestinationImage,
    LengthOfStayDiscount,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    RoomType,
    TaxFee,
)


class DestinationImageInline(admin.TabularInline):
    model = DestinationImage
    extra = 1
    fields = ("image", "alt_en", "alt_zh", "position")


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    """Edited by the operator and by the "Destination office" group (guide, photos, summary).

    The tree itself (code, parent, level) and time zone stay read-only for anyone who may
    not add destinations: moving a node would re-path every product under it.
    """

    list_display = ("path", "name_en", "name_zh", "level", "timezone", "is_featured")
    search_fields = ("code", "name_en", "name_zh")
    list_filter = ("level", "is_featured")
    fieldsets = (
        (None, {"fields": ("code", "parent", "level", "timezone", "is_featured")}),
        ("Names and summary", {"fields": ("name_en", "name_zh", "summary_en", "summary_zh")}),
        ("Travel guide", {"fields": ("guide_en", "guide_zh")}),
        ("Map", {"fields": ("latitude", "longitude")}),
    )
    raw_id_fields = ("parent",)
    inlines = [DestinationImageInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.has_perm("catalog.add_destination"):
            return ("code", "parent", "level", "timezone", "is_featured")
        return ()


class OfferInline(admin.TabularInline):
    model = Offer
    fk_name = "product"
    extra = 0
    fields = ("code", "name_en", "name_zh", "room_type", "rate_plan", "inventory_pool", "is_active")
    raw_id_fields = ("room_type", "rate_plan", "inventory_pool")


class TaxInline(admin.TabularInline):
    model = TaxFee
    extra = 0


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title_en",
        "title_zh",
        "kind",
        "status",
        "supplier",
        "destination",
        "currency",
    )
    list_filter = ("kind", "status", "currency")
    search_fields = ("code", "title_en", "title_zh")
    raw_id_fields = ("supplier", "destination")
    inlines = [OfferInline, TaxInline, ImageInline]


class LengthOfStayInline(admin.TabularInline):
    model = LengthOfStayDiscount
    extra = 0


@admin.register(RatePlan)
class RatePlanAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "product",
        "meal_plan",
        "cancellation_policy",
        "parent",
        "derivation",
        "derivation_value",
    )
    search_fields = ("code", "product__code")
    raw_id_fields = ("product", "parent")
    inlines = [LengthOfStayInline]


admin.site.register(RoomType, search_fields=("code", "product__code"), raw_id_fields=("product",))
admin.site.register(CancellationPolicy, list_display=("code", "kind", "name_en"))
admin.site.register(Amenity, list_display=("code", "name_en", "name_zh"))
