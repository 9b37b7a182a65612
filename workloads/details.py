"""Reads of one StatefulSet, DaemonSet, Job or CronJob: the list item plus what an operator checks next.

Each detail has the Deployment detail's common part (conditions, containers with env names only,
annotations, resourceVersion, pods) and the kind's own fields. Pods are the ones the workload controls
(its selector, then the controller ownerReference: another workload's selector may overlap); a CronJob's
are the pods of the Jobs it controls.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clusters.models import Cluster
from kube import cache, gateway, registry
from kube.objects import missing_as
from kube.raw import read_json
from kube.times import rfc3339
from pods.selectors import pod_item, raw_pods, visible_annotations
from workloads.selectors import (
    KINDS,
    WorkloadKind,
    _condition,
    _container,
    _pod_spec,
    label_selector_string,
    list_kind_directly,
    workload_item,
)

Obj = dict[str, Any]


@dataclass(frozen=True)
class ActionKind:
    """A workload kind we read, change and delete one object of; its API class and client method names come from
    its registry entry (kube/registry.py)."""

    key: str                       # "statefulset": the key of workloads.selectors.KINDS
    plural: str                    # "statefulsets": the registry kind
    scalable: bool = False         # has a scale subresource

    @property
    def registered(self) -> registry.Kind:
        return registry.get(self.plural)

    @property
    def kind(self) -> str:
        return self.registered.kind

    def api(self, cluster: Cluster) -> Any:
        return gateway.api_for(cluster, self.registered.api)

    @property
    def read(self) -> str:
        return self.registered.method_name("read")

    @property
    def patch(self) -> str:
        return self.registered.method_name("patch")

    @property
    def delete(self) -> str:
        return self.registered.method_name("delete")

    @property
    def patch_scale(self) -> str | None:
        return self.patch + "_scale" if self.scalable else None

    @property
    def listed(self) -> WorkloadKind:
        return KINDS[self.key]


STATEFULSET = ActionKind("statefulset", "statefulsets", scalable=True)
DAEMONSET = ActionKind("daemonset", "daemonsets")
JOB = ActionKind("job", "jobs")
CRONJOB = ActionKind("cronjob", "cronjobs")
DEPLOYMENT = ActionKind("deployment", "deployments", scalable=True)


def workload_get(*, cluster: Cluster, kind: ActionKind, namespace: str, name: str) -> Obj:
    """The object as the API server sent it; 404 naming the namespace or the object."""
    with missing_as(cluster, kind.kind, namespace, name):
        return read_json(cluster, getattr(kind.api(cluster), kind.read), name, namespace)


def _controlled_by(obj: Obj, uids: set[str]) -> bool:
    return any(ref.get("controller") and ref.get("uid") in uids
               for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


def _pods_of(cluster: Cluster, owner: Obj) -> list[Obj]:
    """Pod list items of the pods `owner` controls, by name."""
    metadata = owner.get("metadata") or {}
    selector = label_selector_string((owner.get("spec") or {}).get("selector"))
    if not selector:  # an empty selector would match every pod of the namespace
        return []
    raw = raw_pods(cluster, namespace=metadata.get("namespace"), label_selector=selector)
    uid = {metadata.get("uid")}
    return sorted((pod_item(p) for p in raw if _controlled_by(p, uid)), key=lambda p: p["name"] or "")


def _common(kind: ActionKind, obj: Obj, pods: list[Obj]) -> Obj:
    metadata = obj.get("metadata") or {}
    return {
        **workload_item(kind.listed, obj),
        "conditions": [_condition(c) for c in (obj.get("status") or {}).get("conditions") or []],
        "containers": [_container(c) for c in _pod_spec(obj).get("containers") or []],
        "annotations": visible_annotations(metadata),
        "resourceVersion": metadata.get("resourceVersion"),
        "pods": pods,
    }


def statefulset_detail(*, cluster: Cluster, obj: Obj) -> Obj:
    """Common part + selector, update strategy, service name, pod management policy and the two revisions."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        **_common(STATEFULSET, obj, _pods_of(cluster, obj)),
        "selector": spec.get("selector") or {},
        "strategy": spec.get("updateStrategy") or {},
        "serviceName": spec.get("serviceName"),
        "podManagementPolicy": spec.get("podManagementPolicy"),
        "currentRevision": status.get("currentRevision"),
        "updateRevision": status.get("updateRevision"),
    }


