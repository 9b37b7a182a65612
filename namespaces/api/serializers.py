"""Namespace query parameters, bodies and shapes."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.names import name_problem

# ruff: noqa: N815 - the API's field names are camelCase

_LABEL_KEY_MAX = 317  # a 253-character prefix, a slash, a 63-character name


class NamespaceListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, help_text="Substring of the name, any case")
    labelSelector = serializers.CharField(required=False, allow_blank=True, max_length=1024,
                                          help_text="Kubernetes label selector, e.g. `team=shop,env!=prod`")
    status = serializers.ChoiceField(choices=["Active", "Terminating"], required=False,
                                     help_text="Only namespaces in this phase")


class NamespaceDeleteQuerySerializer(serializers.Serializer):
    confirm = serializers.CharField(required=False, allow_blank=True, max_length=63,
                                    help_text="Must repeat the namespace's name, else nothing is deleted (400)")


class StrictCharField(serializers.CharField):
    """A JSON string only: a number or a boolean is a 400, not silently turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class LabelsField(serializers.DictField):
    """Labels: string keys and values, as Kubernetes allows them (the cluster checks the fine grammar)."""

    child = StrictCharField(allow_blank=True, max_length=63, trim_whitespace=False)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        labels = super().to_internal_value(data)
        for key in labels:
            if not key or len(key) > _LABEL_KEY_MAX:
                raise serializers.ValidationError(f"label key '{key[:40]}' must be 1-{_LABEL_KEY_MAX} characters")
        return labels


class NamespaceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=63, help_text="A DNS-1123 label")
    labels = LabelsField(required=False, default=dict)

    def validate_name(self, value: str) -> str:
        problem = name_problem(value, "namespace")
        if problem:
            raise serializers.ValidationError(problem)
        return value


class NamespaceItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.CharField(help_text="Active or Terminating")
    labels = serializers.DictField(child=serializers.CharField(allow_blank=True))
    pods = serializers.IntegerField(help_text="Pods in the namespace, any phase")
    workloadsReady = serializers.IntegerField(help_text="Deployments, StatefulSets and DaemonSets with every "
                                                        "replica ready")
    workloadsUnready = serializers.IntegerField(help_text="Deployments, StatefulSets and DaemonSets missing "
                                                          "ready replicas")
    createdAt = serializers.CharField(allow_null=True, help_text="RFC 3339 UTC")


class NamespaceDetailSerializer(NamespaceItemSerializer):
    annotations = serializers.DictField(child=serializers.CharField(allow_blank=True))
    resourceVersion = serializers.CharField(allow_null=True)
