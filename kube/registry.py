"""The one table of the Kubernetes kinds we serve: API group/version, plural, scope, our verbs, the watch cache's
list method, which gateway writes touch it, which fields never leave, and the shapers apps register for it.

    kind = registry.get("configmaps")
    kind.path(namespace="shop", name="web")        # "/api/v1/namespaces/shop/configmaps/web"
    kind.list_all                                   # "list_config_map_for_all_namespaces" (the cache's list/watch)
    registry.shape("configmaps", item=configmap_item, detail=configmap_detail)   # an app, in AppConfig.ready

`kube/` imports no app, so the shapers (functions from a raw object dict to the output dict) are registered by
the app that owns the kind's output shape when Django starts (its `AppConfig.ready`); until then a kind shapes
with `default_item`. Masked fields (a Secret's `data`) are replaced by the byte length of each value before any
shaper sees the object, so no shaper can leak a value.

Adding a kind: one `Kind(...)` line in `KINDS` below, a shaper registered by its app, and a
`ClusterScopedViewSet` subclass (clusters/api/viewsets.py) naming it (docs/architecture.md, "How to add a kind").
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from kubernetes import client as k8s

from kube.times import rfc3339

Obj = dict[str, Any]
Shaper = Callable[[Obj], Obj]

# Our verbs (what the REST API offers for a kind, not what the cluster allows).
LIST, GET, CREATE, UPDATE, DELETE = "list", "get", "create", "update", "delete"
LIST_ONLY = frozenset({LIST})
READ_DELETE = frozenset({LIST, GET, DELETE})
READ_ONLY = frozenset({LIST, GET})
CRUD = frozenset({LIST, GET, CREATE, UPDATE, DELETE})

# Subresources a gateway write may name after the kind (`create_namespaced_pod_eviction` writes pods).
_SUBRESOURCES = ("status", "scale", "eviction", "binding", "ephemeral_containers", "resize")
_WRITE = re.compile(r"^(?:create|patch|replace|delete)_(?:collection_)?(?:namespaced_)?(?P<rest>[a-z0-9_]+)$")


@dataclass(frozen=True)
class Kind:
    """One kind: where it lives in the cluster's API and what we do with it."""

    plural: str                  # "configmaps": our route segment, the cache's resource name
    kind: str                    # "ConfigMap"
    group: str                   # "" for the core group
    version: str                 # "v1"
    namespaced: bool
    api: type                    # the generated client's API class (k8s.CoreV1Api)
    method: str                  # the client's snake-case name inside method names ("config_map")
    verbs: frozenset[str] = READ_ONLY
    masked: tuple[str, ...] = ()  # top-level fields whose values never leave (replaced by value lengths)
    cached: bool = True          # held by the watch cache (kube/cache.py) when it is on

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_all(self) -> str:
        """The client method listing (and watching) every object of the kind, in every namespace."""
        return f"list_{self.method}_for_all_namespaces" if self.namespaced else f"list_{self.method}"

    def method_name(self, verb: str) -> str:
        """The client method for one of `read`, `list`, `create`, `replace`, `patch`, `delete` (namespaced form)."""
        return f"{verb}_namespaced_{self.method}" if self.namespaced else f"{verb}_{self.method}"

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The API server path of the collection (in `namespace` or everywhere) or of one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        return f"{base}/{quote(name, safe='')}" if name else base

    def allows(self, verb: str) -> bool:
        return verb in self.verbs


KINDS: dict[str, Kind] = {k.plural: k for k in (
    Kind("namespaces", "Namespace", "", "v1", False, k8s.CoreV1Api, "namespace",
         frozenset({LIST, GET, CREATE, DELETE})),
    Kind("nodes", "Node", "", "v1", False, k8s.CoreV1Api, "node"),
    Kind("pods", "Pod", "", "v1", True, k8s.CoreV1Api, "pod", frozenset({LIST, GET, DELETE})),
    Kind("configmaps", "ConfigMap", "", "v1", True, k8s.CoreV1Api, "config_map", CRUD),
    Kind("secrets", "Secret", "", "v1", True, k8s.CoreV1Api, "secret", CRUD, masked=("data", "stringData")),
    Kind("deployments", "Deployment", "apps", "v1", True, k8s.AppsV1Api, "deployment",
         frozenset({LIST, GET, UPDATE, DELETE})),
    Kind("statefulsets", "StatefulSet", "apps", "v1", True, k8s.AppsV1Api, "stateful_set", READ_DELETE),
    Kind("daemonsets", "DaemonSet", "apps", "v1", True, k8s.AppsV1Api, "daemon_set", READ_DELETE),
    Kind("jobs", "Job", "batch", "v1", True, k8s.BatchV1Api, "job", READ_DELETE),
    Kind("cronjobs", "CronJob", "batch", "v1", True, k8s.BatchV1Api, "cron_job", READ_DELETE),
    # networking, storage, events, autoscaling (read-only; shaped by resources/)
    Kind("services", "Service", "", "v1", True, k8s.CoreV1Api, "service"),
    Kind("endpointslices", "EndpointSlice", "discovery.k8s.io", "v1", True, k8s.DiscoveryV1Api, "endpoint_slice"),
    Kind("ingresses", "Ingress", "networking.k8s.io", "v1", True, k8s.NetworkingV1Api, "ingress"),
    Kind("persistentvolumeclaims", "PersistentVolumeClaim", "", "v1", True, k8s.CoreV1Api,
         "persistent_volume_claim"),
    Kind("persistentvolumes", "PersistentVolume", "", "v1", False, k8s.CoreV1Api, "persistent_volume"),
    Kind("storageclasses", "StorageClass", "storage.k8s.io", "v1", False, k8s.StorageV1Api, "storage_class"),
    Kind("events", "Event", "events.k8s.io", "v1", True, k8s.EventsV1Api, "event"),
    Kind("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling", "v2", True, k8s.AutoscalingV2Api,
         "horizontal_pod_autoscaler"),
)}


