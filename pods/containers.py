"""Which container of a pod a request means: one rule set for REST logs, the log socket and the exec socket.

kubectl's rules (`kubectl logs` / `kubectl exec`, k8s.io/kubectl podcmd), so a name that works there works here:
- no name: the container the `kubectl.kubernetes.io/default-container` annotation names (if the pod has it),
  else the first of `spec.containers`; a pod without containers is a 400;
- an explicit name may be any container of the pod: regular, init or ephemeral (the API server accepts all
  three for `pods/log` and `pods/exec`);
- an unknown name is a 400 that lists the pod's containers, init and ephemeral ones labelled.
Exec also needs the chosen container to be running (a terminal into a stopped process cannot open).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.errors import InvalidRequest

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"
_STATUS_KEYS = ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")


def _names(spec: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(c["name"] for c in spec.get(key) or [] if isinstance(c, dict) and c.get("name"))


@dataclass(frozen=True)
class PodContainers:
    """The container names of one pod, by kind, and which of them run now."""

    pod: str
    phase: str
    containers: tuple[str, ...]
    init: tuple[str, ...] = ()
    ephemeral: tuple[str, ...] = ()
    annotated: str | None = None
    running: frozenset[str] = frozenset()

    @classmethod
    def of(cls, pod: dict[str, Any]) -> PodContainers:
        """Read from a pod object as the API serves it (camelCase keys)."""
        spec, status, meta = pod.get("spec") or {}, pod.get("status") or {}, pod.get("metadata") or {}
        return cls(
            pod=meta.get("name") or "",
            phase=status.get("phase") or "Unknown",
            containers=_names(spec, "containers"),
            init=_names(spec, "initContainers"),
            ephemeral=_names(spec, "ephemeralContainers"),
            annotated=(meta.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION) or None,
            running=frozenset(
                s["name"] for key in _STATUS_KEYS for s in status.get(key) or []
                if s.get("name") and (s.get("state") or {}).get("running") is not None
            ),
        )

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.containers, *self.init, *self.ephemeral)

    def default(self) -> str:
        """The annotation's container when the pod has it (kubectl looks in all three kinds), else the first."""
        if self.annotated and self.annotated in self.all:
            return self.annotated
        if not self.containers:
            raise InvalidRequest(f"Pod '{self.pod}' has no containers")
        return self.containers[0]

    def listing(self) -> str:
        """`a, b; init containers: i; ephemeral containers: e` — what a 400 for an unknown name shows."""
        parts = [", ".join(self.containers) or "none"]
        if self.init:
            parts.append(f"init containers: {', '.join(self.init)}")
        if self.ephemeral:
            parts.append(f"ephemeral containers: {', '.join(self.ephemeral)}")
        return "; ".join(parts)


def choose_container(pod: dict[str, Any] | PodContainers, name: str | None, *, must_run: bool = False) -> str:
    """The container a request means (see the module's rules); `must_run` for exec. 400 otherwise."""
    info = pod if isinstance(pod, PodContainers) else PodContainers.of(pod)
    chosen = name or info.default()
    if chosen not in info.all:
        raise InvalidRequest(f"Container '{chosen}' is not in pod '{info.pod}'; its containers are: {info.listing()}")
    if must_run and chosen not in info.running:
        raise InvalidRequest(f"Container '{chosen}' of pod '{info.pod}' is not running (pod phase {info.phase})")
    return chosen
