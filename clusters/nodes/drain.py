"""`kubectl drain`, as a service: cordon, decide per pod, evict through the Eviction API, wait for the pods to go.

Per pod, in kubectl's order (k8s.io/kubectl/pkg/drain/filters.go), the first rule that applies decides:
already terminated → skipped; mirror (static) pod → skipped; DaemonSet pod → skipped with
`ignoreDaemonSets`, else refused (an orphan whose DaemonSet is gone is evicted only with `force`);
emptyDir → refused unless `deleteEmptyDirData`; no controller → refused unless `force`; else evicted.
Like kubectl, if any pod is refused nothing is evicted (the node stays cordoned) and the refused pods are
reported in `failed`. Evictions run in parallel; one refused by a PodDisruptionBudget (429) is retried
until the timeout, and its reason carries the budget's message.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from clusters.models import Cluster
from clusters.nodes import selectors, services, shapes
from common.errors import AppError, NotFound, TooManyRequests
from kube import gateway
from kube.errors import cluster_reason

logger = logging.getLogger(__name__)

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
BLOCKED_BY_OTHERS = "not evicted: the drain stopped because other pods on the node cannot be evicted (see failed)"


@dataclass(frozen=True)
class DrainOptions:
    grace_period_seconds: int | None = None
    timeout_seconds: int = 60
    ignore_daemonsets: bool = True
    delete_emptydir_data: bool = False
    force: bool = False
    dry_run: bool = False


@dataclass
class _Verdict:
    pod: dict[str, Any]
    action: str  # "evict" | "skip" | "fail"
    reason: str = ""

    def ref(self, reason: str | None = None) -> dict[str, Any]:
        namespace, name = shapes.pod_key(self.pod)
        out: dict[str, Any] = {"namespace": namespace, "name": name}
        if reason is not None:
            out["reason"] = reason
        return out


def drain_node(*, cluster: Cluster, name: str, options: DrainOptions) -> dict[str, list[dict[str, Any]]]:
    """Drain the node; `dry_run` decides the same way and changes nothing (not even the cordon)."""
    deadline = time.monotonic() + options.timeout_seconds
    node = selectors.raw_node(cluster=cluster, name=name)  # an unknown node is a 404 before anything changes
    if not options.dry_run and not (node.get("spec") or {}).get("unschedulable"):
        services.cordon(cluster=cluster, name=name)
    pods = sorted(selectors.pods_on_node(cluster=cluster, node_name=name), key=shapes.pod_key)
    verdicts = decide(cluster=cluster, pods=pods, options=options)

    skipped = [v.ref(v.reason) for v in verdicts if v.action == "skip"]
    failed = [v.ref(v.reason) for v in verdicts if v.action == "fail"]
    to_evict = [v for v in verdicts if v.action == "evict"]
    evicted: list[dict[str, Any]] = []
    if failed:
        skipped += [v.ref(BLOCKED_BY_OTHERS) for v in to_evict]
    elif options.dry_run:
        evicted = [v.ref() for v in to_evict]
    elif to_evict:
        api = gateway.core_v1(cluster)
        workers = max(1, min(settings.DRAIN_MAX_PARALLEL, len(to_evict)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drain") as pool:
            outcomes = list(pool.map(lambda v: _evict_and_wait(cluster, api, v.pod, options, deadline), to_evict))
        for verdict, reason in zip(to_evict, outcomes, strict=True):
            if reason is None:
                evicted.append(verdict.ref())
            else:
                failed.append(verdict.ref(reason))
    logger.info("Drain of node %s in cluster '%s'%s: %d evicted, %d skipped, %d failed", name, cluster.name,
                " (dry run)" if options.dry_run else "", len(evicted), len(skipped), len(failed))
    return {"evicted": _sorted(evicted), "skipped": _sorted(skipped), "failed": _sorted(failed)}


def _q(segment: str) -> str:
    return quote(segment, safe="")


def _sorted(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(refs, key=lambda ref: (ref["namespace"], ref["name"]))


def _controller(pod: dict[str, Any]) -> dict[str, Any] | None:
    refs = (pod.get("metadata") or {}).get("ownerReferences") or []
    return next((ref for ref in refs if ref.get("controller")), None)


def _has_empty_dir(pod: dict[str, Any]) -> bool:
    return any("emptyDir" in (volume or {}) for volume in (pod.get("spec") or {}).get("volumes") or [])


def decide(*, cluster: Cluster, pods: list[dict[str, Any]], options: DrainOptions) -> list[_Verdict]:
    """What to do with each pod, and why (see the module docstring for the rules)."""
    daemonsets: dict[tuple[str, str], str | None] = {}  # (namespace, name) -> None if it exists, else why not
    verdicts = []
    for pod in pods:
        meta = pod.get("metadata") or {}
        phase = (pod.get("status") or {}).get("phase")
        controller = _controller(pod)
        if phase in shapes.TERMINAL_PHASES:
            verdicts.append(_Verdict(pod, "skip", f"pod has already terminated ({phase})"))
        elif MIRROR_ANNOTATION in (meta.get("annotations") or {}):
            verdicts.append(_Verdict(pod, "skip", "mirror pod (a static pod managed by the kubelet)"))
        elif controller and controller.get("kind") == "DaemonSet":
            key = (meta.get("namespace") or "", controller.get("name") or "")
            if key not in daemonsets:
                daemonsets[key] = _daemonset_missing(cluster, *key)
            verdicts.append(_daemonset_verdict(pod, key[1], daemonsets[key], options))
        elif _has_empty_dir(pod) and not options.delete_emptydir_data:
            verdicts.append(_Verdict(pod, "fail", "pod has emptyDir local storage (set deleteEmptyDirData "
                                                  "to delete it)"))
        elif controller is None and not options.force:
            verdicts.append(_Verdict(pod, "fail", "pod declares no controller (set force to delete it)"))
        else:
            verdicts.append(_Verdict(pod, "evict"))
    return verdicts


def _daemonset_missing(cluster: Cluster, namespace: str, name: str) -> str | None:
    try:
        gateway.get_json(cluster, f"/apis/apps/v1/namespaces/{_q(namespace)}/daemonsets/{_q(name)}")
    except NotFound:
        return "not found"
    except AppError as exc:
        return exc.message
    return None


def _daemonset_verdict(pod: dict[str, Any], ds_name: str, missing: str | None, options: DrainOptions) -> _Verdict:
    if missing == "not found":
        if options.force:
            return _Verdict(pod, "evict")
        return _Verdict(pod, "fail", f"its DaemonSet {ds_name} no longer exists (set force to delete it)")
    if missing is not None:
        return _Verdict(pod, "fail", f"cannot check its DaemonSet {ds_name}: {missing}")
    if options.ignore_daemonsets:
        return _Verdict(pod, "skip", f"DaemonSet-managed pod ({ds_name}), ignored")
    return _Verdict(pod, "fail", f"DaemonSet-managed pod ({ds_name}); set ignoreDaemonSets to ignore it")


def _evict_and_wait(cluster: Cluster, api: Any, pod: dict[str, Any], options: DrainOptions,
                    deadline: float) -> str | None:
    """None once the pod is gone (or replaced by a new one of the same name), else why it failed."""
    meta = pod["metadata"]
    namespace, name, uid = meta.get("namespace"), meta.get("name"), meta.get("uid")
    body: dict[str, Any] = {"apiVersion": "policy/v1", "kind": "Eviction",
                            "metadata": {"name": name, "namespace": namespace}}
    if options.grace_period_seconds is not None:
        body["deleteOptions"] = {"gracePeriodSeconds": options.grace_period_seconds}
    refusals = 0
    while True:
        try:
            api.create_namespaced_pod_eviction(name, namespace, body=body)
            break
        except NotFound:
            return None  # already gone
        except TooManyRequests as exc:
            refusals += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return (f"eviction refused {refusals} time(s) until the {options.timeout_seconds}s timeout: "
                        f"{cluster_reason(exc)}")
            time.sleep(min(settings.DRAIN_RETRY_INTERVAL, remaining))  # the last try is at the deadline
        except AppError as exc:
            return f"eviction failed: {exc.message}"
    while True:
        try:
            current = gateway.get_json(cluster, f"/api/v1/namespaces/{_q(namespace)}/pods/{_q(name)}")
        except NotFound:
            return None
        except AppError as exc:
            return f"evicted, but checking that it is gone failed: {exc.message}"
        if uid and (current.get("metadata") or {}).get("uid") != uid:
            return None
        if time.monotonic() >= deadline:
            return f"evicted, but still present after the {options.timeout_seconds}s timeout"
        time.sleep(min(settings.DRAIN_POLL_INTERVAL, max(0.05, deadline - time.monotonic())))
