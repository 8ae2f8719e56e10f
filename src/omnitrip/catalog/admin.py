from django.contrib import admin

from .models import (
    Amenity,
    CancellationPolicy,
    Destination,
    LengthOfStayDiscount,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    RoomType,
    TaxFee,
)


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("path", "name_en", "name_zh", "level", "timezone", "is_featured")
    search_fields = ("code", "name_en", "name_zh")
    list_filter = ("level", "is_featured")


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
