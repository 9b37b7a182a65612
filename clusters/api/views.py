"""Cluster registry endpoints (contract §3): thin; the work is in clusters.services / clusters.selectors."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access
from clusters import selectors, services
from clusters.api.serializers import (
    ClusterDetailSerializer,
    ClusterSerializer,
    ClusterWriteSerializer,
    ConnectionTestSerializer,
)
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role, RoleViewMixin
from common.responses import created, ok


@extend_schema(tags=["clusters"])
class ClusterViewSet(RoleViewMixin, viewsets.ViewSet):
    """Registered clusters: every role reads, admins change. Credentials are write-only."""

    read_role = Role.VIEWER
    write_role = Role.ADMIN
    pagination_class = EnvelopePagination
    action_label = "managing clusters"

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Substring of the cluster name")],
        responses=ClusterSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        clusters = selectors.cluster_list(search=request.query_params.get("search"),
                                          only_ids=access.visible_cluster_ids(request.user))
        return paginate(clusters, request, lambda page: ClusterSerializer(page, many=True).data)

    @extend_schema(request=ClusterWriteSerializer, responses={201: ClusterSerializer})
    def create(self, request: Request) -> Response:
        body = ClusterWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return created(ClusterSerializer(services.create_cluster(**body.validated_data)).data)

    @extend_schema(responses=ClusterDetailSerializer,
                   description="The cluster, and `cache`: the state of each watch cache (pods, nodes, workloads) that "
                               "the answering process runs for it. Per process: behind several processes, each "
                               "answers with its own caches; empty when none runs there.")
    def retrieve(self, request: Request, pk: str) -> Response:
        cluster = access.authorize(request.user, cluster_id=pk, needed=Role.VIEWER, what="reading a cluster")
        states = selectors.cache_state(cluster=cluster)
        return ok(ClusterDetailSerializer(cluster, context={"cache": states}).data)

    @extend_schema(request=ClusterWriteSerializer, responses=ClusterSerializer,
                   description="Update any subset of the create fields.")
    def update(self, request: Request, pk: str) -> Response:
        cluster = selectors.get_cluster(cluster_id=pk)
        body = ClusterWriteSerializer(cluster, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return ok(ClusterSerializer(services.update_cluster(cluster=cluster, **body.validated_data)).data)

    @extend_schema(responses=None, description="Removes the record only; the cluster itself is not touched.")
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_cluster(cluster=selectors.get_cluster(cluster_id=pk))
        return ok(message="Cluster deleted")

    @extend_schema(request=None, responses=ConnectionTestSerializer,
                   description="Connects now; 200 even when the cluster cannot be reached (`message` says why).")
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        result = services.check_connection(cluster=selectors.get_cluster(cluster_id=pk))
        return ok(ConnectionTestSerializer(result).data, message=result["message"])