def daemonset_detail(*, cluster: Cluster, obj: Obj) -> Obj:
    """Common part + selector, update strategy, the pods' node selector and how many are up to date."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        **_common(DAEMONSET, obj, _pods_of(cluster, obj)),
        "selector": spec.get("selector") or {},
        "strategy": spec.get("updateStrategy") or {},
        "nodeSelector": _pod_spec(obj).get("nodeSelector") or {},
        "updatedNumberScheduled": int(status.get("updatedNumberScheduled") or 0),
    }


def _owner_cronjob(obj: Obj) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == "CronJob":
            return ref.get("name")
    return None


def job_detail(*, cluster: Cluster, obj: Obj) -> Obj:
    """Common part + selector, completions, parallelism, backoff limit, suspend, pod counts, times, CronJob."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        **_common(JOB, obj, _pods_of(cluster, obj)),
        "selector": spec.get("selector") or {},
        "completions": spec.get("completions"),
        "parallelism": spec.get("parallelism"),
        "backoffLimit": spec.get("backoffLimit"),
        "suspend": bool(spec.get("suspend")),
        "active": int(status.get("active") or 0),
        "succeeded": int(status.get("succeeded") or 0),
        "failed": int(status.get("failed") or 0),
        "startTime": rfc3339(status.get("startTime")),
        "completionTime": rfc3339(status.get("completionTime")),
        "cronJob": _owner_cronjob(obj),
    }


def owned_jobs(*, cluster: Cluster, cronjob: Obj) -> list[Obj]:
    """The Jobs the CronJob controls (raw, read-only), oldest first."""
    metadata = cronjob.get("metadata") or {}
    namespace, uid = metadata.get("namespace"), {metadata.get("uid")}
    jobs = cache.list_objects(cluster, "jobs", namespace=namespace,
                              fallback=lambda: list_kind_directly(cluster, KINDS["job"], namespace))
    owned = [j for j in jobs if _controlled_by(j, uid)]
    owned.sort(key=lambda j: ((j.get("metadata") or {}).get("creationTimestamp") or "",
                              (j.get("metadata") or {}).get("name") or ""))
    return owned


def cronjob_detail(*, cluster: Cluster, obj: Obj) -> Obj:
    """Common part (pods: those of its Jobs) + schedule, suspend, concurrency, last times and its Jobs."""
    metadata, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    jobs = owned_jobs(cluster=cluster, cronjob=obj)
    job_uids = {(j.get("metadata") or {}).get("uid") for j in jobs}
    pods = sorted((pod_item(p) for p in raw_pods(cluster, namespace=metadata.get("namespace"))
                   if job_uids and _controlled_by(p, job_uids)), key=lambda p: p["name"] or "")
    return {
        **_common(CRONJOB, obj, pods),
        "schedule": spec.get("schedule"),
        "timeZone": spec.get("timeZone"),
        "suspend": bool(spec.get("suspend")),
        "concurrencyPolicy": spec.get("concurrencyPolicy") or "Allow",
        "lastScheduleTime": rfc3339(status.get("lastScheduleTime")),
        "lastSuccessfulTime": rfc3339(status.get("lastSuccessfulTime")),
        "jobs": [workload_item(KINDS["job"], j) for j in jobs],
    }


DETAILS: dict[str, Callable[..., Obj]] = {"statefulset": statefulset_detail, "daemonset": daemonset_detail,
                                          "job": job_detail, "cronjob": cronjob_detail}


def detail(*, cluster: Cluster, kind: ActionKind, namespace: str, name: str) -> Obj:
    """The detail of one StatefulSet, DaemonSet, Job or CronJob."""
    obj = workload_get(cluster=cluster, kind=kind, namespace=namespace, name=name)
    return DETAILS[kind.key](cluster=cluster, obj=obj)
