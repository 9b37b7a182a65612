"""Cluster bodies. The credential fields are write-only and never part of any output serializer."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters import kubeconfig as kc
from clusters.models import Cluster


class ClusterSerializer(serializers.ModelSerializer):
    apiServer = serializers.CharField(source="api_server", read_only=True)  # noqa: N815
    nodeCount = serializers.IntegerField(source="node_count", read_only=True, allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)  # noqa: N815

    class Meta:
        model = Cluster
        fields = ["id", "name", "description", "apiServer", "status", "version", "nodeCount", "createdAt", "updatedAt"]
        read_only_fields = fields


class CacheStateSerializer(serializers.Serializer):
    """One watch cache of this process (kube.cache_resource.CacheState)."""

    synced = serializers.BooleanField(help_text="The first list is done and the watch is not broken")
    objects = serializers.IntegerField(help_text="Objects held")
    lastEventAt = serializers.DateTimeField(source="last_event_time", allow_null=True,  # noqa: N815
                                            help_text="The last list or watch event (bookmarks too)")
    relists = serializers.IntegerField(help_text="Lists after the first (410 Gone, or a read that needed one)")


class ClusterDetailSerializer(ClusterSerializer):
    """The detail adds `cache`; list items stay as they are."""

    cache = serializers.SerializerMethodField(
        help_text="Watch cache state per resource, of the process that answered (each process keeps its own); "
                  "empty when no cache runs for this cluster there.")

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "cache"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=CacheStateSerializer()))
    def get_cache(self, cluster: Cluster) -> dict[str, Any]:
        states = self.context.get("cache") or {}
        return {resource: CacheStateSerializer(state).data for resource, state in sorted(states.items())}


def _secret(help_text: str) -> serializers.CharField:
    return serializers.CharField(write_only=True, required=False, trim_whitespace=True, allow_blank=False,
                                 max_length=kc.MAX_KUBECONFIG_BYTES * 2, style={"input_type": "password"},
                                 help_text=help_text)


class ClusterWriteSerializer(serializers.Serializer):
    """Create (all required fields) or update (`partial=True`: any subset).

    Credentials: `kubeConfig` (a base64 kubeconfig) or `token` (+ optional `caData`, base64 PEM).
    `apiServer` overrides the kubeconfig's server; omitted on create, the kubeconfig's current context
    gives it. `validated_data["kubeconfig"]` is the reduced kubeconfig to store.

    On update (the serializer's `instance` is the cluster), moving `apiServer` to another scheme, host or
    port needs `kubeConfig` or `token` in the same body, so stored credentials never go somewhere new
    unasked; a different path on the same server is allowed.
    """

    name = serializers.CharField(max_length=128, help_text="Unique display name")
    apiServer = serializers.CharField(required=False, max_length=512,  # noqa: N815
                                      help_text="https://host[:port]; overrides the kubeconfig's server")
    kubeConfig = _secret("Base64-encoded kubeconfig (write-only; its current context is used)")  # noqa: N815
    token = _secret("Bearer token, instead of a kubeConfig (write-only)")
    caData = _secret("Base64 PEM CA bundle that signs the API server's certificate, with `token`")  # noqa: N815
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_apiServer(self, value: str) -> str:  # noqa: N802
        return self._checked(lambda: kc.validate_server(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        creating = not self.partial
        has_config, has_token = "kubeConfig" in attrs, "token" in attrs
        if has_config and has_token:
            raise serializers.ValidationError({"token": ["Give either kubeConfig or token, not both."]})
        if "caData" in attrs and not has_token:
            raise serializers.ValidationError({"caData": ["caData goes with token (a kubeconfig carries its own CA)."]})
        if creating and not (has_config or has_token):
            raise serializers.ValidationError({"kubeConfig": ["Required: a base64 kubeconfig, or a token instead."]})
        out: dict[str, Any] = {key: attrs[key] for key in ("name", "description") if key in attrs}
        if "apiServer" in attrs:
            out["api_server"] = attrs["apiServer"]
            current = getattr(self.instance, "api_server", None)
            if current and not (has_config or has_token) and not kc.same_origin(current, attrs["apiServer"]):
                raise serializers.ValidationError({"apiServer": [kc.MOVE_NEEDS_CREDENTIALS]})
        if has_config:
            config = self._checked(lambda: kc.reduce_kubeconfig(kc.parse_kubeconfig(attrs["kubeConfig"])))
            if creating and "api_server" not in out:
                server = kc.server_of(config)
                if not server:
                    raise serializers.ValidationError(
                        {"apiServer": ["Required: the kubeconfig's current context has no server."]})
                self._checked(lambda: kc.validate_server(server, "kubeConfig"))
            out["kubeconfig"] = config
        if has_token:
            if creating and "api_server" not in out:
                raise serializers.ValidationError({"apiServer": ["Required with a token."]})
            out["kubeconfig"] = self._checked(
                lambda: kc.token_kubeconfig(server="", token=attrs["token"], ca_data=attrs.get("caData")))
        return out

    @staticmethod
    def _checked(check: Any) -> Any:
        try:
            return check()
        except kc.CredentialError as exc:
            if exc.field in ("apiServer",):
                raise serializers.ValidationError(exc.reason) from None
            raise serializers.ValidationError({exc.field: [exc.reason]}) from None


class ConnectionTestSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    version = serializers.CharField(allow_null=True)
    nodeCount = serializers.IntegerField(allow_null=True)  # noqa: N815
    latencyMs = serializers.IntegerField()  # noqa: N815
    message = serializers.CharField()
