"""Node endpoints (contract §4): viewers read; operators and admins cordon, uncordon and drain."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from clusters.api.node_serializers import (
    DrainRequestSerializer,
    DrainResultSerializer,
    NodeDetailSerializer,
    NodeSerializer,
)
from clusters.api.viewsets import ClusterScopedViewSet
from clusters.nodes import drain, selectors, services
from common.permissions import Role
from common.responses import ok


class NodeListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Substring of the node name (case-insensitive)")
    status = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Only nodes in this state: Ready or NotReady (any case)")
    labelSelector = serializers.CharField(  # noqa: N815
        required=False, allow_blank=True, max_length=1024, help_text="Kubernetes label selector, e.g. `role=edge`")


@extend_schema(tags=["nodes"])
class NodeViewSet(ClusterScopedViewSet):
    """Nodes (registry kind `nodes`, cluster-scoped: a scoped user needs a whole-cluster grant)."""

    kind = "nodes"
    query_serializer = NodeListQuerySerializer
    item_serializer = NodeSerializer
    detail_serializer = NodeDetailSerializer
    view_name = "Nodes"
    read_role = Role.VIEWER
    write_role = Role.OPERATOR

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[dict[str, Any]], None]:
        return selectors.node_list(cluster=self.cluster, search=query.get("search"), status=query.get("status"),
                                   label_selector=query.get("labelSelector") or None), None

    def get_detail(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        return selectors.node_detail(cluster=self.cluster, name=name)

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
