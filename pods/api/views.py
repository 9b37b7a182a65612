"""Pod endpoints: thin; validation in serializers, the work in selectors/services."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from common.pagination import EnvelopePagination, paginate
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
class PodListView(ClusterScopedView, APIView):
    """Pods of a cluster: filter by namespace, node, status (STATUS column or phase) and name; paginated."""

    read_role = Role.VIEWER
    pagination_class = EnvelopePagination

    @extend_schema(parameters=[PodListQuerySerializer], responses=PodItemSerializer(many=True),
                   summary="Pods, with the STATUS kubectl shows, sorted by namespace then name")
    def get(self, request: Request, cluster_id: str) -> Response:
        query = _query(PodListQuerySerializer, request)
        allowed = self.list_scope(query.get("namespace") or None)
        pods = selectors.pod_list(
            cluster=self.cluster,
            namespace=query.get("namespace") or None,
            node_name=query.get("nodeName") or None,
            status=query.get("status") or None,
            search=query.get("search") or None,
            namespaces=allowed,
        )
        return paginate(pods, request, lambda page: PodItemSerializer(page, many=True).data)


@extend_schema(tags=["pods"])
class PodDetailView(ClusterScopedView, APIView):
    """One pod (viewers), or delete it (operators): `force` means grace period 0."""

    read_role = Role.VIEWER
    write_role = Role.OPERATOR
    action_label = "deleting a pod"

    @extend_schema(responses=PodDetailSerializer, summary="One pod")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        pod = selectors.pod_get(cluster=self.cluster, namespace=namespace, name=name)
        return Response(PodDetailSerializer(selectors.pod_detail(pod)).data)

    @extend_schema(parameters=[PodDeleteQuerySerializer], responses=None,
                   summary="Delete a pod (force: grace period 0)")
    def delete(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        query = _query(PodDeleteQuerySerializer, request)
        services.pod_delete(cluster=cluster, namespace=namespace, name=name,
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
