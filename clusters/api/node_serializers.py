"""Node and drain bodies (contract §4). Node outputs describe dicts built in clusters.nodes.shapes."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": "^(Ready|NotReady)$", "description": "Ready or NotReady"})
class NodeStatusField(serializers.CharField):
    """`Ready` or `NotReady` (a pattern: a named enum would collide with the other `status` enums)."""


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true/false: "yes", 1 or "true" are a 400, so a typo never silently means something."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid")


class StrictIntegerField(serializers.IntegerField):
    """Only JSON integers (not "60", 60.5 or true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class DrainRequestSerializer(serializers.Serializer):
    gracePeriodSeconds = StrictIntegerField(  # noqa: N815
        required=False, allow_null=True, min_value=0, max_value=86400, default=None,
        help_text="Passed to each eviction's DeleteOptions; omitted: each pod's own terminationGracePeriodSeconds")
    timeoutSeconds = StrictIntegerField(required=False, min_value=1, max_value=600, default=60,  # noqa: N815
                                        help_text="Give up after this long (evictions and waiting), 1-600")
    ignoreDaemonSets = StrictBooleanField(required=False, default=True)  # noqa: N815
    deleteEmptyDirData = StrictBooleanField(required=False, default=False)  # noqa: N815
    force = StrictBooleanField(required=False, default=False, help_text="Also evict pods that declare no controller")
    dryRun = StrictBooleanField(required=False, default=False,  # noqa: N815
                                help_text="Report what would happen; change nothing (not even the cordon)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = self.initial_data if isinstance(self.initial_data, dict) else {}
        unknown = sorted(set(given) - set(self.fields))
        if unknown:
            allowed = ", ".join(self.fields)
            raise serializers.ValidationError({unknown[0]: [f"Unknown option (allowed: {allowed})."]})
        return attrs


class PodRefSerializer(serializers.Serializer):
    namespace = serializers.CharField()
    name = serializers.CharField()


class PodOutcomeSerializer(PodRefSerializer):
    reason = serializers.CharField()


class DrainResultSerializer(serializers.Serializer):
    evicted = PodRefSerializer(many=True)
    skipped = PodOutcomeSerializer(many=True)
    failed = PodOutcomeSerializer(many=True)


class ResourcesSerializer(serializers.Serializer):
    cpu = serializers.CharField(allow_null=True)
    memory = serializers.CharField(allow_null=True)
    pods = serializers.CharField(allow_null=True)


class TaintSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    effect = serializers.CharField()


class NodeSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = NodeStatusField()
    roles = serializers.ListField(child=serializers.CharField())
    unschedulable = serializers.BooleanField()
    internalIP = serializers.CharField(allow_null=True)  # noqa: N815
    kubeletVersion = serializers.CharField(allow_null=True)  # noqa: N815
    osImage = serializers.CharField(allow_null=True)  # noqa: N815
    kernelVersion = serializers.CharField(allow_null=True)  # noqa: N815
    containerRuntime = serializers.CharField(allow_null=True)  # noqa: N815
    architecture = serializers.CharField(allow_null=True)
    capacity = ResourcesSerializer()
    allocatable = ResourcesSerializer()
    podCount = serializers.IntegerField(help_text="Pods on the node not in a terminal phase")  # noqa: N815
    taints = TaintSerializer(many=True)
    labels = serializers.DictField(child=serializers.CharField())
    createdAt = serializers.DateTimeField(allow_null=True)  # noqa: N815


class ConditionSerializer(serializers.Serializer):
    type = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    lastTransitionTime = serializers.DateTimeField(allow_null=True)  # noqa: N815


class AddressSerializer(serializers.Serializer):
    type = serializers.CharField()
    address = serializers.CharField()


class NodePodSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    phase = serializers.CharField(allow_null=True)
    podIP = serializers.CharField(allow_null=True)  # noqa: N815
    restarts = serializers.IntegerField()
    ownerKind = serializers.CharField(allow_null=True)  # noqa: N815
    ownerName = serializers.CharField(allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(allow_null=True)  # noqa: N815


class NodeDetailSerializer(NodeSerializer):
    conditions = ConditionSerializer(many=True)
    addresses = AddressSerializer(many=True)
    annotations = serializers.DictField(child=serializers.CharField())
    pods = NodePodSerializer(many=True)
