"""Search parameters and the answer's shape (a page of hits plus per-cluster errors)."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.names import query_name_field
from search.selectors import KINDS

# ruff: noqa: N815 - the API's field names are camelCase

MAX_QUERY = 253  # the longest Kubernetes object name (a DNS-1123 subdomain)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(min_length=1, max_length=MAX_QUERY,
                              help_text="Substring of a name or label value (any case), or one label `key=value`")
    kinds = serializers.CharField(required=False, allow_blank=True,
                                  help_text=f"Comma-separated; default all: {', '.join(KINDS)}")
    clusterId = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                         help_text="Only this cluster")
    namespace = query_name_field("namespace", "Only this namespace (leaves nodes out)")

    def validate_kinds(self, value: str) -> list[str]:
        wanted = [part.strip().lower() for part in value.split(",") if part.strip()]
        unknown = [part for part in wanted if part not in KINDS]
        if unknown:
            raise serializers.ValidationError(
                f"unknown kind '{unknown[0]}': supported kinds are {', '.join(KINDS)}")
        return list(dict.fromkeys(wanted))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["kinds"] = attrs.get("kinds") or list(KINDS)
        return attrs


class SearchHitSerializer(serializers.Serializer):
    clusterId = serializers.IntegerField()
    clusterName = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k.kind for k in KINDS.values()])
    namespace = serializers.CharField(allow_null=True, help_text="null for nodes")
    name = serializers.CharField()
    status = serializers.CharField(help_text="Pods: kubectl's STATUS; workloads: workloads.status; nodes: "
                                             "Ready or NotReady")


class SearchErrorSerializer(serializers.Serializer):
    clusterId = serializers.IntegerField()
    clusterName = serializers.CharField()
    message = serializers.CharField(help_text="Why this cluster's objects are missing (timeout, unreachable...)")


class SearchPageSerializer(serializers.Serializer):
    """The paginated shape `{items, total, page, pageSize}` plus `errors` (clusters that did not answer)."""

    items = SearchHitSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    errors = SearchErrorSerializer(many=True)
