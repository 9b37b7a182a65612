"""Workload request bodies, query parameters and response shapes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from django.conf import settings
from rest_framework import serializers

from common.names import query_name_field
from pods.api.serializers import PodItemSerializer
from workloads.selectors import KINDS

# ruff: noqa: N815 - the API's field names are camelCase

VALID_TYPES = ", ".join(KINDS)


# --- query parameters ----------------------------------------------------------------------------

class WorkloadListQuerySerializer(serializers.Serializer):
    namespace = query_name_field("namespace", "Only this namespace")
    type = serializers.CharField(required=False, allow_blank=True,
                                 help_text=f"One kind or a comma list of: {VALID_TYPES} (default: all)")
    search = serializers.CharField(required=False, allow_blank=True, help_text="Substring of the name, any case")
    labelSelector = serializers.CharField(required=False, allow_blank=True, max_length=1024,
                                          help_text="Kubernetes label selector, e.g. `app=web,tier in (a,b)`")

    def validate_type(self, value: str) -> list[str]:
        """`Deployment`, `deployments` and `deployment` all mean the same kind."""
        types: list[str] = []
        for raw in value.split(","):
            word = raw.strip().lower()
            if not word:
                continue
            key = word if word in KINDS else word[:-1] if word.endswith("s") and word[:-1] in KINDS else None
            if key is None:
                raise serializers.ValidationError(f"unknown workload type '{raw.strip()}'; valid types: {VALID_TYPES}")
            if key not in types:
                types.append(key)
        return types


# --- request bodies ------------------------------------------------------------------------------

class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: no strings, floats or booleans (`true` is not 1 replica)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScaleSerializer(serializers.Serializer):
    replicas = StrictIntegerField(min_value=0, help_text="0 ≤ replicas ≤ DEPLOYMENT_MAX_REPLICAS (default 10000)")

    def validate_replicas(self, value: int) -> int:
        cap = settings.DEPLOYMENT_MAX_REPLICAS
        if value > cap:
            raise serializers.ValidationError(f"Ensure this value is less than or equal to {cap}.")
        return value


class DeploymentManifestSerializer(serializers.Serializer):
    """A full apps/v1 Deployment as JSON, or the same as YAML text in `{"yaml": "..."}`.

    `metadata.name` / `metadata.namespace`, when present, must be the path's (context `name`, `namespace`).
    The validated data is the whole manifest, not just the declared fields.
    """

    apiVersion = serializers.ChoiceField(choices=["apps/v1"],
                                         error_messages={"invalid_choice": 'must be "apps/v1", not "{input}"'})
    kind = serializers.ChoiceField(choices=["Deployment"],
                                   error_messages={"invalid_choice": 'must be "Deployment", not "{input}"'})
    metadata = serializers.DictField(help_text="name and namespace must match the path; resourceVersion guards "
                                               "against lost updates (409 when stale)")
    spec = serializers.DictField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        manifest = self._manifest(data)
        super().to_internal_value(manifest)  # field-level checks; raises naming the field
        self._check_identity(manifest)
        return manifest

    def _manifest(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({"non_field_errors": ["the body must be a Deployment manifest object"]})
        if "yaml" not in data:
            return dict(data)
        text = data["yaml"]
        if not isinstance(text, str):
            raise serializers.ValidationError({"yaml": ["must be the manifest as YAML text"]})
        try:
            manifest = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise serializers.ValidationError({"yaml": [f"is not valid YAML: {exc}"]}) from None
        if not isinstance(manifest, dict):
            raise serializers.ValidationError({"yaml": ["must hold one Deployment manifest (a mapping)"]})
        return manifest

    def _check_identity(self, manifest: dict[str, Any]) -> None:
        metadata = manifest["metadata"]
        for field in ("name", "namespace"):
            given, expected = metadata.get(field), self.context.get(field)
            if given is not None and given != expected:
                raise serializers.ValidationError(
                    {"metadata": {field: [f"'{given}' differs from the {field} in the path ('{expected}')"]}})
        version = metadata.get("resourceVersion")
        if version is not None and not isinstance(version, str):
            raise serializers.ValidationError({"metadata": {"resourceVersion": ["must be a string"]}})


class DeploymentYamlSerializer(serializers.Serializer):
    """The other accepted PUT body (for the schema): the manifest as YAML text."""

    yaml = serializers.CharField(help_text="A full apps/v1 Deployment manifest as YAML text")


# --- responses -----------------------------------------------------------------------------------

class WorkloadItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Deployment, StatefulSet, DaemonSet, Job or CronJob")
    name = serializers.CharField()
    namespace = serializers.CharField()
    replicas = serializers.IntegerField(help_text="Desired pods (DaemonSet: nodes that should run it; "
                                                  "Job: completions; CronJob: active Jobs)")
    readyReplicas = serializers.IntegerField()
    availableReplicas = serializers.IntegerField(help_text="Job: pods that succeeded")
    images = serializers.ListField(child=serializers.CharField())
    labels = serializers.DictField(child=serializers.CharField())
    status = serializers.CharField(help_text="Deployment: Available/Progressing/Degraded/Unavailable/Failed/Paused/"
                                             "ScaledDown/ScalingDown; Job: Complete/Failed/Running/Suspended; "
                                             "CronJob: Suspended/Active/Scheduled; all: Terminating")
    createdAt = serializers.CharField(allow_null=True)


class DeploymentConditionSerializer(serializers.Serializer):
    type = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    lastUpdateTime = serializers.CharField(allow_null=True)
    lastTransitionTime = serializers.CharField(allow_null=True)


class DeploymentContainerSerializer(serializers.Serializer):
    name = serializers.CharField()
    image = serializers.CharField(allow_null=True)
    ports = serializers.ListField(child=serializers.DictField())
    resources = serializers.DictField()
    env = serializers.ListField(child=serializers.CharField(), help_text="Variable names only, never values")


class DeploymentDetailSerializer(WorkloadItemSerializer):
    selector = serializers.DictField()
    strategy = serializers.DictField()
    conditions = DeploymentConditionSerializer(many=True)
    containers = DeploymentContainerSerializer(many=True)
    annotations = serializers.DictField(child=serializers.CharField())
    resourceVersion = serializers.CharField(allow_null=True)
    pods = PodItemSerializer(many=True)


class ScaleResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    replicas = serializers.IntegerField()


class RestartResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    restartedAt = serializers.CharField(help_text="The kubectl.kubernetes.io/restartedAt stamped on the template")


# --- rollout history -----------------------------------------------------------------------------

class RevisionPathSerializer(serializers.Serializer):
    """The `{revision}` path parameter: a positive whole number (non-numbers are a 400, not a 404)."""

    revision = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                        error_messages={"invalid": "must be a whole number (a revision, from 1)"})


class RollbackSerializer(serializers.Serializer):
    revision = StrictIntegerField(required=False, default=0, min_value=0, max_value=2**63 - 1,
                                  help_text="The revision to roll back to; 0 or absent: the previous revision")


class RevisionItemSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="deployment.kubernetes.io/revision of the ReplicaSet "
                                                  "(Deployments) or the ControllerRevision's revision")
    createdAt = serializers.CharField(allow_null=True,
                                      help_text="When the ReplicaSet or ControllerRevision was created")
    changeCause = serializers.CharField(allow_null=True,
                                        help_text="The revision's kubernetes.io/change-cause, null when none")
    images = serializers.ListField(child=serializers.CharField())
    replicas = serializers.IntegerField(allow_null=True,
                                        help_text="Deployments: desired pods of this revision's ReplicaSet now; "
                                                  "StatefulSets: its pods at this revision (from the status); "
                                                  "DaemonSets: null")
    current = serializers.BooleanField(help_text="True for the revision whose template the workload runs")


class RevisionDetailSerializer(RevisionItemSerializer):
    template = serializers.DictField(help_text="The revision's pod template (without the pod-template-hash label; "
                                               "for ControllerRevisions, from their data patch)")
    diff = serializers.CharField(allow_blank=True,
                                 help_text="Unified diff (YAML) from the current template to this revision's: "
                                           "what a rollback would change; empty when they are the same")


class RollbackResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    revision = serializers.IntegerField(help_text="The revision rolled back to")
    rolledBack = serializers.BooleanField(help_text="False when the current template already matched it")
