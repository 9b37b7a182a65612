"""Apply and YAML-out bodies and answers (the OpenAPI document is built from these)."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.names import LABEL_PATTERN, name_problem


class ApplySerializer(serializers.Serializer):
    """A manifest as YAML text (one or more `---` documents) or as a list of objects; exactly one of the two."""

    yaml = serializers.CharField(required=False, trim_whitespace=False,
                                 help_text="One or more YAML documents separated by `---` (no aliases; at most "
                                           "APPLY_MAX_BYTES bytes)")
    objects = serializers.ListField(child=serializers.JSONField(), required=False, allow_empty=False,
                                    help_text="The objects as JSON, instead of `yaml`")
    dryRun = serializers.BooleanField(default=False,
                                      help_text="Only show what would change (server dry-run); nothing is stored")
    force = serializers.BooleanField(default=False,
                                     help_text="Take over fields another field manager owns instead of failing "
                                               "that object with a conflict")
    namespace = serializers.RegexField(LABEL_PATTERN, max_length=63, required=False,
                                       help_text="Namespace for namespaced objects whose manifest names none "
                                                 "(else `default`)")

    def validate_namespace(self, value: str) -> str:
        problem = name_problem(value, "namespace")
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("yaml" in attrs) == ("objects" in attrs):
            raise serializers.ValidationError("Send exactly one of 'yaml' (text) or 'objects' (a list)")
        return attrs


class ApplyResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The object's position in the manifest (0-based)")
    apiVersion = serializers.CharField()
    kind = serializers.CharField()
    namespace = serializers.CharField(allow_null=True, help_text="null for cluster-scoped kinds")
    name = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "configured", "unchanged"], allow_null=True,
                                     help_text="null when the object failed (see error)")
    diff = serializers.CharField(allow_blank=True,
                                 help_text="Unified diff of the object's YAML, live → after apply (server "
                                           "dry-run result), bookkeeping fields left out, Secret values masked; "
                                           "empty when unchanged or failed")
    error = serializers.CharField(allow_null=True,
                                  help_text="Why this object was not applied: a field-manager conflict (naming "
                                            "managers and fields), a kind the cluster does not serve, a refusal")


class ApplyResponseSerializer(serializers.Serializer):
    dryRun = serializers.BooleanField()
    results = ApplyResultSerializer(many=True, help_text="In apply order: Namespaces, then CRDs, then the rest "
                                                         "in document order")


class ObjectYamlQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "yaml"], required=False,
                                     help_text="`yaml`: the raw YAML as application/yaml instead of the envelope "
                                               "(as does `Accept: application/yaml`)")


class ObjectYamlSerializer(serializers.Serializer):
    yaml = serializers.CharField(help_text="The object without status and server bookkeeping (managedFields, "
                                           "resourceVersion, uid, ...), Secret values masked")
