from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.debug import sensitive_variables

from accounts import lockout
from accounts.models import Grant, User
from common.client_ip import client_ip


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


class LockedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form behind the same login lock (and counters) as `POST /api/auth/login`."""

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises lockout.LoginLocked when locked; `admin_login` turns it into a 429.
            self.user_cache = lockout.authenticate(username=username, password=password,
                                                   address=client_ip(self.request), request=self.request)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = LockedAdminAuthenticationForm


@login_not_required
def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """`/admin/login/`: the admin's own login view, except that a locked login is a 429 with `Retry-After`."""
    try:
        return admin.site.login(request, extra_context)
    except lockout.LoginLocked as locked:
        response = HttpResponse(f"{lockout.LOCKED_MESSAGE}.\n", status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(locked.wait)
        return response
