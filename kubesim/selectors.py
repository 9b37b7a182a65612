"""Label and field selectors, in their query-string and LabelSelector forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import bad_request

Requirement = tuple[str, str, tuple[str, ...]]  # key, op, values
_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s=!(),]+)")


def _tokens(s: str) -> list[str]:
    out, pos = [], 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            break
        if m.group(1):
            out.append(m.group(1))
        pos = m.end()
        if not s[pos:].strip():
            break
    return out


def parse_label_selector(s: str) -> list[Requirement]:
    """Parse `a=b,c!=d,e in (f,g),h notin (i),j,!k`."""
    toks = _tokens(s or "")
    reqs: list[Requirement] = []
    i = 0

    def fail() -> None:
        raise bad_request(f"unable to parse requirement: found '{' '.join(toks[i:i + 1])}', expected: identifier")

    while i < len(toks):
        if toks[i] == ",":
            i += 1
            continue
        if toks[i] == "!":
            if i + 1 >= len(toks):
                fail()
            reqs.append((toks[i + 1], "!", ()))
            i += 2
            continue
        key = toks[i]
        i += 1
        if i >= len(toks) or toks[i] == ",":
            reqs.append((key, "exists", ()))
            continue
        op = toks[i]
        i += 1
        if op in ("=", "==", "!="):
            val = ""
            if i < len(toks) and toks[i] != ",":
                val = toks[i]
                i += 1
            reqs.append((key, "!=" if op == "!=" else "=", (val,)))
        elif op in ("in", "notin"):
            if i >= len(toks) or toks[i] != "(":
                found = toks[i] if i < len(toks) else ""
                raise bad_request(f"unable to parse requirement: found '{found}', expected: '('")
            i += 1
            vals = []
            while i < len(toks) and toks[i] != ")":
                if toks[i] != ",":
                    vals.append(toks[i])
                i += 1
            i += 1
            reqs.append((key, op, tuple(vals)))
        else:
            raise bad_request(f"unable to parse requirement: found '{op}', expected: in, notin, =, ==, !=, gt, lt")
    return reqs


def match_requirements(reqs: list[Requirement], labels: dict[str, str] | None) -> bool:
    labels = labels or {}
    for key, op, vals in reqs:
        if op == "exists":
            if key not in labels:
                return False
        elif op == "!":
            if key in labels:
                return False
        elif op in ("=", "in"):
            if key not in labels or labels[key] not in vals:
                return False
        elif op in ("!=", "notin") and key in labels and labels[key] in vals:
            return False
    return True


def label_selector_requirements(sel: dict[str, Any] | None) -> list[Requirement]:
    """metav1.LabelSelector (matchLabels/matchExpressions) to requirements."""
    if not sel:
        return []
    reqs: list[Requirement] = [(k, "=", (v,)) for k, v in (sel.get("matchLabels") or {}).items()]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        vals = tuple(e.get("values") or ())
        if op == "In":
            reqs.append((e["key"], "in", vals))
        elif op == "NotIn":
            reqs.append((e["key"], "notin", vals))
        elif op == "Exists":
            reqs.append((e["key"], "exists", ()))
        elif op == "DoesNotExist":
            reqs.append((e["key"], "!", ()))
    return reqs


def selector_matches(sel: dict[str, Any] | None, labels: dict[str, str] | None) -> bool:
    """A LabelSelector; an empty selector matches everything (nil matches nothing)."""
    if sel is None:
        return False
    return match_requirements(label_selector_requirements(sel), labels)


def selector_string(sel: dict[str, Any] | None) -> str:
    """LabelSelector → the string form (as metav1.FormatLabelSelector)."""
    if not sel:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        if op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
        else:
            parts.append(f"{e['key']} {op.lower()} ({','.join(e.get('values') or [])})")
    return ",".join(parts)


# ---- field selectors -------------------------------------------------------------------

FIELDS: dict[str, dict[str, Callable[[dict[str, Any]], str]]] = {}


def _g(*path: str) -> Callable[[dict[str, Any]], str]:
    def get(o: dict[str, Any]) -> str:
        cur: Any = o
        for p in path:
            if not isinstance(cur, dict):
                return ""
            cur = cur.get(p)
        if cur is None:
            return ""
        if isinstance(cur, bool):
            return "true" if cur else "false"
        return str(cur)

    return get


_COMMON = {"metadata.name": _g("metadata", "name"), "metadata.namespace": _g("metadata", "namespace")}
FIELDS["pods"] = {
    **_COMMON,
    "spec.nodeName": _g("spec", "nodeName"),
    "spec.restartPolicy": _g("spec", "restartPolicy"),
    "spec.schedulerName": _g("spec", "schedulerName"),
    "spec.serviceAccountName": _g("spec", "serviceAccountName"),
    "spec.hostNetwork": lambda o: "true" if (o.get("spec") or {}).get("hostNetwork") else "false",
    "status.phase": _g("status", "phase"),
    "status.podIP": _g("status", "podIP"),
    "status.nominatedNodeName": _g("status", "nominatedNodeName"),
}
FIELDS["nodes"] = {**_COMMON, "spec.unschedulable":
                   lambda o: "true" if (o.get("spec") or {}).get("unschedulable") else "false"}
FIELDS["namespaces"] = {**_COMMON, "status.phase": _g("status", "phase")}
FIELDS["events"] = {
    **_COMMON,
    **{f"involvedObject.{f}": _g("involvedObject", f)
       for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
    "reason": _g("reason"),
    "reportingComponent": _g("reportingComponent"),
    "source": _g("source", "component"),
    "type": _g("type"),
}
# events.k8s.io/v1 names for the same fields of the stored (core) Event
FIELDS["events.v1.events.k8s.io"] = {
    **_COMMON,
    **{f"regarding.{f}": _g("involvedObject", f)
       for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
    "reason": _g("reason"),
    "reportingController": _g("reportingComponent"),
    "type": _g("type"),
}
FIELDS["secrets"] = {**_COMMON, "type": _g("type")}
FIELDS["services"] = {**_COMMON, "spec.clusterIP": _g("spec", "clusterIP"), "spec.type": _g("spec", "type")}
FIELDS["replicasets.apps"] = {**_COMMON, "status.replicas": _g("status", "replicas")}
FIELDS["jobs.batch"] = {**_COMMON, "status.successful": _g("status", "succeeded")}


def parse_field_selector(s: str, key: str) -> list[tuple[str, str, str]]:
    out = []
    supported = FIELDS.get(key, _COMMON)
    for part in filter(None, (p.strip() for p in (s or "").split(","))):
        if "!=" in part:
            f, v = part.split("!=", 1)
            op = "!="
        elif "==" in part:
            f, v = part.split("==", 1)
            op = "="
        elif "=" in part:
            f, v = part.split("=", 1)
            op = "="
        else:
            raise bad_request(f"invalid selector: '{s}'; can't understand '{part}'")
        f = f.strip()
        if f not in supported:
            raise bad_request(f"field label not supported: {f}")
        out.append((f, op, v.strip()))
    return out


def match_fields(reqs: list[tuple[str, str, str]], key: str, obj: dict[str, Any]) -> bool:
    getters = FIELDS.get(key, _COMMON)
    for f, op, v in reqs:
        actual = getters[f](obj)
        if (actual == v) != (op == "="):
            return False
    return True
