"""Reads of nodes and their pods. Views never list through the gateway directly: this module is the seam
where a per-cluster watch cache will later answer instead of a full list per request."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from clusters.models import Cluster
from clusters.nodes import shapes
from common.errors import InvalidRequest
from kube import gateway

STATUSES = {"ready": "Ready", "notready": "NotReady"}
_LIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"


def _items(response: Any) -> list[dict[str, Any]]:
    return json.loads(response.data).get("items") or []


def raw_nodes(*, cluster: Cluster) -> list[dict[str, Any]]:
    return _items(gateway.core_v1(cluster).list_node(_preload_content=False))


def raw_node(*, cluster: Cluster, name: str) -> dict[str, Any]:
    """One node as JSON; an unknown node is a 404 naming it (the gateway translates the cluster's 404)."""
    return json.loads(gateway.core_v1(cluster).read_node(name, _preload_content=False).data)


def pods_on_node(*, cluster: Cluster, node_name: str) -> list[dict[str, Any]]:
    """Every pod bound to the node, any phase, in one call."""
    response = gateway.core_v1(cluster).list_pod_for_all_namespaces(
        field_selector=f"spec.nodeName={node_name}", _preload_content=False
    )
    return _items(response)


def live_pod_counts(*, cluster: Cluster) -> Counter[str]:
    """Pods per node that are not in a terminal phase, from ONE cluster-wide list."""
    response = gateway.core_v1(cluster).list_pod_for_all_namespaces(
        field_selector=_LIVE_PODS, _preload_content=False
    )
    counts: Counter[str] = Counter()
    for pod in _items(response):
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name and not shapes.is_terminal(pod):
            counts[node_name] += 1
    return counts


def parse_status(value: str | None) -> str | None:
    """`Ready` / `NotReady` (any case); anything else is a 400."""
    if value is None or value == "":
        return None
    normalized = STATUSES.get(value.strip().lower())
    if normalized is None:
        raise InvalidRequest(f"status: must be Ready or NotReady, not '{value}'")
    return normalized


def node_list(*, cluster: Cluster, search: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Node items sorted by name; `search` is a case-insensitive substring of the name."""
    wanted = parse_status(status)
    needle = (search or "").strip().lower()
    nodes = raw_nodes(cluster=cluster)
    counts = live_pod_counts(cluster=cluster)
    items = [shapes.node_item(node, counts.get(node["metadata"]["name"], 0)) for node in nodes]
    items = [
        item for item in items
        if (not needle or needle in item["name"].lower()) and (wanted is None or item["status"] == wanted)
    ]
    return sorted(items, key=lambda item: item["name"])


def node_detail(*, cluster: Cluster, name: str) -> dict[str, Any]:
    node = raw_node(cluster=cluster, name=name)
    return shapes.node_detail(node, pods_on_node(cluster=cluster, node_name=name))


def node_item(*, cluster: Cluster, name: str) -> dict[str, Any]:
    node = raw_node(cluster=cluster, name=name)
    live = [pod for pod in pods_on_node(cluster=cluster, node_name=name) if not shapes.is_terminal(pod)]
    return shapes.node_item(node, len(live))
