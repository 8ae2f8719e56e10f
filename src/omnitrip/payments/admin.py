from django.contrib import admin

from .models import Payment, PaymentEvent, Refund, RejectedCallback, WebhookEvent


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = (
        "code",
        "order",
        "provider",
        "status",
        "amount_minor",
        "refunded_minor",
        "currency",
    )
    list_filter = ("provider", "status")
    search_fields = ("code", "order__code", "external_id")


admin.site.register(
    PaymentEvent,
    ReadOnly,
    list_display=("payment", "kind", "from_status", "to_status", "created_at"),
)
admin.site.register(
    Refund, ReadOnly, list_display=("code", "payment", "amount_minor", "status", "reason")
)
admin.site.register(
    WebhookEvent, ReadOnly, list_display=("provider", "external_id", "status", "received_at")
)
admin.site.register(
    RejectedCallback, ReadOnly, list_display=("provider", "code", "detail", "received_at")
)
