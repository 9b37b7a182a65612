"""Garbage collector, namespace lifecycle, node lifecycle (taints) and disruption-budget status."""

from __future__ import annotations

import contextlib
import copy
from typing import TYPE_CHECKING, Any

from . import clock
from .errors import ApiError
from .nodes import node_ready
from .pdb import pdb_status
from .resources import BY_KEY, RESOURCES

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
DEPENDENT_KINDS = ("pods", "replicasets.apps", "jobs.batch", "deployments.apps", "statefulsets.apps",
                   "daemonsets.apps", "cronjobs.batch", "poddisruptionbudgets.policy", "controllerrevisions.apps",
                   "endpointslices.discovery.k8s.io")


class GarbageCollector:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self) -> None:
        store = self.cluster.store
        dependents: dict[str, list[tuple[str, Obj]]] = {}
        for key in DEPENDENT_KINDS:
            for o in store.refs(key):
                for ref in o["metadata"].get("ownerReferences") or []:
                    dependents.setdefault(ref["uid"], []).append((key, o))
        for uid, deps in dependents.items():
            found = store.by_uid(uid)
            owner = found[1] if found else None
            if owner is not None and (owner["metadata"].get("deletionTimestamp") is None or
                                      not owner["metadata"].get("finalizers")):
                continue
            fins = owner["metadata"].get("finalizers") or [] if owner else []
            for key, o in deps:
                if owner is not None and "orphan" in fins:
                    self._drop_ref(key, o, uid)
                elif owner is not None and "foregroundDeletion" not in fins:
                    continue
                elif owner is None:
                    others = [r for r in o["metadata"].get("ownerReferences") or [] if r["uid"] != uid
                              and store.by_uid(r["uid"]) is not None]
                    if others:
                        self._drop_ref(key, o, uid)
                    elif not o["metadata"].get("deletionTimestamp"):
                        self._delete(key, o, "Background")
                elif not o["metadata"].get("deletionTimestamp"):
                    self._delete(key, o, "Foreground")
        # pod GC: pods bound to a node that no longer exists are force-deleted
        nodes = {n["metadata"]["name"] for n in store.refs("nodes")}
        for p in store.refs("pods"):
            node = p["spec"].get("nodeName")
            if node and node not in nodes:
                with contextlib.suppress(ApiError):
                    self.cluster.delete(BY_KEY["pods"], p["metadata"]["namespace"], p["metadata"]["name"],
                                        {"gracePeriodSeconds": 0})
        # owners waiting on finalizers
        for key in DEPENDENT_KINDS:
            for o in store.refs(key):
                md = o["metadata"]
                fins = md.get("finalizers") or []
                if not md.get("deletionTimestamp") or not ({"orphan", "foregroundDeletion"} & set(fins)):
                    continue
                remaining = [d for d in dependents.get(md["uid"], [])
                             if store.ref(d[0], d[1]["metadata"].get("namespace", ""), d[1]["metadata"]["name"])
                             is not None]
                if "orphan" in fins or not remaining:
                    self._remove_finalizer(key, o, "orphan" if "orphan" in fins else "foregroundDeletion")

    def _delete(self, key: str, o: Obj, policy: str) -> None:
        md = o["metadata"]
        with contextlib.suppress(ApiError):
            self.cluster.delete(BY_KEY[key], md.get("namespace", ""), md["name"], {"propagationPolicy": policy})

    def _drop_ref(self, key: str, o: Obj, uid: str) -> None:
        def fn(x: Obj) -> Obj:
            refs = [r for r in x["metadata"].get("ownerReferences") or [] if r["uid"] != uid]
            if refs:
                x["metadata"]["ownerReferences"] = refs
            else:
                x["metadata"].pop("ownerReferences", None)
            return x
        self.cluster.store.mutate(key, o["metadata"].get("namespace", ""), o["metadata"]["name"], fn)

    def _remove_finalizer(self, key: str, o: Obj, fin: str) -> None:
        def fn(x: Obj) -> Obj:
            fins = [f for f in x["metadata"].get("finalizers") or [] if f != fin]
            if fins:
                x["metadata"]["finalizers"] = fins
            else:
                x["metadata"].pop("finalizers", None)
            return x
        self.cluster.store.mutate(key, o["metadata"].get("namespace", ""), o["metadata"]["name"], fn)


