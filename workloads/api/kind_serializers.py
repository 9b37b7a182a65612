"""Shapes of the StatefulSet, DaemonSet, Job and CronJob details and actions (and the delete query of every kind)."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.names import DNS1123_SUBDOMAIN, name_problem
from pods.api.serializers import PodItemSerializer
from workloads.actions import JOB_NAME_MAX, PROPAGATION_POLICIES
from workloads.api.serializers import (
    DeploymentConditionSerializer,
    DeploymentContainerSerializer,
    WorkloadItemSerializer,
)

# ruff: noqa: N815 - the API's field names are camelCase


# --- query parameters and bodies -----------------------------------------------------------------

class DeleteQuerySerializer(serializers.Serializer):
    propagationPolicy = serializers.ChoiceField(
        choices=list(PROPAGATION_POLICIES), required=False, default="Background",
        error_messages={"invalid_choice": f'"{{input}}" is not one of {", ".join(PROPAGATION_POLICIES)}'},
        help_text="Background (default): the object goes at once, its dependents (pods, Jobs) after it; "
                  "Foreground: it stays, being deleted, until its dependents are gone; Orphan: its dependents stay")


class StrictCharField(serializers.CharField):
    """A JSON string only: 7 is not the name "7"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TriggerSerializer(serializers.Serializer):
    name = StrictCharField(required=False, allow_blank=True, max_length=JOB_NAME_MAX,
                                 help_text="The Job's name (a DNS-1123 subdomain of at most 63 characters); "
                                           "absent or blank: <cronjob>-manual-<5 random characters>")

    def validate_name(self, value: str) -> str:
        if value and not DNS1123_SUBDOMAIN.match(value):
            raise serializers.ValidationError(name_problem(value, "name") or "not a valid name")
        return value


# --- responses -----------------------------------------------------------------------------------

class _KindDetailSerializer(WorkloadItemSerializer):
    conditions = DeploymentConditionSerializer(many=True, help_text="status.conditions (lastUpdateTime is null "
                                                                     "for kinds other than Deployments)")
    containers = DeploymentContainerSerializer(many=True)
    annotations = serializers.DictField(child=serializers.CharField())
    resourceVersion = serializers.CharField(allow_null=True)
    pods = PodItemSerializer(many=True, help_text="The pods it controls (a CronJob: the pods of its Jobs)")


class StatefulSetDetailSerializer(_KindDetailSerializer):
    selector = serializers.DictField()
    strategy = serializers.DictField(help_text="spec.updateStrategy")
    serviceName = serializers.CharField(allow_null=True)
    podManagementPolicy = serializers.CharField(allow_null=True)
    currentRevision = serializers.CharField(allow_null=True)
    updateRevision = serializers.CharField(allow_null=True)


class DaemonSetDetailSerializer(_KindDetailSerializer):
    selector = serializers.DictField()
    strategy = serializers.DictField(help_text="spec.updateStrategy")
    nodeSelector = serializers.DictField(child=serializers.CharField(), help_text="The pod template's nodeSelector")
    updatedNumberScheduled = serializers.IntegerField(help_text="Nodes running an up-to-date pod")


class JobDetailSerializer(_KindDetailSerializer):
    selector = serializers.DictField()
    completions = serializers.IntegerField(allow_null=True)
    parallelism = serializers.IntegerField(allow_null=True)
    backoffLimit = serializers.IntegerField(allow_null=True)
    suspend = serializers.BooleanField()
    active = serializers.IntegerField(help_text="Pods running")
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    startTime = serializers.CharField(allow_null=True)
    completionTime = serializers.CharField(allow_null=True)
    cronJob = serializers.CharField(allow_null=True, help_text="The CronJob that controls it, null when none")


class CronJobDetailSerializer(_KindDetailSerializer):
    schedule = serializers.CharField(allow_null=True)
    timeZone = serializers.CharField(allow_null=True)
    suspend = serializers.BooleanField()
    concurrencyPolicy = serializers.CharField()
    lastScheduleTime = serializers.CharField(allow_null=True)
    lastSuccessfulTime = serializers.CharField(allow_null=True)
    jobs = WorkloadItemSerializer(many=True, help_text="The Jobs it controls (as workload items), oldest first")


class SuspendResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    suspend = serializers.BooleanField(help_text="spec.suspend after the change")


class TriggerResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The Job created")
    namespace = serializers.CharField()
    cronJob = serializers.CharField(help_text="The CronJob it was made from")
    createdAt = serializers.CharField(allow_null=True)
