"""`GET /api/audit` filters (django-filter). A bad value is a 400 naming the parameter, never a 500."""
from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

from audit.models import AuditEvent


class IntegerFilter(filters.NumberFilter):
    """An integer, bounded so the database never sees a number it cannot hold."""

    field_class = forms.IntegerField


class AuditEventFilter(filters.FilterSet):
    username = filters.CharFilter(field_name="username", max_length=150,
                                  help_text="Exact username (for failed logins: the username tried)")
    action = filters.CharFilter(field_name="action", max_length=64,
                                help_text="Exact action, e.g. auth.login_failed, pod.delete, exec.closed")
    clusterId = IntegerFilter(field_name="cluster_id", min_value=1, max_value=2**63 - 1,  # noqa: N815
                              help_text="Cluster id")
    namespace = filters.CharFilter(field_name="namespace", max_length=253, help_text="Exact namespace")
    statusCode = IntegerFilter(field_name="status_code", min_value=100, max_value=599,  # noqa: N815
                               help_text="HTTP status of the request (exec rows: 200, or the error's status)")
    since = filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte",
                                      help_text="RFC 3339; rows at or after this time")
    until = filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte",
                                      help_text="RFC 3339; rows at or before this time")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
