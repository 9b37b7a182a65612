"""Pod endpoints: thin; validation in serializers, the work in selectors/services."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from clusters.api.viewsets import ClusterScopedViewSet
from common.permissions import Role
from common.responses import ok
from pods import selectors, services
from pods.api.serializers import (
    PodDeleteQuerySerializer,
    PodDetailSerializer,
    PodEventSerializer,
    PodItemSerializer,
    PodListQuerySerializer,
    PodLogsQuerySerializer,
    PodLogsSerializer,
)


def _query(serializer_class: type, request: Request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema(tags=["pods"])
class PodViewSet(ClusterScopedViewSet):
    """Pods (registry kind `pods`): list with kubectl's STATUS, one pod (viewers); delete (operators)."""

    kind = "pods"
    query_serializer = PodListQuerySerializer
    item_serializer = PodItemSerializer
    detail_serializer = PodDetailSerializer
    action_labels = {"destroy": "deleting a pod"}
    read_role = Role.VIEWER
    write_role = Role.OPERATOR

    def sorted_rows(self, *, namespace: str | None, query: dict[str, Any],
                    allowed: set[str] | None) -> Sequence[dict[str, Any]]:
        """Filter by namespace, node, status (STATUS column or phase), name and labels: lazily, from the lean
        cache's indexes (a page thaws only its own rows), already sorted and narrowed to the user's namespaces."""
        return selectors.pod_list(
            cluster=self.cluster,
            namespace=namespace,
            node_name=query.get("nodeName") or None,
            status=query.get("status") or None,
            search=query.get("search") or None,
            label_selector=query.get("labelSelector") or None,
            namespaces=allowed,
        )

    def get_detail(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        return selectors.pod_detail(selectors.pod_get(cluster=self.cluster, namespace=namespace or "", name=name))

    @extend_schema(parameters=[PodDeleteQuerySerializer], responses=None,
                   summary="Delete a pod (force: grace period 0)")
    def destroy(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        query = _query(PodDeleteQuerySerializer, request)
        services.pod_delete(cluster=self.cluster, namespace=namespace, name=name,
                            force=query["force"], grace_period=query.get("gracePeriod"))
        return ok(message="Pod deleted successfully")


@extend_schema(tags=["pods"])
class PodLogsView(ClusterScopedView, APIView):
    """A container's log; the default container is the first one. Viewers may read logs."""

    read_role = Role.VIEWER

    @extend_schema(parameters=[PodLogsQuerySerializer], responses=PodLogsSerializer,
                   summary="A container's log (at most POD_LOG_LIMIT_BYTES, default 1 MiB)")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        query = _query(PodLogsQuerySerializer, request)
        logs, truncated = selectors.pod_logs(
            cluster=cluster, namespace=namespace, name=name,
            container=query.get("container") or None, previous=query["previous"],
            since_seconds=query.get("sinceSeconds"), tail_lines=query.get("tailLines"),
            timestamps=query["timestamps"],
        )
        message = "success" if not truncated else "Log truncated at the byte limit: use tailLines or sinceSeconds"
        return ok(PodLogsSerializer({"logs": logs}).data, message=message)


@extend_schema(tags=["pods"])
class PodEventsView(ClusterScopedView, APIView):
    """The pod's events, oldest first (by last seen)."""

    read_role = Role.VIEWER

    @extend_schema(responses=PodEventSerializer(many=True), summary="The pod's events, oldest first")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        events = selectors.pod_events(cluster=self.cluster, namespace=namespace, name=name)
        return Response(PodEventSerializer(events, many=True).data)
