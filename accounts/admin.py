from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Grant, User


class GrantInline(admin.TabularInline):
    """A user's grants, on the user's page (adding one scopes the user to their grants)."""

    model = Grant
    extra = 0
    fields = ("cluster", "namespace", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "scope", "is_active", "last_login", "date_joined")
    list_filter = ("role", "scope", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Platform", {"fields": ("role", "scope")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Platform", {"fields": ("role",)}))
    inlines = [GrantInline]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "cluster", "namespace", "role", "created_at")
    list_filter = ("role", "cluster")
    search_fields = ("user__username", "namespace")
