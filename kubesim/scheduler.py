"""default-scheduler: binds pending pods to nodes that fit (taints, cordons, selectors, pod capacity)."""

from __future__ import annotations

import copy
from collections import Counter
from typing import TYPE_CHECKING, Any

from . import clock
from .nodes import selector_and_affinity_match, untolerated

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"


def _set_condition(status: Obj, cond: Obj) -> None:
    conds = status.setdefault("conditions", [])
    for i, c in enumerate(conds):
        if c.get("type") == cond["type"]:
            if c.get("status") == cond.get("status"):
                cond["lastTransitionTime"] = c.get("lastTransitionTime") or cond.get("lastTransitionTime")
            conds[i] = {**c, **cond}
            return
    conds.append(cond)


def _capacity(node: Obj) -> int:
    try:
        return int(((node.get("status") or {}).get("allocatable") or {}).get("pods", "110"))
    except ValueError:
        return 110


class Scheduler:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._reported: dict[str, tuple[str, float]] = {}

    def forget(self, live_uids: set[str]) -> None:
        self._reported = {u: v for u, v in self._reported.items() if u in live_uids}

    def step(self) -> None:
        store = self.cluster.store
        pending = [p for p in store.refs("pods")
                   if not p["spec"].get("nodeName") and not p["metadata"].get("deletionTimestamp")
                   and p["spec"].get("schedulerName", "default-scheduler") == "default-scheduler"
                   and (p.get("status") or {}).get("phase", "Pending") == "Pending"]
        if not pending:
            return
        nodes = store.refs("nodes")
        load: Counter[str] = Counter(p["spec"]["nodeName"] for p in store.refs("pods")
                                     if p["spec"].get("nodeName"))
        for pod in pending:
            self._schedule(pod, nodes, load)

    def _schedule(self, pod: Obj, nodes: list[Obj], load: Counter[str]) -> None:
        spec = pod["spec"]
        tols = spec.get("tolerations") or []
        reasons: Counter[str] = Counter()
        fits = []
        for node in nodes:
            taint = untolerated(node, tols)
            if (node.get("spec") or {}).get("unschedulable") and not any(
                    t.get("key") == UNSCHEDULABLE_TAINT or (t.get("operator") == "Exists" and not t.get("key"))
                    for t in tols):
                reasons["node(s) were unschedulable"] += 1
            elif taint is not None:
                reasons[f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"] += 1
            elif not selector_and_affinity_match(spec, node):
                reasons["node(s) didn't match Pod's node affinity/selector"] += 1
            elif load[node["metadata"]["name"]] >= _capacity(node):
                reasons["Too many pods"] += 1
            else:
                fits.append(node)
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        if not fits:
            n = len(nodes)
            detail = ", ".join(f"{c} {r}" for r, c in sorted(reasons.items()))
            msg = (f"0/{n} nodes are available: {detail}. preemption: 0/{n} nodes are available: "
                   f"{n} Preemption is not helpful for scheduling.") if n else "no nodes available to schedule pods"
            last = self._reported.get(pod["metadata"]["uid"])
            if last and last[0] == msg and clock.now() - last[1] < 30:
                return
            self._reported[pod["metadata"]["uid"]] = (msg, clock.now())

            def unsched(p: Obj) -> Obj:
                _set_condition(p.setdefault("status", {}), {
                    "type": "PodScheduled", "status": "False", "lastProbeTime": None,
                    "lastTransitionTime": clock.iso(), "reason": "Unschedulable", "message": msg})
                return p
            self.cluster.store.mutate("pods", ns, name, unsched)
            self.cluster.event(pod, "Warning", "FailedScheduling", msg, component="default-scheduler")
            return
        best = min(fits, key=lambda nd: (load[nd["metadata"]["name"]], nd["metadata"]["name"]))
        node_name = best["metadata"]["name"]
        load[node_name] += 1
        self._reported.pop(pod["metadata"]["uid"], None)

        def bind(p: Obj) -> Obj | None:
            if p["spec"].get("nodeName"):
                return None
            p = copy.deepcopy(p)
            p["spec"]["nodeName"] = node_name
            _set_condition(p.setdefault("status", {}), {
                "type": "PodScheduled", "status": "True", "lastProbeTime": None,
                "lastTransitionTime": clock.iso()})
            for c in p["status"]["conditions"]:
                if c["type"] == "PodScheduled":
                    c.pop("reason", None)
                    c.pop("message", None)
            return p
        bound = self.cluster.store.mutate("pods", ns, name, bind)
        if bound is not None:
            self.cluster.event(bound, "Normal", "Scheduled", f"Successfully assigned {ns}/{name} to {node_name}",
                               component="default-scheduler")