class Namespaces:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self) -> None:
        store = self.cluster.store
        for ns in store.refs("namespaces"):
            if not ns["metadata"].get("deletionTimestamp"):
                continue
            name = ns["metadata"]["name"]
            left = 0
            for r in RESOURCES:
                if not r.namespaced or r.storage:
                    continue
                for o in store.refs(r.key, name):
                    left += 1
                    if not o["metadata"].get("deletionTimestamp"):
                        with contextlib.suppress(ApiError):
                            self.cluster.delete(r, name, o["metadata"]["name"], {"propagationPolicy": "Background"})
            if left == 0 and not ns["metadata"].get("finalizers"):
                store.remove("namespaces", "", name)


class NodeLifecycle:
    """Keeps the taints that mirror node conditions and cordons (TaintNodesByCondition)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    HEARTBEAT_SECONDS = 60.0

    def step(self) -> None:
        now = clock.now()
        for node in self.cluster.store.refs("nodes"):
            if node_ready(node) and any(now - (clock.parse(c.get("lastHeartbeatTime")) or 0) > self.HEARTBEAT_SECONDS
                                        for c in (node.get("status") or {}).get("conditions") or []):
                self._heartbeat(node)
            want = []
            if (node.get("spec") or {}).get("unschedulable"):
                want.append(("node.kubernetes.io/unschedulable", "NoSchedule"))
            if not node_ready(node):
                key = "node.kubernetes.io/unreachable" if _ready_status(node) == "Unknown" else \
                    "node.kubernetes.io/not-ready"
                want += [(key, "NoSchedule"), (key, "NoExecute")]
            managed = {"node.kubernetes.io/unschedulable", "node.kubernetes.io/not-ready",
                       "node.kubernetes.io/unreachable"}
            taints = (node.get("spec") or {}).get("taints") or []
            have = {(t["key"], t.get("effect")) for t in taints if t.get("key") in managed}
            if have == set(want):
                continue

            def fn(n: Obj, want: list[tuple[str, str]] = want, managed: set[str] = managed) -> Obj:
                kept = [t for t in (n.get("spec") or {}).get("taints") or [] if t.get("key") not in managed
                        or (t["key"], t.get("effect")) in want]
                present = {(t["key"], t.get("effect")) for t in kept}
                for k, e in want:
                    if (k, e) not in present:
                        t = {"key": k, "effect": e}
                        if e == "NoExecute" or k.endswith("unschedulable"):
                            t["timeAdded"] = clock.iso()
                        kept.append(t)
                spec = n.setdefault("spec", {})
                if kept:
                    spec["taints"] = kept
                else:
                    spec.pop("taints", None)
                return n
            self.cluster.store.mutate("nodes", "", node["metadata"]["name"], fn)


    def _heartbeat(self, node: Obj) -> None:
        """The kubelet reports node status periodically (nodeStatusReportFrequency)."""
        def fn(n: Obj) -> Obj:
            stamp = clock.iso()
            for c in (n.get("status") or {}).get("conditions") or []:
                c["lastHeartbeatTime"] = stamp
            return n
        self.cluster.store.mutate("nodes", "", node["metadata"]["name"], fn)


class Disruption:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self) -> None:
        for pdb in self.cluster.store.refs("poddisruptionbudgets.policy"):
            status = pdb_status(self.cluster.store, pdb)
            old = pdb.get("status") or {}
            if _cmp(old) == _cmp(status):
                continue

            def fn(p: Obj, status: Obj = status) -> Obj:
                p["status"] = copy.deepcopy(status)
                return p
            self.cluster.store.mutate("poddisruptionbudgets.policy", pdb["metadata"]["namespace"],
                                      pdb["metadata"]["name"], fn)


def _ready_status(node: Obj) -> str:
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status", "Unknown")
    return "Unknown"


def _cmp(s: Obj) -> Obj:
    out = {k: v for k, v in s.items() if k != "conditions"}
    out["c"] = [(c.get("type"), c.get("status"), c.get("reason")) for c in s.get("conditions") or []]
    return out
