"""ConfigMap and Secret query parameters, bodies and shapes. No Secret shape has a field for a value, except
the reveal answer."""
from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from clusters.api.viewsets import ResourceListQuerySerializer
from common.names import name_problem
from namespaces.api.serializers import LabelsField, StrictCharField

# ruff: noqa: N815 - the API's field names are camelCase

_KEY = re.compile(r"^(?!\.\.?$)[-._a-zA-Z0-9]+$")  # not "." nor ".."
KEY_MAX = 253


class DataField(serializers.DictField):
    """Key → text value; keys as Kubernetes allows them (letters, digits, '-', '_', '.'; at most 253)."""

    child = StrictCharField(allow_blank=True, trim_whitespace=False)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        values = super().to_internal_value(data)
        for key in values:
            if len(key) > KEY_MAX or not _KEY.match(key):
                raise serializers.ValidationError(
                    f"key '{key[:60]}' is not valid: use 1-{KEY_MAX} letters, digits, '-', '_' or '.'")
        return values


# --- query parameters ----------------------------------------------------------------------------

class ConfigMapListQuerySerializer(ResourceListQuerySerializer):
    key = serializers.CharField(required=False, allow_blank=True, max_length=KEY_MAX,
                                help_text="Only objects that have this key")


class SecretListQuerySerializer(ConfigMapListQuerySerializer):
    type = serializers.CharField(required=False, allow_blank=True, max_length=253,
                                 help_text="Only this Secret type, e.g. Opaque or kubernetes.io/tls")


# --- bodies --------------------------------------------------------------------------------------

class _NamedBody(serializers.Serializer):
    name = serializers.CharField(max_length=253, help_text="A DNS-1123 subdomain")
    labels = LabelsField(required=False, default=dict)

    def validate_name(self, value: str) -> str:
        problem = name_problem(value, "name")
        if problem:
            raise serializers.ValidationError(problem)
        return value


class ConfigMapCreateSerializer(_NamedBody):
    data = DataField(required=False, default=dict)


class ConfigMapUpdateSerializer(serializers.Serializer):
    data = DataField(help_text="The whole new data: keys left out are removed")
    labels = LabelsField(required=False, help_text="The whole new labels; left out: unchanged")
    resourceVersion = serializers.CharField(max_length=64, help_text="The version you read: a newer one is a 409")


class SecretCreateSerializer(_NamedBody):
    type = serializers.CharField(required=False, default="Opaque", max_length=253)
    data = DataField(required=False, default=dict,
                     help_text="Key → plain text value (sent base64-encoded to the cluster; never echoed back)")


class SecretUpdateSerializer(serializers.Serializer):
    data = DataField(help_text="The whole new values as plain text: keys left out are removed; never echoed back")
    labels = LabelsField(required=False, help_text="The whole new labels; left out: unchanged")
    resourceVersion = serializers.CharField(max_length=64, help_text="The version you read: a newer one is a 409")


# --- shapes --------------------------------------------------------------------------------------

class _ObjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField(allow_blank=True))
    createdAt = serializers.CharField(allow_null=True, help_text="RFC 3339 UTC")


class _ObjectDetailSerializer(serializers.Serializer):
    annotations = serializers.DictField(child=serializers.CharField(allow_blank=True))
    immutable = serializers.BooleanField()
    resourceVersion = serializers.CharField(allow_null=True, help_text="Send it back with an update")


class ConfigMapItemSerializer(_ObjectSerializer):
    keys = serializers.ListField(child=serializers.CharField(), help_text="Keys of data and binaryData, sorted")


class ConfigMapDetailSerializer(ConfigMapItemSerializer, _ObjectDetailSerializer):
    data = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False))
    binaryKeys = serializers.ListField(child=serializers.CharField(), help_text="Keys of binaryData (not shown)")


class SecretKeySerializer(serializers.Serializer):
    name = serializers.CharField()
    length = serializers.IntegerField(help_text="The value's length in bytes (the value is never shown)")


class SecretItemSerializer(_ObjectSerializer):
    type = serializers.CharField()
    keys = SecretKeySerializer(many=True)


class SecretDetailSerializer(SecretItemSerializer, _ObjectDetailSerializer):
    pass


class SecretRevealSerializer(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    type = serializers.CharField()
    data = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False),
                                 help_text="Values that are UTF-8 text")
    binaryData = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                       help_text="Other values, base64-encoded")
