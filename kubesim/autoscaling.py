"""The HorizontalPodAutoscaler controller, with made-up metrics.

kubesim runs no metrics server: every metric reports `kubesim.io/load-percent` of its target
(an annotation on the HPA, 95 when absent: steady, within the 10% tolerance). From that the
controller computes the desired replicas as the real one does (ceil(current × ratio), clamped to
min/max), scales the target through its spec, and writes status and conditions.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import clock
from .kinds import quantity

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
HPAS = "horizontalpodautoscalers.autoscaling"
LOAD_ANNOTATION = "kubesim.io/load-percent"
TARGETS = {"Deployment": "deployments.apps", "StatefulSet": "statefulsets.apps", "ReplicaSet": "replicasets.apps"}
TOLERANCE = 0.1
COMPONENT = "horizontal-pod-autoscaler"


def _load(hpa: Obj) -> float:
    raw = (hpa["metadata"].get("annotations") or {}).get(LOAD_ANNOTATION, "95")
    try:
        return max(0.0, float(raw)) / 100.0
    except ValueError:
        return 0.95


def _fmt_quantity(v: float, cpu: bool) -> str:
    if cpu:
        return f"{round(v * 1000)}m"
    return str(round(v))


def _requests(target: Obj, resource: str) -> float:
    tpl = ((target.get("spec") or {}).get("template") or {}).get("spec") or {}
    total = 0.0
    for c in tpl.get("containers") or []:
        total += quantity(((c.get("resources") or {}).get("requests") or {}).get(resource))
    return total


def _metric_desc(m: Obj) -> str:
    typ = m.get("type")
    if typ == "Resource":
        r = m.get("resource") or {}
        kind = "(percentage of request)" if (r.get("target") or {}).get("type") == "Utilization" else ""
        return f"{r.get('name')} resource utilization {kind}".strip() if kind else f"{r.get('name')} resource"
    if typ == "Pods":
        return f"pods metric {((m.get('pods') or {}).get('metric') or {}).get('name')}"
    if typ == "Object":
        return f"{((m.get('object') or {}).get('metric') or {}).get('name')} metric"
    if typ == "External":
        return f"external metric {((m.get('external') or {}).get('metric') or {}).get('name')}"
    return str(typ)


def current_metric(m: Obj, load: float, target: Obj) -> tuple[Obj, float]:
    """(MetricStatus, ratio to target) for one MetricSpec, faked at `load` × target."""
    typ = m.get("type")
    src = m.get({"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                 "Object": "object", "External": "external"}.get(typ or "", "resource")) or {}
    tgt = src.get("target") or {}
    current: Obj = {}
    if tgt.get("type") == "Utilization":
        util = round((tgt.get("averageUtilization") or 0) * load)
        current["averageUtilization"] = util
        name = src.get("name", "")
        req = _requests(target, name) if typ in ("Resource", "ContainerResource") else 0.0
        # without requests the real controller fails; kubesim assumes a typical request instead
        req = req or (0.1 if name == "cpu" else 64 * 2**20)
        current["averageValue"] = _fmt_quantity(req * util / 100.0, name == "cpu")
    elif tgt.get("type") == "AverageValue":
        current["averageValue"] = _fmt_quantity(quantity(tgt.get("averageValue")) * load,
                                                str(tgt.get("averageValue", "")).endswith("m"))
    else:
        current["value"] = _fmt_quantity(quantity(tgt.get("value")) * load, str(tgt.get("value", "")).endswith("m"))
    status: Obj = {"type": typ}
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods", "Object": "object",
           "External": "external"}.get(typ or "", "resource")
    inner: Obj = {k: v for k, v in src.items() if k not in ("target",)}
    inner["current"] = current
    status[key] = inner
    return status, load


class Autoscalers:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self) -> None:
        for hpa in self.cluster.store.refs(HPAS):
            if not hpa["metadata"].get("deletionTimestamp"):
                self._reconcile(hpa)

    def _reconcile(self, hpa: Obj) -> None:
        store = self.cluster.store
        md, spec = hpa["metadata"], hpa.get("spec") or {}
        ns = md["namespace"]
        ref = spec.get("scaleTargetRef") or {}
        key = TARGETS.get(ref.get("kind", ""))
        target = store.ref(key, ns, ref.get("name", "")) if key else None
        old = hpa.get("status") or {}
        conds: list[tuple[str, str, str, str]] = []
        if target is None:
            what = f"{key.split('.')[0]}.apps" if key else f"{ref.get('kind', '').lower()}s"
            msg = (f"the HPA controller was unable to get the target's current scale: {what} "
                   f"\"{ref.get('name', '')}\" not found") if key else \
                (f"the HPA controller was unable to get the target's current scale: no matches for kind "
                 f"\"{ref.get('kind', '')}\" in group \"{ref.get('apiVersion', '').rpartition('/')[0]}\"")
            conds.append(("AbleToScale", "False", "FailedGetScale", msg))
            status: Obj = {"conditions": None, "currentMetrics": old.get("currentMetrics"),
                           "currentReplicas": old.get("currentReplicas", 0),
                           "desiredReplicas": old.get("desiredReplicas", 0)}
            self._write(hpa, status, conds, event=("Warning", "FailedGetScale", msg))
            return
        current = int((target.get("spec") or {}).get("replicas", 1))
        mn, mx = int(spec.get("minReplicas") or 1), int(spec.get("maxReplicas") or 1)
        if current == 0 and mn != 0:
            conds.append(("AbleToScale", "True", "SucceededGetScale",
                          "the HPA controller was able to get the target's current scale"))
            conds.append(("ScalingActive", "False", "ScalingDisabled",
                          "scaling is disabled since the replica count of the target is zero"))
            self._write(hpa, {"conditions": None, "currentMetrics": None, "currentReplicas": 0,
                              "desiredReplicas": 0}, conds)
            return
        load = _load(hpa)
        metrics = []
        proposal, reason_metric = 0, ""
        for m in spec.get("metrics") or []:
            ms, ratio = current_metric(m, load, target)
            metrics.append(ms)
            want = current if abs(ratio - 1.0) <= TOLERANCE else math.ceil(current * ratio)
            if want > proposal or not reason_metric:
                proposal, reason_metric = want, _metric_desc(m)
        desired = proposal
        limited = ("ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range")
        if desired > mx:
            desired = mx
            limited = ("ScalingLimited", "True", "TooManyReplicas",
                       "the desired replica count is more than the maximum replica count")
        elif desired < mn:
            desired = mn
            limited = ("ScalingLimited", "True", "TooFewReplicas",
                       "the desired replica count is less than the minimum replica count")
        event = None
        last_scale = old.get("lastScaleTime")
        if desired != current:
            direction = "above" if desired > current else "below"
            reason = (f"{reason_metric} {direction} target" if limited[1] == "False" else
                      ("Current number of replicas above Spec.MaxReplicas" if current > mx else
                       "Current number of replicas below Spec.MinReplicas" if current < mn else
                       f"{reason_metric} {direction} target"))
            assert key is not None
            self._scale(key, ns, ref["name"], desired)
            event = ("Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
            conds.append(("AbleToScale", "True", "SucceededRescale",
                          f"the HPA controller was able to update the target scale to {desired}"))
            last_scale = clock.iso()
        else:
            conds.append(("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"))
        conds.append(("ScalingActive", "True", "ValidMetricFound",
                      f"the HPA was able to successfully calculate a replica count from {reason_metric}"))
        conds.append(limited)
        status = {"conditions": None, "currentMetrics": metrics or None, "currentReplicas": current,
                  "desiredReplicas": desired}
        if last_scale:
            status["lastScaleTime"] = last_scale
        self._write(hpa, status, conds, event=event)

    def _scale(self, key: str, ns: str, name: str, replicas: int) -> None:
        def fn(o: Obj) -> Obj:
            o.setdefault("spec", {})["replicas"] = replicas
            return o
        self.cluster.store.mutate(key, ns, name, fn)

    def _write(self, hpa: Obj, status: Obj, conds: list[tuple[str, str, str, str]],
               event: tuple[str, str, str] | None = None) -> None:
        old = hpa.get("status") or {}
        old_conds = {c.get("type"): c for c in old.get("conditions") or []}
        now = clock.iso()
        out = []
        for typ, st, reason, msg in conds:
            prev = old_conds.get(typ)
            since = prev.get("lastTransitionTime") if prev and prev.get("status") == st else now
            out.append({"type": typ, "status": st, "lastTransitionTime": since, "reason": reason, "message": msg})
        status["conditions"] = out
        if status.get("currentMetrics") is None:
            status["currentMetrics"] = None
        if _same(old, status):
            return

        def fn(h: Obj) -> Obj:
            h["status"] = status
            return h
        self.cluster.store.mutate(HPAS, hpa["metadata"]["namespace"], hpa["metadata"]["name"], fn)
        if event is not None:
            self.cluster.event(hpa, *event, component=COMPONENT)


def _same(a: Obj, b: Obj) -> bool:
    def norm(s: Obj) -> Obj:
        out = dict(s)
        out["conditions"] = [(c.get("type"), c.get("status"), c.get("reason"), c.get("message"))
                             for c in s.get("conditions") or []]
        return out
    return norm(a) == norm(b)
