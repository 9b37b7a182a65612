"""Node predicates: readiness, taints and tolerations, selectors and affinity."""

from __future__ import annotations

from typing import Any

from .selectors import match_requirements

Obj = dict[str, Any]


def node_ready(node: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    for t in tolerations or []:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        op = t.get("operator", "Equal")
        if op == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def untolerated(node: Obj, tolerations: list[Obj],
                effects: tuple[str, ...] = ("NoSchedule", "NoExecute")) -> Obj | None:
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None


def _term_matches(term: Obj, node: Obj) -> bool:
    labels = node["metadata"].get("labels") or {}
    for e in term.get("matchExpressions") or []:
        if not _expr(e, labels.get(e["key"]), e["key"] in labels):
            return False
    for e in term.get("matchFields") or []:
        val = node["metadata"]["name"] if e.get("key") == "metadata.name" else None
        if not _expr(e, val, val is not None):
            return False
    return True


def _expr(e: Obj, value: str | None, present: bool) -> bool:
    op, vals = e.get("operator"), e.get("values") or []
    if op == "In":
        return present and value in vals
    if op == "NotIn":
        return not present or value not in vals
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and value is not None and vals:
        try:
            return int(value) > int(vals[0]) if op == "Gt" else int(value) < int(vals[0])
        except ValueError:
            return False
    return False


def selector_and_affinity_match(spec: Obj, node: Obj) -> bool:
    labels = node["metadata"].get("labels") or {}
    ns = spec.get("nodeSelector") or {}
    if ns and not match_requirements([(k, "=", (v,)) for k, v in ns.items()], labels):
        return False
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = req.get("nodeSelectorTerms") or []
    return not terms or any(_term_matches(t, node) for t in terms)
