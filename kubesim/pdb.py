"""PodDisruptionBudget arithmetic (the disruption controller's view)."""

from __future__ import annotations

import math
from typing import Any

from . import clock
from .selectors import selector_matches
from .store import Store

Obj = dict[str, Any]


def matching_pdbs(store: Store, pod: Obj) -> list[Obj]:
    labels = pod["metadata"].get("labels") or {}
    out = []
    for pdb in store.refs("poddisruptionbudgets.policy", pod["metadata"]["namespace"]):
        sel = (pdb.get("spec") or {}).get("selector")
        if sel and selector_matches(sel, labels):
            out.append(pdb)
    return out


def _scaled(v: Any, total: int) -> int:
    if isinstance(v, str) and v.endswith("%"):
        return math.ceil(int(v[:-1]) * total / 100)
    return int(v)


def pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _expected_from_controllers(store: Store, pods: list[Obj]) -> int:
    """Sum of the scale of the controllers owning the pods (as the disruption controller finds it)."""
    seen: set[str] = set()
    total = 0
    for p in pods:
        for ref in p["metadata"].get("ownerReferences") or []:
            if not ref.get("controller") or ref["uid"] in seen:
                continue
            seen.add(ref["uid"])
            found = store.by_uid(ref["uid"])
            if found is None:
                continue
            key, owner = found
            if key == "replicasets.apps":
                dep_ref = next((r for r in owner["metadata"].get("ownerReferences") or []
                                if r.get("controller") and r.get("kind") == "Deployment"), None)
                dep = store.by_uid(dep_ref["uid"]) if dep_ref else None
                if dep is not None:
                    if dep_ref["uid"] not in seen:
                        seen.add(dep_ref["uid"])
                        total += (dep[1].get("spec") or {}).get("replicas", 0)
                    continue
            total += (owner.get("spec") or {}).get("replicas", 0)
    return total


def pdb_status(store: Store, pdb: Obj) -> Obj:
    spec = pdb.get("spec") or {}
    sel = spec.get("selector")
    pods = [p for p in store.refs("pods", pdb["metadata"]["namespace"])
            if sel and selector_matches(sel, p["metadata"].get("labels"))]
    healthy = sum(1 for p in pods if pod_ready(p) and not p["metadata"].get("deletionTimestamp"))
    min_av, max_un = spec.get("minAvailable"), spec.get("maxUnavailable")
    if max_un is not None or (isinstance(min_av, str) and min_av.endswith("%")):
        expected = _expected_from_controllers(store, pods) or len(pods)
    else:
        expected = len(pods)
    if max_un is not None:
        desired = max(0, expected - _scaled(max_un, expected))
    elif min_av is not None:
        desired = _scaled(min_av, expected)
    else:
        desired = expected
    allowed = max(0, healthy - desired)
    old = pdb.get("status") or {}
    cond_ok = allowed > 0
    prev_cond = next((c for c in old.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None)
    cond = {
        "type": "DisruptionAllowed",
        "status": "True" if cond_ok else "False",
        "reason": "SufficientPods" if cond_ok else "InsufficientPods",
        "message": "",
        "observedGeneration": pdb["metadata"].get("generation", 1),
        "lastTransitionTime": (prev_cond or {}).get("lastTransitionTime") if prev_cond and
        prev_cond.get("status") == ("True" if cond_ok else "False") else None,
    }
    if cond["lastTransitionTime"] is None:
        cond["lastTransitionTime"] = clock.iso()
    status: Obj = {
        "observedGeneration": pdb["metadata"].get("generation", 1),
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "conditions": [cond],
    }
    if old.get("disruptedPods"):
        names = {p["metadata"]["name"] for p in pods if not p["metadata"].get("deletionTimestamp")}
        dp = {k: v for k, v in old["disruptedPods"].items() if k in names}
        if dp:
            status["disruptedPods"] = dp
    return status
