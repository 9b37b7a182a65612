"""Changes to namespaces: create with labels; delete only when the caller repeats the name."""
from __future__ import annotations

from typing import Any

from clusters.models import Cluster
from common.errors import InvalidRequest
from kube import generic, registry
from namespaces import selectors

Obj = dict[str, Any]


def namespace_create(*, cluster: Cluster, name: str, labels: dict[str, str] | None = None) -> Obj:
    """Create the namespace; its detail as the next read shows it."""
    body = {"metadata": {"name": name, "labels": labels or {}}}
    generic.create_object(cluster, registry.get("namespaces"), body)
    return selectors.namespace_detail(cluster=cluster, name=name)


def namespace_delete(*, cluster: Cluster, name: str, confirm: str | None) -> Obj:
    """Delete the namespace (and so everything in it) only when `confirm` repeats its name.

    Without it, a 400 saying what would go: the counts of pods and workloads in it. Returns what was in it.
    """
    detail = selectors.namespace_detail(cluster=cluster, name=name)  # 404 for an unknown namespace first
    if confirm != name:
        workloads = detail["workloadsReady"] + detail["workloadsUnready"]
        raise InvalidRequest(
            f"Deleting namespace '{name}' deletes everything in it: {detail['pods']} pod(s) and {workloads} "
            f"workload(s) (Deployments, StatefulSets, DaemonSets), plus its other objects. "
            f"To delete it, repeat its name: ?confirm={name}")
    generic.delete_object(cluster, registry.get("namespaces"), name=name)
    return detail
