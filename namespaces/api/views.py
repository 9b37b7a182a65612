"""Namespace endpoints: a registry kind on ClusterScopedViewSet, with counts, create and confirmed delete."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from clusters.api.viewsets import ClusterScopedViewSet
from common.errors import NotFound
from common.permissions import Role
from common.responses import ok
from namespaces import selectors, services
from namespaces.api.serializers import (
    NamespaceCreateSerializer,
    NamespaceDeleteQuerySerializer,
    NamespaceDetailSerializer,
    NamespaceItemSerializer,
    NamespaceListQuerySerializer,
)


@extend_schema(tags=["namespaces"])
class NamespaceViewSet(ClusterScopedViewSet):
    """Namespaces. Reading one needs a grant in it (a scoped user lists only theirs); creating and deleting
    need the operator role on the whole cluster."""

    kind = "namespaces"
    query_serializer = NamespaceListQuerySerializer
    item_serializer = NamespaceItemSerializer
    detail_serializer = NamespaceDetailSerializer
    action_labels = {"create": "creating a namespace", "destroy": "deleting a namespace"}
    read_role = Role.VIEWER
    write_role = Role.OPERATOR

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # The kind is cluster-scoped, but a namespace grant lets its holder read that namespace.
        self.cluster_wide = self.action in ("create", "destroy")
        super().initial(request, *args, **kwargs)

    def _visible(self) -> set[str] | None:
        return access.visible_namespaces(self.request.user, self.cluster)

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[dict[str, Any]], None]:
        return selectors.namespace_list(cluster=self.cluster, search=query.get("search"),
                                        label_selector=query.get("labelSelector") or None,
                                        status=query.get("status"), visible=self._visible()), None

    def get_detail(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        visible = self._visible()
        if visible is not None and name not in visible:
            raise NotFound(f"Namespace '{name}' not found in cluster '{self.cluster.name}'")
        return selectors.namespace_detail(cluster=self.cluster, name=name)

    @extend_schema(request=NamespaceCreateSerializer, responses={201: NamespaceDetailSerializer},
                   summary="Create a namespace, with labels")
    def create(self, request: Request, cluster_id: str) -> Response:
        body = NamespaceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        detail = services.namespace_create(cluster=self.cluster, name=body.validated_data["name"],
                                           labels=body.validated_data["labels"])
        return ok(NamespaceDetailSerializer(detail).data, message="Namespace created", status=201)

    @extend_schema(parameters=[NamespaceDeleteQuerySerializer], responses=None,
                   summary="Delete a namespace and everything in it: `?confirm=<name>` must repeat its name "
                           "(else a 400 saying what would be deleted)")
    def destroy(self, request: Request, cluster_id: str, name: str) -> Response:
        query = self.query(NamespaceDeleteQuerySerializer)
        was = services.namespace_delete(cluster=self.cluster, name=name, confirm=query.get("confirm"))
        workloads = was["workloadsReady"] + was["workloadsUnready"]
        return ok(message=f"Namespace '{name}' is being deleted with everything in it ({was['pods']} pod(s), "
                          f"{workloads} workload(s))")
