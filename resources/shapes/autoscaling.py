"""HorizontalPodAutoscalers (autoscaling/v2): target, bounds, replicas, each metric's current and target value."""
from __future__ import annotations

from typing import Any

from kube.times import rfc3339
from resources.shapes.common import Obj, condition, detail_meta, meta

# MetricSpec/MetricStatus `type` → the member holding the metric.
_MEMBER = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}


def _identity(metric_type: str, body: Obj) -> tuple[Any, ...]:
    """What names one metric in both spec and status: its kind, name, container and described object."""
    name = body.get("name") or (body.get("metric") or {}).get("name")
    described = body.get("describedObject") or {}
    return (metric_type, name, body.get("container"), described.get("kind"), described.get("name"))


def _value(values: Obj, utilization: bool) -> str | None:
    """A target or current value as kubectl prints it: a utilization as `80%`, else the quantity."""
    if utilization and values.get("averageUtilization") is not None:
        return f"{values['averageUtilization']}%"
    for key in ("averageValue", "value"):
        if values.get(key) is not None:
            return str(values[key])
    if values.get("averageUtilization") is not None:
        return f"{values['averageUtilization']}%"
    return None


def _metric(spec_metric: Obj, current_by_id: dict[tuple[Any, ...], Obj]) -> Obj:
    metric_type = spec_metric.get("type") or ""
    body = spec_metric.get(_MEMBER.get(metric_type, ""), None) or {}
    target = body.get("target") or {}
    target_type = target.get("type")
    identity = _identity(metric_type, body)
    current = current_by_id.get(identity) or {}
    described = body.get("describedObject") or {}
    return {
        "type": metric_type,
        "name": identity[1],
        "container": body.get("container"),
        "describedObject": f"{described.get('kind')}/{described.get('name')}" if described.get("name") else None,
        "targetType": target_type,
        "target": _value(target, utilization=target_type == "Utilization"),
        "current": _value(current, utilization=target_type == "Utilization") if current else None,
    }


def hpa_item(hpa: Obj) -> Obj:
    """Target, min/max, current and desired replicas, metrics (current against target), and `atMax`: the
    autoscaler runs its maximum, so it cannot add pods however high the load goes."""
    spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    current_by_id: dict[tuple[Any, ...], Obj] = {}
    for m in status.get("currentMetrics") or []:
        metric_type = m.get("type") or ""
        body = m.get(_MEMBER.get(metric_type, ""), None) or {}
        current_by_id[_identity(metric_type, body)] = body.get("current") or {}
    min_replicas = spec.get("minReplicas")
    max_replicas = spec.get("maxReplicas")
    current = status.get("currentReplicas")
    return {
        **meta(hpa),
        "target": {"apiVersion": ref.get("apiVersion"), "kind": ref.get("kind"), "name": ref.get("name")},
        "minReplicas": 1 if min_replicas is None else min_replicas,
        "maxReplicas": max_replicas,
        "currentReplicas": current,
        "desiredReplicas": status.get("desiredReplicas"),
        "atMax": current is not None and max_replicas is not None and current >= max_replicas,
        "metrics": [_metric(m, current_by_id) for m in spec.get("metrics") or []],
        "lastScaleTime": rfc3339(status.get("lastScaleTime")),
        "conditions": [condition(c) for c in status.get("conditions") or []],
    }


def hpa_detail(hpa: Obj) -> Obj:
    return {**hpa_item(hpa), **detail_meta(hpa),
            "behavior": (hpa.get("spec") or {}).get("behavior") or {}}
