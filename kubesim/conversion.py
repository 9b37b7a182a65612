"""Resources served from another resource's objects: events.k8s.io/v1 Events and autoscaling/v1 HPAs.

events.k8s.io/v1 Events are the core v1 Events, converted on the way in and out.

The API server stores one Event type and serves it in both shapes: core `involvedObject / message /
source / firstTimestamp / lastTimestamp / count / reportingComponent` are events.k8s.io `regarding /
note / deprecatedSource / deprecatedFirstTimestamp / deprecatedLastTimestamp / deprecatedCount /
reportingController`. kubesim stores the core shape; this module maps between the two.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

# events.k8s.io field → core field, for values that only differ by name
_RENAMED = (("regarding", "involvedObject"), ("note", "message"), ("reportingController", "reportingComponent"),
            ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
            ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"))
_SAME = ("reason", "type", "action", "related", "series", "reportingInstance")


def event_to_v1(core: Obj) -> Obj:
    """A core v1 Event as events.k8s.io/v1 serialises it (omitempty fields left out)."""
    out: Obj = {"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": core.get("metadata", {}),
                "eventTime": core.get("eventTime")}
    for f in _SAME:
        if core.get(f):
            out[f] = core[f]
    for new, old in _RENAMED:
        v = core.get(old)
        if v:
            out[new] = v
    return out


def event_from_v1(ev: Obj) -> Obj:
    """An events.k8s.io/v1 Event in the stored (core v1) shape, as the core API serialises it."""
    core: Obj = {"kind": "Event", "apiVersion": "v1", "metadata": ev.get("metadata") or {},
                 "involvedObject": ev.get("regarding") or {}, "reason": ev.get("reason", ""),
                 "message": ev.get("note", ""), "source": ev.get("deprecatedSource") or {},
                 "firstTimestamp": ev.get("deprecatedFirstTimestamp"),
                 "lastTimestamp": ev.get("deprecatedLastTimestamp"),
                 "type": ev.get("type", ""), "eventTime": ev.get("eventTime"),
                 "reportingComponent": ev.get("reportingController", ""),
                 "reportingInstance": ev.get("reportingInstance", "")}
    if ev.get("deprecatedCount"):
        core["count"] = ev["deprecatedCount"]
    for f in ("action", "related", "series"):
        if ev.get(f):
            core[f] = ev[f]
    return core


def _cpu_target(spec: Obj) -> int | None:
    for m in spec.get("metrics") or []:
        r = m.get("resource") or {}
        t = r.get("target") or {}
        if m.get("type") == "Resource" and r.get("name") == "cpu" and t.get("type") == "Utilization":
            return t.get("averageUtilization")
    return None


def hpa_to_v1(hpa: Obj) -> Obj:
    """An autoscaling/v2 HPA as autoscaling/v1 shows it (CPU utilization only)."""
    spec, st = hpa.get("spec") or {}, hpa.get("status") or {}
    v1spec: Obj = {"scaleTargetRef": spec.get("scaleTargetRef") or {}}
    if spec.get("minReplicas") is not None:
        v1spec["minReplicas"] = spec["minReplicas"]
    v1spec["maxReplicas"] = spec.get("maxReplicas", 0)
    cpu = _cpu_target(spec)
    if cpu is not None:
        v1spec["targetCPUUtilizationPercentage"] = cpu
    v1st: Obj = {}
    for f in ("observedGeneration", "lastScaleTime"):
        if st.get(f) is not None:
            v1st[f] = st[f]
    v1st["currentReplicas"] = st.get("currentReplicas", 0)
    v1st["desiredReplicas"] = st.get("desiredReplicas", 0)
    for m in st.get("currentMetrics") or []:
        r = m.get("resource") or {}
        if m.get("type") == "Resource" and r.get("name") == "cpu" and \
                (r.get("current") or {}).get("averageUtilization") is not None:
            v1st["currentCPUUtilizationPercentage"] = r["current"]["averageUtilization"]
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": hpa.get("metadata", {}),
            "spec": v1spec, "status": v1st}


def hpa_from_v1(hpa: Obj) -> Obj:
    spec = hpa.get("spec") or {}
    v2spec: Obj = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if spec.get("targetCPUUtilizationPercentage") is not None:
        v2spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}}]
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2", "metadata": hpa.get("metadata") or {},
            "spec": v2spec}


def to_version(key: str, obj: Obj) -> Obj:
    """A stored object in the shape of the resource `key` serves."""
    if key == "events.v1.events.k8s.io":
        return event_to_v1(obj)
    if key == "horizontalpodautoscalers.v1.autoscaling":
        return hpa_to_v1(obj)
    return obj


def from_version(key: str, obj: Obj) -> Obj:
    """An object sent in the shape of resource `key`, in its storage resource's shape."""
    if key == "events.v1.events.k8s.io":
        return event_from_v1(obj)
    if key == "horizontalpodautoscalers.v1.autoscaling":
        return hpa_from_v1(obj)
    return obj
