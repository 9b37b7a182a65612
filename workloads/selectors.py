"""Reads of workloads: the five controller kinds in one list, and a Deployment's detail."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clusters.models import Cluster
from kube import cache, gateway, generic, registry
from kube.objects import missing_as, namespace_must_exist
from kube.raw import read_json
from kube.times import rfc3339
from pods.selectors import pod_items, visible_annotations
from workloads import status as workload_status

Obj = dict[str, Any]


def _int(value: Any, default: int = 0) -> int:
    return int(value) if value is not None else default


def _pod_spec(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    if "jobTemplate" in spec:  # CronJob
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return ((spec.get("template") or {}).get("spec")) or {}


def _replica_counts(obj: Obj) -> tuple[int, int, int]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ready = _int(status.get("readyReplicas"))
    return _int(spec.get("replicas"), 1), ready, _int(status.get("availableReplicas"), ready)


def _daemonset_counts(obj: Obj) -> tuple[int, int, int]:
    status = obj.get("status") or {}
    return (_int(status.get("desiredNumberScheduled")), _int(status.get("numberReady")),
            _int(status.get("numberAvailable")))


def _job_counts(obj: Obj) -> tuple[int, int, int]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return _int(spec.get("completions"), 1), _int(status.get("ready")), _int(status.get("succeeded"))


def _cronjob_counts(obj: Obj) -> tuple[int, int, int]:
    active = len((obj.get("status") or {}).get("active") or [])
    return active, active, active


@dataclass(frozen=True)
class WorkloadKind:
    """A workload kind: its registry entry (kube/registry.py: group, version, list methods) plus how this app
    reads its status and replica counts."""

    resource: registry.Kind
    status: Callable[[Obj], str]
    counts: Callable[[Obj], tuple[int, int, int]]

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def plural(self) -> str:
        return self.resource.plural


# Keyed by the singular the `type` filter uses; everything about the kind itself is the registry's.
KINDS: dict[str, WorkloadKind] = {
    key: WorkloadKind(registry.get(f"{key}s"), status, counts) for key, status, counts in (
        ("deployment", workload_status.deployment_status, _replica_counts),
        ("statefulset", workload_status.statefulset_status, _replica_counts),
        ("daemonset", workload_status.daemonset_status, _daemonset_counts),
        ("job", workload_status.job_status, _job_counts),
        ("cronjob", workload_status.cronjob_status, _cronjob_counts),
    )
}


def workload_item(kind: WorkloadKind, obj: Obj) -> Obj:
    metadata = obj.get("metadata") or {}
    replicas, ready, available = kind.counts(obj)
    images: list[str] = []
    for container in _pod_spec(obj).get("containers") or []:
        if container.get("image") and container["image"] not in images:
            images.append(container["image"])
    return {
        "kind": kind.kind,
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "replicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": available,
        "images": images,
        "labels": metadata.get("labels") or {},
        "status": kind.status(obj),
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


def workload_list(*, cluster: Cluster, namespace: str | None = None, types: list[str] | None = None,
                  search: str | None = None, label_selector: str | None = None) -> list[Obj]:
    """Workload items of the given types (all five by default), sorted by namespace, name, then kind."""
    if namespace:
        namespace_must_exist(cluster, namespace)
    needle = (search or "").strip().lower()
    items: list[Obj] = []
    for key in types or list(KINDS):
        kind = KINDS[key]
        # watch cache hook (kube/cache.py): the kind's registry plural; the direct list below when off or not ready
        for obj in cache.list_objects(cluster, kind.plural, namespace=namespace, label_selector=label_selector,
                                      fallback=lambda kind=kind: list_kind_directly(cluster, kind, namespace,
                                                                                    label_selector=label_selector)):
            if needle and needle not in ((obj.get("metadata") or {}).get("name") or "").lower():
                continue
            items.append(workload_item(kind, obj))
    items.sort(key=lambda i: (i["namespace"] or "", i["name"] or "", i["kind"]))
    return items


def list_kind_directly(cluster: Cluster, kind: WorkloadKind, namespace: str | None, *,
                       timeout: tuple[float, float] | None = None, label_selector: str | None = None) -> list[Obj]:
    """The direct list of one workload kind (no cache); `timeout` overrides the gateway's."""
    return generic.list_directly(cluster, kind.resource, namespace, timeout=timeout, label_selector=label_selector)


# --- Deployment detail ---------------------------------------------------------------------------

def deployment_get(*, cluster: Cluster, namespace: str, name: str) -> Obj:
    """The Deployment as the API server sent it; 404 naming the namespace or the deployment."""
    with missing_as(cluster, "Deployment", namespace, name):
        return read_json(cluster, gateway.apps_v1(cluster).read_namespaced_deployment, name, namespace)


def label_selector_string(selector: Obj | None) -> str:
    """A LabelSelector as the `labelSelector` query string (`app=web,tier in (a,b),!legacy`)."""
    selector = selector or {}
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def _container(c: Obj) -> Obj:
    """Name, image, ports, resources and the NAMES of its env variables: never their values."""
    return {
        "name": c.get("name"),
        "image": c.get("image"),
        "ports": c.get("ports") or [],
        "resources": c.get("resources") or {},
        "env": [e.get("name") for e in c.get("env") or [] if e.get("name")],
    }


_condition = registry.condition  # workloads/details.py shares it


def deployment_detail(*, cluster: Cluster, deployment: Obj) -> Obj:
    """The list item plus selector, strategy, conditions, containers, annotations, resourceVersion and pods."""
    metadata, spec = deployment.get("metadata") or {}, deployment.get("spec") or {}
    selector = spec.get("selector") or {}
    pods: list[Obj] = []
    selector_string = label_selector_string(selector)
    if selector_string:  # an empty selector would match every pod of the namespace
        pods = pod_items(cluster, namespace=metadata.get("namespace"), label_selector=selector_string)
    return {
        **workload_item(KINDS["deployment"], deployment),
        "selector": selector,
        "strategy": spec.get("strategy") or {},
        "conditions": [_condition(c) for c in (deployment.get("status") or {}).get("conditions") or []],
        "containers": [_container(c) for c in _pod_spec(deployment).get("containers") or []],
        "annotations": visible_annotations(metadata),
        "resourceVersion": metadata.get("resourceVersion"),
        "pods": pods,
    }
