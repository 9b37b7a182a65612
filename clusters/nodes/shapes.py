"""Node and pod JSON (as the API server sends it) → the contract's camelCase shapes (§4)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ROLE_PREFIX = "node-role.kubernetes.io/"
ROLE_LABEL = "kubernetes.io/role"
TERMINAL_PHASES = ("Succeeded", "Failed")


def rfc3339(value: str | None) -> str | None:
    """Kubernetes time → RFC 3339 UTC with a `Z` (fractions dropped)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_roles(labels: dict[str, str]) -> list[str]:
    """Roles as kubectl shows them: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value."""
    roles = set()
    for key, value in labels.items():
        if key.startswith(ROLE_PREFIX) and key[len(ROLE_PREFIX):]:
            roles.add(key[len(ROLE_PREFIX):])
        elif key == ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict[str, Any]) -> str:
    """`Ready` when the Ready condition is True; anything else (False, Unknown, missing) is `NotReady`."""
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return "Ready" if condition.get("status") == "True" else "NotReady"
    return "NotReady"


def _resources(values: dict[str, Any] | None) -> dict[str, str | None]:
    values = values or {}
    return {key: values.get(key) for key in ("cpu", "memory", "pods")}


def internal_ip(node: dict[str, Any]) -> str | None:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return address.get("address")
    return None


def node_item(node: dict[str, Any], pod_count: int) -> dict[str, Any]:
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    info = status.get("nodeInfo") or {}
    labels = meta.get("labels") or {}
    return {
        "name": meta.get("name"),
        "status": node_status(node),
        "roles": node_roles(labels),
        "unschedulable": bool(spec.get("unschedulable")),
        "internalIP": internal_ip(node),
        "kubeletVersion": info.get("kubeletVersion"),
        "osImage": info.get("osImage"),
        "kernelVersion": info.get("kernelVersion"),
        "containerRuntime": info.get("containerRuntimeVersion"),
        "architecture": info.get("architecture"),
        "capacity": _resources(status.get("capacity")),
        "allocatable": _resources(status.get("allocatable")),
        "podCount": pod_count,
        "taints": [
            {"key": t.get("key"), "value": t.get("value"), "effect": t.get("effect")} for t in spec.get("taints") or []
        ],
        "labels": labels,
        "createdAt": rfc3339(meta.get("creationTimestamp")),
    }


def node_detail(node: dict[str, Any], pods: list[dict[str, Any]]) -> dict[str, Any]:
    """The item plus conditions, addresses, annotations and the pods on the node (sorted by namespace, name)."""
    status = node.get("status") or {}
    live = [pod for pod in pods if not is_terminal(pod)]
    return {
        **node_item(node, len(live)),
        "conditions": [
            {
                "type": c.get("type"),
                "status": c.get("status"),
                "reason": c.get("reason"),
                "message": c.get("message"),
                "lastTransitionTime": rfc3339(c.get("lastTransitionTime")),
            }
            for c in status.get("conditions") or []
        ],
        "addresses": [{"type": a.get("type"), "address": a.get("address")} for a in status.get("addresses") or []],
        "annotations": (node.get("metadata") or {}).get("annotations") or {},
        "pods": [pod_brief(pod) for pod in sorted(pods, key=pod_key)],
    }


def pod_key(pod: dict[str, Any]) -> tuple[str, str]:
    meta = pod.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


def is_terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in TERMINAL_PHASES


def pod_brief(pod: dict[str, Any]) -> dict[str, Any]:
    """A short pod line for the node detail (the full pod shapes live in the pods app)."""
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "phase": status.get("phase"),
        "podIP": status.get("podIP"),
        "restarts": sum(int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or []),
        "ownerKind": owner.get("kind") if owner else None,
        "ownerName": owner.get("name") if owner else None,
        "createdAt": rfc3339(meta.get("creationTimestamp")),
    }
