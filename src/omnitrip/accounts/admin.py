from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiKey, Membership, Organisation, User

admin.site.register(User, UserAdmin)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "kind", "currency", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_en", "name_zh")
    inlines = [MembershipInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued with `omnitrip issue_api_key` (the secret is shown once)."""

    list_display = ("prefix", "organisation", "scope", "name", "is_active", "last_used_at")
    fields = ("organisation", "name", "scope", "prefix", "is_active", "last_used_at")
    readonly_fields = ("organisation", "scope", "prefix", "last_used_at")

    def has_add_permission(self, request):
        return False