@dataclass
class _Shapers:
    item: Shaper | None = None
    detail: Shaper | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_shapers: dict[str, _Shapers] = {}


class UnknownKind(LookupError):
    """No such kind in the registry (a programming error, or a route for a kind we do not serve)."""


def get(plural: str) -> Kind:
    """The kind named by its plural; UnknownKind when we do not serve it."""
    try:
        return KINDS[plural]
    except KeyError:
        raise UnknownKind(plural) from None


def kinds() -> Iterable[Kind]:
    return KINDS.values()


def add(kind: Kind) -> Kind:
    """Register a kind (for a kind an app defines itself; the table above holds the built-in ones)."""
    KINDS[kind.plural] = kind
    return kind


def cached_kinds() -> dict[str, Kind]:
    """The kinds the watch cache may hold, by plural."""
    return {k.plural: k for k in KINDS.values() if k.cached}


def written_by(method_name: str) -> Kind | None:
    """The kind a gateway write method changes (`patch_namespaced_deployment_scale` → deployments), or None."""
    match = _WRITE.match(method_name)
    if match is None:
        return None
    rest = match.group("rest")
    for kind in KINDS.values():
        if rest == kind.method or any(rest == f"{kind.method}_{sub}" for sub in _SUBRESOURCES):
            return kind
    return None


# --- shapers -------------------------------------------------------------------------------------

def shape(plural: str, *, item: Shaper | None = None, detail: Shaper | None = None, **extra: Any) -> None:
    """Register the list-item and detail shapers of a kind (called by the owning app's AppConfig.ready)."""
    get(plural)  # an unknown kind is a programming error
    entry = _shapers.setdefault(plural, _Shapers())
    if item is not None:
        entry.item = item
    if detail is not None:
        entry.detail = detail
    entry.extra.update(extra)


def default_item(obj: Obj) -> Obj:
    """The shape every kind has: name, namespace, labels, createdAt."""
    metadata = obj.get("metadata") or {}
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "labels": metadata.get("labels") or {},
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


def condition(c: Obj) -> Obj:
    """A status condition as every kind shows it (Pods, workloads, PVCs, autoscalers)."""
    return {
        "type": c.get("type"),
        "status": c.get("status"),
        "reason": c.get("reason"),
        "message": c.get("message"),
        "lastTransitionTime": rfc3339(c.get("lastTransitionTime")),
    }


def item_shaper(kind: Kind) -> Shaper:
    """The kind's list-item shaper (masking first when the kind masks fields); pure, so the cache memoizes it."""
    entry = _shapers.get(kind.plural)
    shaper = (entry.item if entry else None) or default_item
    return _masking(kind, shaper)


def detail_shaper(kind: Kind) -> Shaper:
    """The kind's detail shaper (else its item shaper), masking first."""
    entry = _shapers.get(kind.plural)
    shaper = (entry.detail or entry.item if entry else None) or default_item
    return _masking(kind, shaper)


def extra(kind: Kind, key: str, default: Any = None) -> Any:
    """Anything else the owning app registered for the kind (e.g. its own filters)."""
    entry = _shapers.get(kind.plural)
    return entry.extra.get(key, default) if entry else default


_masked_cache: dict[tuple[str, Shaper], Shaper] = {}


def _masking(kind: Kind, shaper: Shaper) -> Shaper:
    if not kind.masked:
        return shaper
    key = (kind.plural, shaper)
    wrapped = _masked_cache.get(key)
    if wrapped is None:
        def wrapped(obj: Obj) -> Obj:
            return shaper(mask(kind, obj))
        _masked_cache[key] = wrapped  # one function per shaper, so the cache's memo (keyed by it) works
    return wrapped


def _length(value: Any, encoded: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # already masked: masking twice changes nothing
    if not isinstance(value, str):
        return 0
    if encoded:
        try:
            return len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            return len(value)
    return len(value.encode("utf-8"))


def mask(kind: Kind, obj: Obj) -> Obj:
    """A shallow copy of `obj` whose masked fields map each key to its value's length in bytes, never the value.

    `data` is base64 (Secrets): the decoded length; other masked fields count UTF-8 bytes. Annotations holding
    kubectl's last-applied manifest (which repeats the values) are dropped too.
    """
    if not kind.masked:
        return obj
    out = dict(obj)
    for name in kind.masked:
        if name in out:
            values = out[name] if isinstance(out[name], dict) else {}
            out[name] = {key: _length(value, encoded=name == "data") for key, value in values.items()}
    metadata = dict(out.get("metadata") or {})
    annotations = {k: v for k, v in (metadata.get("annotations") or {}).items()
                   if k != "kubectl.kubernetes.io/last-applied-configuration"}
    metadata["annotations"] = annotations
    out["metadata"] = metadata
    return out
