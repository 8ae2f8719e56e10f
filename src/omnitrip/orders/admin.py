from django.contrib import admin

from .models import Order, OrderEvent, OrderItem


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnlyInline):
    model = OrderItem
    fields = (
        "position",
        "offer",
        "start_date",
        "end_date",
        "quantity",
        "adults",
        "children",
        "total_minor",
    )


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "reason")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: status changes go through the order services, never a form."""

    list_display = (
        "code",
        "status",
        "channel",
        "contact_name",
        "total_minor",
        "currency",
        "created_at",
    )
    list_filter = ("status", "channel", "currency")
    search_fields = ("code", "contact_email", "contact_name")
    inlines = [ItemInline, EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
