"""Reads of nodes and their pods. Views never list through the gateway directly: this module is the seam
where a per-cluster watch cache will later answer instead of a full list per request."""
from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from clusters.models import Cluster
from clusters.nodes import shapes
from common.errors import InvalidRequest
from kube import cache, gateway

STATUSES = {"ready": "Ready", "notready": "NotReady"}
_LIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"


def raw_nodes(*, cluster: Cluster, label_selector: str | None = None) -> list[dict[str, Any]]:
    # watch cache hook (kube/cache.py): from memory when on; the direct list when off or not ready
    query = {"labelSelector": label_selector} if label_selector else None
    return cache.list_objects(cluster, "nodes", label_selector=label_selector,
                              fallback=lambda: gateway.get_json(cluster, "/api/v1/nodes", query=query).get("items")
                              or [])


def raw_node(*, cluster: Cluster, name: str) -> dict[str, Any]:
    """One node as JSON; an unknown node is a 404 naming it (the gateway translates the cluster's 404)."""
    return gateway.get_json(cluster, f"/api/v1/nodes/{quote(name, safe='')}")


def pods_on_node(*, cluster: Cluster, node_name: str) -> list[dict[str, Any]]:
    """Every pod bound to the node, any phase, in one call."""
    document = gateway.get_json(cluster, "/api/v1/pods", query={"fieldSelector": f"spec.nodeName={node_name}"})
    return document.get("items") or []


def live_pod_counts(*, cluster: Cluster) -> Counter[str]:
    """Pods per node that are not in a terminal phase, from ONE cluster-wide list.

    Asked as a server-side Table without objects (what `kubectl get pods -o wide` uses): a few bytes per pod
    instead of the whole pod. A server that does not print tables answers a plain list, counted the same way.
    """
    counts: Counter[str] = Counter()
    cached = cache.pod_counts(cluster)  # watch cache hook (kube/cache.py): from its (node, phase) index when on
    if cached is not None:
        for (node_name, phase), count in cached.items():
            if node_name and phase not in shapes.TERMINAL_PHASES:
                counts[node_name] += count
        return counts
    document = gateway.get_json(cluster, "/api/v1/pods", query={"fieldSelector": _LIVE_PODS, "includeObject": "None"},
                                accept=TABLE)
    if document.get("kind") == "Table":
        names = [column.get("name") for column in document.get("columnDefinitions") or []]
        if "Node" in names:
            index = names.index("Node")
            for row in document.get("rows") or []:
                cells = row.get("cells") or []
                node_name = cells[index] if index < len(cells) else None
                if node_name and node_name != "<none>":
                    counts[node_name] += 1
            return counts
        document = gateway.get_json(cluster, "/api/v1/pods", query={"fieldSelector": _LIVE_PODS})
    return _count_live(document.get("items") or [], counts)


def _count_live(pods: list[dict[str, Any]], counts: Counter[str]) -> Counter[str]:
    for pod in pods:
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


def node_list(*, cluster: Cluster, search: str | None = None, status: str | None = None,
              label_selector: str | None = None) -> list[dict[str, Any]]:
    """Node items sorted by name; `search` is a case-insensitive substring of the name."""
    wanted = parse_status(status)
    needle = (search or "").strip().lower()
    nodes = raw_nodes(cluster=cluster, label_selector=label_selector)
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
