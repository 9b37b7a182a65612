"""Audit rows as the contract spells them (§11), camelCase."""
from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    sourceIp = serializers.CharField(source="source_ip", read_only=True)  # noqa: N815
    clusterId = serializers.IntegerField(source="cluster_id", read_only=True, allow_null=True)  # noqa: N815
    statusCode = serializers.IntegerField(source="status_code", read_only=True, allow_null=True)  # noqa: N815
    recordingId = serializers.IntegerField(source="recording_pk", read_only=True, allow_null=True,  # noqa: N815
                                           help_text="Set on exec.closed rows: GET /api/audit/{id}/recording")

    class Meta:
        model = AuditEvent
        fields = ["id", "time", "username", "sourceIp", "action", "clusterId", "namespace", "resource", "name",
                  "statusCode", "message", "recordingId"]
        read_only_fields = fields
