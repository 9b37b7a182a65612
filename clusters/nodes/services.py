"""Node actions that change the cluster: cordon and uncordon (idempotent)."""
from __future__ import annotations

import logging
from typing import Any

from clusters.models import Cluster
from clusters.nodes import selectors
from kube import gateway

logger = logging.getLogger(__name__)


def set_unschedulable(*, cluster: Cluster, name: str, unschedulable: bool) -> dict[str, Any]:
    """Mark the node (un)schedulable; doing it twice is harmless. Returns the node item afterwards."""
    node = selectors.raw_node(cluster=cluster, name=name)
    if bool((node.get("spec") or {}).get("unschedulable")) != unschedulable:
        gateway.core_v1(cluster).patch_node(
            name, {"spec": {"unschedulable": True if unschedulable else None}}, _content_type=gateway.MERGE_PATCH
        )
        logger.info("Node %s in cluster '%s' %s", name, cluster.name, "cordoned" if unschedulable else "uncordoned")
    return selectors.node_item(cluster=cluster, name=name)


def cordon(*, cluster: Cluster, name: str) -> dict[str, Any]:
    return set_unschedulable(cluster=cluster, name=name, unschedulable=True)


def uncordon(*, cluster: Cluster, name: str) -> dict[str, Any]:
    return set_unschedulable(cluster=cluster, name=name, unschedulable=False)
