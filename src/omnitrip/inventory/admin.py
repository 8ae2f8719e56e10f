from django.contrib import admin

from .models import Hold, InventorySlot


@admin.register(InventorySlot)
class InventorySlotAdmin(admin.ModelAdmin):
    list_display = (
        "offer",
        "date",
        "capacity",
        "held",
        "sold",
        "price_minor",
        "is_closed",
        "min_stay",
    )
    list_filter = ("is_closed",)
    search_fields = ("offer__code",)
    raw_id_fields = ("offer",)
    # Counts move only through the inventory services; editing them here would break
    # "held equals the sum of live holds".
    readonly_fields = ("held", "sold")


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("reference", "slot", "quantity", "status", "expires_at")
    list_filter = ("status",)
    search_fields = ("reference",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
