"""Audit rows in the Django admin: searchable, filterable, read-only (nobody adds, edits or deletes them)."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("time", "username", "source_ip", "action", "cluster_id", "namespace", "name", "status_code")
    list_filter = ("action", "resource", "status_code", ("time", admin.DateFieldListFilter))
    search_fields = ("username", "action", "namespace", "name", "message")
    date_hierarchy = "time"
    ordering = ("-time", "-id")
    readonly_fields = ("time", "username", "source_ip", "action", "cluster_id", "namespace", "resource", "name",
                       "method", "path", "status_code", "message", "recording_info")
    fields = readonly_fields

    @admin.display(description="Recording")
    def recording_info(self, obj: AuditEvent) -> str:
        recording = getattr(obj, "recording", None)
        if recording is None:
            return "-"
        truncated = ", truncated" if recording.truncated else ""
        return f"{recording.size} bytes{truncated}: GET /api/audit/{obj.pk}/recording"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
