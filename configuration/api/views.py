"""ConfigMap and Secret endpoints: registry kinds on ClusterScopedViewSet. Secrets never show a value, except
through `reveal` (admins, or the roles SECRET_REVEAL_ROLES names; audited like every POST)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from clusters.api.viewsets import ClusterScopedViewSet
from common.permissions import RANK, Role
from common.responses import ok
from configuration import services
from configuration.api.serializers import (
    ConfigMapCreateSerializer,
    ConfigMapDetailSerializer,
    ConfigMapItemSerializer,
    ConfigMapListQuerySerializer,
    ConfigMapUpdateSerializer,
    SecretCreateSerializer,
    SecretDetailSerializer,
    SecretItemSerializer,
    SecretListQuerySerializer,
    SecretRevealSerializer,
    SecretUpdateSerializer,
)


def _body(serializer_class: type, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class _KeyedViewSet(ClusterScopedViewSet):
    read_role = Role.VIEWER
    write_role = Role.OPERATOR

    def filter_items(self, items: list[dict[str, Any]], query: dict[str, Any]) -> list[dict[str, Any]]:
        items = super().filter_items(items, query)
        key = query.get("key")
        if key:
            items = [i for i in items if key in [k if isinstance(k, str) else k["name"] for k in i["keys"]]]
        return items

    def destroy(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        services.delete(cluster=self.cluster, plural=self.registry_kind.plural, namespace=namespace, name=name)
        return ok(message=f"{self.registry_kind.kind} deleted successfully")


@extend_schema(tags=["configmaps"])
class ConfigMapViewSet(_KeyedViewSet):
    """ConfigMaps: list (filter by `key`), detail with data (viewers); create, update, delete (operators)."""

    kind = "configmaps"
    query_serializer = ConfigMapListQuerySerializer
    item_serializer = ConfigMapItemSerializer
    detail_serializer = ConfigMapDetailSerializer
    action_labels = {"create": "creating a configmap", "update": "changing a configmap",
                     "destroy": "deleting a configmap"}

    @extend_schema(request=ConfigMapCreateSerializer, responses={201: ConfigMapDetailSerializer},
                   summary="Create a ConfigMap")
    def create(self, request: Request, cluster_id: str, namespace: str) -> Response:
        body = _body(ConfigMapCreateSerializer, request)
        detail = services.configmap_create(cluster=self.cluster, namespace=namespace, name=body["name"],
                                           data=body["data"], labels=body["labels"])
        return ok(ConfigMapDetailSerializer(detail).data, message="ConfigMap created", status=201)

    @extend_schema(request=ConfigMapUpdateSerializer, responses=ConfigMapDetailSerializer,
                   summary="Replace a ConfigMap's data (resourceVersion must be the one you read: else 409)")
    def update(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        body = _body(ConfigMapUpdateSerializer, request)
        detail = services.configmap_update(cluster=self.cluster, namespace=namespace, name=name, data=body["data"],
                                           labels=body.get("labels"), resource_version=body["resourceVersion"])
        return ok(ConfigMapDetailSerializer(detail).data, message="ConfigMap updated")

    @extend_schema(responses=None, summary="Delete a ConfigMap")
    def destroy(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        return super().destroy(request, cluster_id, namespace, name)


def reveal_role() -> str:
    """The least role SECRET_REVEAL_ROLES names (roles are ranked: allowing operators allows admins)."""
    named = [Role(r) for r in getattr(settings, "SECRET_REVEAL_ROLES", [Role.ADMIN]) if r in Role.values]
    return min(named, key=lambda role: RANK[role]) if named else Role.ADMIN


@extend_schema(tags=["secrets"])
class SecretViewSet(_KeyedViewSet):
    """Secrets: type, keys and value lengths, never a value (viewers); create, update, delete (operators);
    reveal the values (SECRET_REVEAL_ROLES, default admins only)."""

    kind = "secrets"
    query_serializer = SecretListQuerySerializer
    item_serializer = SecretItemSerializer
    detail_serializer = SecretDetailSerializer
    equal_filters = {"type": "type"}
    action_labels = {"create": "creating a secret", "update": "changing a secret", "destroy": "deleting a secret",
                     "reveal": "revealing a secret's values"}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.action_roles = {"reveal": reveal_role()}
        super().initial(request, *args, **kwargs)


    @extend_schema(request=SecretCreateSerializer, responses={201: SecretDetailSerializer},
                   summary="Create a Secret from plain-text values (never echoed back)")
    def create(self, request: Request, cluster_id: str, namespace: str) -> Response:
        body = _body(SecretCreateSerializer, request)
        detail = services.secret_create(cluster=self.cluster, namespace=namespace, name=body["name"],
                                        values=body["data"], type=body["type"], labels=body["labels"])
        return ok(SecretDetailSerializer(detail).data, message="Secret created", status=201)

    @extend_schema(request=SecretUpdateSerializer, responses=SecretDetailSerializer,
                   summary="Replace a Secret's values (resourceVersion must be the one you read: else 409)")
    def update(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        body = _body(SecretUpdateSerializer, request)
        detail = services.secret_update(cluster=self.cluster, namespace=namespace, name=name, values=body["data"],
                                        labels=body.get("labels"), resource_version=body["resourceVersion"])
        return ok(SecretDetailSerializer(detail).data, message="Secret updated")

    @extend_schema(responses=None, summary="Delete a Secret")
    def destroy(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        return super().destroy(request, cluster_id, namespace, name)

    @extend_schema(request=None, responses=SecretRevealSerializer,
                   summary="The Secret's values, decoded (SECRET_REVEAL_ROLES, default admins only; audited)")
    def reveal(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        revealed = services.secret_reveal(cluster=self.cluster, namespace=namespace, name=name)
        return Response(SecretRevealSerializer(revealed).data)
