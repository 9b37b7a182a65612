"""One word per workload that says how it is doing, the way an operator reads `kubectl get` and `rollout status`.

Deployment:  Terminating > ScaledDown (0 wanted, none left) / ScalingDown (0 wanted, pods left) > Paused >
             Failed (ProgressDeadlineExceeded or ReplicaFailure) > Progressing (a rollout kubectl would still wait
             for) > Available (all wanted available) / Degraded (some) / Unavailable (none).
StatefulSet: Terminating > ScaledDown / ScalingDown > Progressing (spec not yet observed, or a rolling update
             between revisions) > Available (all ready) / Degraded / Unavailable.
DaemonSet:   Terminating > Idle (no node should run it) > Progressing (spec not observed or not all updated) >
             Available (all available) / Degraded / Unavailable.
Job:         kubectl's own STATUS column: Complete > Failed > Terminating > SuccessCriteriaMet > Suspended >
             FailureTarget > Running.
CronJob:     Terminating > Suspended > Active (a Job is running) > Scheduled (waiting for its next run).
"""
from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def _conditions(obj: Obj) -> dict[str, Obj]:
    return {c.get("type"): c for c in (obj.get("status") or {}).get("conditions") or []}


def _true(obj: Obj, kind: str) -> bool:
    return (_conditions(obj).get(kind) or {}).get("status") == "True"


def _deleting(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def _not_observed(obj: Obj) -> bool:
    metadata, status = obj.get("metadata") or {}, obj.get("status") or {}
    return int(status.get("observedGeneration") or 0) < int(metadata.get("generation") or 0)


def _availability(available: int, wanted: int) -> str:
    if available >= wanted:
        return "Available"
    return "Degraded" if available > 0 else "Unavailable"


def _int(value: Any, default: int = 0) -> int:
    return int(value) if value is not None else default


def deployment_status(obj: Obj) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    wanted = _int(spec.get("replicas"), 1)
    current, updated = _int(status.get("replicas")), _int(status.get("updatedReplicas"))
    available = _int(status.get("availableReplicas"))
    if _deleting(obj):
        return "Terminating"
    if wanted == 0:
        return "ScalingDown" if current > 0 else "ScaledDown"
    if spec.get("paused"):
        return "Paused"
    progressing = _conditions(obj).get("Progressing") or {}
    if progressing.get("reason") == "ProgressDeadlineExceeded" or _true(obj, "ReplicaFailure"):
        return "Failed"
    if _not_observed(obj) or updated < wanted or current > updated:
        return "Progressing"
    return _availability(available, wanted)


def statefulset_status(obj: Obj) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    wanted = _int(spec.get("replicas"), 1)
    current, ready = _int(status.get("replicas")), _int(status.get("readyReplicas"))
    if _deleting(obj):
        return "Terminating"
    if wanted == 0:
        return "ScalingDown" if current > 0 else "ScaledDown"
    rolling = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
    revisions = status.get("updateRevision"), status.get("currentRevision")
    if _not_observed(obj) or (rolling and all(revisions) and revisions[0] != revisions[1]):
        return "Progressing"
    return _availability(ready, wanted)


def daemonset_status(obj: Obj) -> str:
    status = obj.get("status") or {}
    wanted = _int(status.get("desiredNumberScheduled"))
    if _deleting(obj):
        return "Terminating"
    if wanted == 0:
        return "Idle"
    if _not_observed(obj) or _int(status.get("updatedNumberScheduled")) < wanted:
        return "Progressing"
    return _availability(_int(status.get("numberAvailable")), wanted)


def job_status(obj: Obj) -> str:
    if _true(obj, "Complete"):
        return "Complete"
    if _true(obj, "Failed"):
        return "Failed"
    if _deleting(obj):
        return "Terminating"
    for kind in ("SuccessCriteriaMet", "Suspended", "FailureTarget"):
        if _true(obj, kind):
            return kind
    return "Running"


def cronjob_status(obj: Obj) -> str:
    if _deleting(obj):
        return "Terminating"
    if (obj.get("spec") or {}).get("suspend"):
        return "Suspended"
    if (obj.get("status") or {}).get("active"):
        return "Active"
    return "Scheduled"
