"""The STATUS column of `kubectl get pods`, computed the way kubectl computes it.

A port of the reason logic in kubectl's `printPod` (k8s.io/kubernetes pkg/printers/internalversion/printers.go),
working on the plain camelCase pod dict the API server sends. Order matters and follows kubectl:

1. the phase, overridden by `status.reason` (Evicted, NodeLost, ...), overridden by a `SchedulingGated`
   PodScheduled condition;
2. the first init container that has not finished (sidecars that have started count as finished):
   `Init:<terminated reason>`, `Init:Signal:N`, `Init:ExitCode:N`, `Init:<waiting reason>` or `Init:i/n`;
3. unless still initializing (and the Initialized condition is not True), the app containers, last to first:
   a waiting reason, a terminated reason, `Signal:N`, `ExitCode:N`; `Completed` with a container still
   running reads `Running` (Ready condition True) or `NotReady`;
4. a pod being deleted reads `Terminating` (or `Unknown` when its node was lost) unless it already finished.
"""
from __future__ import annotations

from typing import Any

Pod = dict[str, Any]

NODE_LOST = "NodeLost"  # k8s.io/kubernetes/pkg/util/node.NodeUnreachablePodReason
TERMINAL_PHASES = ("Succeeded", "Failed")


def _condition_true(conditions: list[dict[str, Any]], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def _initialized(conditions: list[dict[str, Any]]) -> bool:
    """kubectl looks at the first `Initialized` condition only."""
    for condition in conditions:
        if condition.get("type") == "Initialized":
            return condition.get("status") == "True"
    return False


def _terminated_reason(terminated: dict[str, Any], prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode') or 0}"


def _init_reason(pod: Pod) -> str | None:
    """The reason of the first unfinished init container, or None when initialization is over."""
    init_specs = (pod.get("spec") or {}).get("initContainers") or []
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    for index, container in enumerate((pod.get("status") or {}).get("initContainerStatuses") or []):
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and not terminated.get("exitCode"):
            continue
        if container.get("name") in sidecars and container.get("started"):
            continue
        if terminated is not None:
            return _terminated_reason(terminated, "Init:")
        if waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return "Init:" + waiting["reason"]
        return f"Init:{index}/{len(init_specs)}"
    return None


def _containers_reason(pod: Pod, reason: str) -> str:
    status = pod.get("status") or {}
    has_running = False
    for container in reversed(status.get("containerStatuses") or []):
        state = container.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting is not None and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated is not None:
            reason = _terminated_reason(terminated)
        elif container.get("ready") and state.get("running") is not None:
            has_running = True
    if reason == "Completed" and has_running:
        reason = "Running" if _condition_true(status.get("conditions") or [], "Ready") else "NotReady"
    return reason


def pod_status(pod: Pod) -> str:
    """What `kubectl get pods` prints in STATUS for this pod."""
    metadata = pod.get("metadata") or {}
    status = pod.get("status") or {}
    conditions = status.get("conditions") or []
    phase = status.get("phase") or ""

    reason = status.get("reason") or phase
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions):
        reason = "SchedulingGated"

    init_reason = _init_reason(pod)
    if init_reason is not None:
        reason = init_reason
    if init_reason is None or _initialized(conditions):
        reason = _containers_reason(pod, reason)

    if metadata.get("deletionTimestamp"):
        if status.get("reason") == NODE_LOST:
            reason = "Unknown"
        elif phase not in TERMINAL_PHASES:
            reason = "Terminating"
    return reason


def pod_restarts(pod: Pod) -> int:
    """The sum of the app containers' restart counts (the `containers[].restartCount` the list shows)."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return sum(int(c.get("restartCount") or 0) for c in statuses)
