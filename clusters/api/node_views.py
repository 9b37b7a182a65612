"""Node endpoints (contract §4): viewers read; operators and admins cordon, uncordon and drain."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from clusters.api.node_serializers import (
    DrainRequestSerializer,
    DrainResultSerializer,
    NodeDetailSerializer,
    NodeSerializer,
)
from clusters.api.scoped import ClusterScopedView
from clusters.nodes import drain, selectors, services
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role
from common.responses import ok


@extend_schema(tags=["nodes"])
class NodeViewSet(ClusterScopedView, viewsets.ViewSet):
    cluster_wide = True  # nodes belong to no namespace: a scoped user needs a whole-cluster grant
    read_role = Role.VIEWER
    write_role = Role.OPERATOR
    pagination_class = EnvelopePagination

    def get_view_name(self) -> str:
        return "Nodes"

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Substring of the node name (case-insensitive)"),
            OpenApiParameter("status", str, enum=["Ready", "NotReady"], description="Only nodes in this state"),
        ],
        responses=NodeSerializer(many=True),
    )
    def list(self, request: Request, cluster_id: str) -> Response:
        cluster = self.cluster
        items = selectors.node_list(cluster=cluster, search=request.query_params.get("search"),
                                    status=request.query_params.get("status"))
        return paginate(items, request, lambda page: NodeSerializer(page, many=True).data)

    @extend_schema(responses=NodeDetailSerializer)
    def retrieve(self, request: Request, cluster_id: str, name: str) -> Response:
        detail = selectors.node_detail(cluster=self.cluster, name=name)
        return ok(NodeDetailSerializer(detail).data)

    @extend_schema(request=None, responses=NodeSerializer, description="Mark unschedulable (idempotent).")
    def cordon(self, request: Request, cluster_id: str, name: str) -> Response:
        node = services.cordon(cluster=self.cluster, name=name)
        return ok(NodeSerializer(node).data, message=f"Node {name} cordoned")

    @extend_schema(request=None, responses=NodeSerializer, description="Mark schedulable (idempotent).")
    def uncordon(self, request: Request, cluster_id: str, name: str) -> Response:
        node = services.uncordon(cluster=self.cluster, name=name)
        return ok(NodeSerializer(node).data, message=f"Node {name} uncordoned")

    @extend_schema(
        request=DrainRequestSerializer, responses=DrainResultSerializer,
        description="Cordon, then evict like `kubectl drain`. 200 with per-pod outcomes; `failed` lists pods "
                    "that were refused or could not be evicted in time (with the PodDisruptionBudget's message).",
    )
    def drain(self, request: Request, cluster_id: str, name: str) -> Response:
        cluster = self.cluster
        body = DrainRequestSerializer(data=request.data if request.data is not None else {})
        body.is_valid(raise_exception=True)
        options = drain.DrainOptions(
            grace_period_seconds=body.validated_data["gracePeriodSeconds"],
            timeout_seconds=body.validated_data["timeoutSeconds"],
            ignore_daemonsets=body.validated_data["ignoreDaemonSets"],
            delete_emptydir_data=body.validated_data["deleteEmptyDirData"],
            force=body.validated_data["force"],
            dry_run=body.validated_data["dryRun"],
        )
        result = drain.drain_node(cluster=cluster, name=name, options=options)
        return ok(DrainResultSerializer(result).data, message=_drain_message(name, result, options.dry_run))


def _drain_message(name: str, result: dict, dry_run: bool) -> str:
    counts = f"{len(result['evicted'])} evicted, {len(result['skipped'])} skipped, {len(result['failed'])} failed"
    if dry_run:
        return f"Dry run of draining node {name} (nothing changed): {counts}"
    if result["failed"]:
        return f"Node {name} cordoned but not fully drained: {counts}"
    return f"Node {name} drained: {counts}"
