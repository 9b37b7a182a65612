"""Reads of namespaces: each with its status, labels and what runs in it (pods, ready and unready workloads),
counted from the pod and workload lists (the watch caches when they are on)."""
from __future__ import annotations

from collections import Counter
from typing import Any

from clusters.models import Cluster
from kube import generic, registry
from kube.times import rfc3339
from pods.selectors import raw_pods, visible_annotations
from workloads.selectors import workload_list

Obj = dict[str, Any]

# The workload kinds whose readiness a namespace counts (a Job or CronJob is not "ready", it runs or ran).
COUNTED_KINDS = ["deployment", "statefulset", "daemonset"]


def namespace_item(obj: Obj) -> Obj:
    """The shape of one namespace, without its counts (a pure function of the object, for the cache's memo)."""
    metadata = obj.get("metadata") or {}
    return {
        "name": metadata.get("name"),
        "status": (obj.get("status") or {}).get("phase") or "Active",
        "labels": metadata.get("labels") or {},
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


def _is_ready(workload: Obj) -> bool:
    return workload["readyReplicas"] >= workload["replicas"] and workload["status"] != "Terminating"


def contents(*, cluster: Cluster, namespace: str | None = None) -> dict[str, Counter[str]]:
    """Per namespace: `pods`, `workloadsReady`, `workloadsUnready` (Deployments, StatefulSets, DaemonSets)."""
    counts: dict[str, Counter[str]] = {}
    for pod in raw_pods(cluster, namespace=namespace):
        counts.setdefault((pod.get("metadata") or {}).get("namespace") or "", Counter())["pods"] += 1
    for workload in workload_list(cluster=cluster, namespace=namespace, types=COUNTED_KINDS):
        key = "workloadsReady" if _is_ready(workload) else "workloadsUnready"
        counts.setdefault(workload["namespace"] or "", Counter())[key] += 1
    return counts


def with_counts(item: Obj, counts: Counter[str] | None) -> Obj:
    counts = counts or Counter()
    return {**item, "pods": counts["pods"], "workloadsReady": counts["workloadsReady"],
            "workloadsUnready": counts["workloadsUnready"]}


def namespace_list(*, cluster: Cluster, search: str | None = None, label_selector: str | None = None,
                   status: str | None = None, visible: set[str] | None = None) -> list[Obj]:
    """Namespace items with their counts, sorted by name; `visible` (None: all) narrows before counting."""
    kind = registry.get("namespaces")
    items, _ = generic.list_items(cluster, kind, label_selector=label_selector, transform=registry.item_shaper(kind))
    needle = (search or "").strip().lower()
    wanted = (status or "").strip().lower()
    items = [i for i in items
             if (visible is None or i["name"] in visible)
             and (not needle or needle in (i["name"] or "").lower())
             and (not wanted or wanted == (i["status"] or "").lower())]
    counts = contents(cluster=cluster)
    return sorted((with_counts(i, counts.get(i["name"])) for i in items), key=lambda i: i["name"] or "")


def namespace_detail(*, cluster: Cluster, name: str) -> Obj:
    """The item plus annotations, resourceVersion and the counts of what is in it."""
    obj = generic.get_object(cluster, registry.get("namespaces"), name=name)
    metadata = obj.get("metadata") or {}
    counts = contents(cluster=cluster, namespace=name).get(name)
    return {**with_counts(namespace_item(obj), counts), "annotations": visible_annotations(metadata),
            "resourceVersion": metadata.get("resourceVersion")}
