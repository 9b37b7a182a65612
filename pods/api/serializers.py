"""Pod request parameters and response shapes (the seed's field names)."""
from __future__ import annotations

from rest_framework import serializers

from common.names import query_name_field
from pods.limits import MAX_SINCE_SECONDS, MAX_TAIL_LINES

# ruff: noqa: N815 - the API's field names are camelCase


# --- query parameters ----------------------------------------------------------------------------

class PodListQuerySerializer(serializers.Serializer):
    namespace = query_name_field("namespace", "Only this namespace")
    status = serializers.CharField(required=False, allow_blank=True,
                                   help_text="The STATUS column or the phase, any case")
    nodeName = query_name_field("name", "Only pods on this node")
    search = serializers.CharField(required=False, allow_blank=True, help_text="Substring of the pod name, any case")
    labelSelector = serializers.CharField(required=False, allow_blank=True, max_length=1024,
                                          help_text="Kubernetes label selector, e.g. `app=web,tier in (a,b)`")


class PodDeleteQuerySerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Delete at once (grace period 0)")
    gracePeriod = serializers.IntegerField(required=False, min_value=0, max_value=86400,
                                           help_text="Seconds to let the pod stop; ignored with force")


class PodLogsQuerySerializer(serializers.Serializer):
    container = serializers.CharField(required=False, allow_blank=True,
                                      help_text="Container name; default: the first container")
    previous = serializers.BooleanField(default=False, help_text="Logs of the previous (terminated) run")
    sinceSeconds = serializers.IntegerField(required=False, min_value=1, max_value=MAX_SINCE_SECONDS,
                                            help_text="Only the last N seconds (at most a year)")
    tailLines = serializers.IntegerField(required=False, min_value=0, max_value=MAX_TAIL_LINES,
                                         help_text="Only the last N lines (at most 100,000)")
    timestamps = serializers.BooleanField(default=False, help_text="Prefix each line with its RFC 3339 time")


# --- responses -----------------------------------------------------------------------------------

class PodContainerSerializer(serializers.Serializer):
    name = serializers.CharField()
    image = serializers.CharField(allow_null=True)
    ready = serializers.BooleanField()
    restartCount = serializers.IntegerField()


class PodItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    status = serializers.CharField(help_text="What `kubectl get pods` shows in STATUS")
    phase = serializers.CharField(allow_null=True)
    nodeName = serializers.CharField(allow_null=True)
    podIP = serializers.CharField(allow_null=True)
    hostIP = serializers.CharField(allow_null=True)
    restarts = serializers.IntegerField(help_text="Sum of the containers' restart counts")
    containers = PodContainerSerializer(many=True)
    createdAt = serializers.CharField(allow_null=True, help_text="RFC 3339 UTC")


class PodConditionSerializer(serializers.Serializer):
    type = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    lastTransitionTime = serializers.CharField(allow_null=True)


class PodContainerStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    ready = serializers.BooleanField()
    restartCount = serializers.IntegerField()
    state = serializers.DictField(help_text='e.g. {"running": {"startedAt": "2026-01-01T00:00:00Z"}}')


class PodStatusSerializer(serializers.Serializer):
    phase = serializers.CharField(allow_null=True)
    conditions = PodConditionSerializer(many=True)
    containerStatuses = PodContainerStatusSerializer(many=True)


class PodContainerSpecSerializer(serializers.Serializer):
    name = serializers.CharField()
    image = serializers.CharField(allow_null=True)
    ports = serializers.ListField(child=serializers.DictField())
    resources = serializers.DictField()
    volumeMounts = serializers.ListField(child=serializers.DictField())


class PodSpecSerializer(serializers.Serializer):
    nodeName = serializers.CharField(allow_null=True)
    containers = PodContainerSpecSerializer(many=True)
    volumes = serializers.ListField(child=serializers.DictField())


class PodDetailSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    uid = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField())
    annotations = serializers.DictField(child=serializers.CharField())
    status = PodStatusSerializer()
    spec = PodSpecSerializer()
    createdAt = serializers.CharField(allow_null=True)


class PodLogsSerializer(serializers.Serializer):
    logs = serializers.CharField(allow_blank=True)


class PodEventSerializer(serializers.Serializer):
    type = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True, allow_blank=True)
    firstSeen = serializers.CharField(allow_null=True)
    lastSeen = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
