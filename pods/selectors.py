"""Reads of pods: the list (kubectl's STATUS), one pod, its logs and its events. Raw JSON, not client models."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from clusters.models import Cluster
from common import errors
from kube import cache, gateway, registry
from kube.objects import missing_as, namespace_must_exist
from kube.raw import read_bytes, read_json
from kube.times import rfc3339
from pods.containers import choose_container
from pods.status import pod_restarts, pod_status

Obj = dict[str, Any]

# Annotations never returned: kubectl's last-applied copy of a manifest repeats env values, which can be secrets.
HIDDEN_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def visible_annotations(metadata: Obj) -> dict[str, str]:
    return {k: v for k, v in (metadata.get("annotations") or {}).items() if k not in HIDDEN_ANNOTATIONS}


# --- the list ------------------------------------------------------------------------------------

def pod_item(pod: Obj) -> Obj:
    """The list item, field for field as the seed shows it."""
    metadata, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
    containers = []
    for container in spec.get("containers") or []:
        state = statuses.get(container.get("name")) or {}
        containers.append({
            "name": container.get("name"),
            "image": container.get("image"),
            "ready": bool(state.get("ready")),
            "restartCount": int(state.get("restartCount") or 0),
        })
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "status": pod_status(pod),
        "phase": status.get("phase"),
        "nodeName": spec.get("nodeName"),
        "podIP": status.get("podIP"),
        "hostIP": status.get("hostIP"),
        "restarts": pod_restarts(pod),
        "containers": containers,
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


def _field_selector(node_name: str | None) -> str | None:
    return f"spec.nodeName={node_name}" if node_name else None


def raw_pods(cluster: Cluster, *, namespace: str | None = None, node_name: str | None = None,
             label_selector: str | None = None) -> list[Obj]:
    """Pods as the API server sent them (read-only dicts), from the watch cache when it is on."""
    # watch cache hook (kube/cache.py): same filters, answered from memory; direct list when off or not ready
    return cache.list_objects(cluster, "pods", namespace=namespace, node_name=node_name, label_selector=label_selector,
                              fallback=lambda: list_pods_directly(cluster, namespace, node_name, label_selector))


def list_pods_directly(cluster: Cluster, namespace: str | None, node_name: str | None = None,
                       label_selector: str | None = None, *, timeout: tuple[float, float] | None = None) -> list[Obj]:
    """The direct list (no cache); the namespace and node filters are applied server-side. `timeout` overrides
    the gateway's (a search bounds every cluster by one deadline)."""
    core = gateway.core_v1(cluster)
    options: dict[str, Any] = {"field_selector": _field_selector(node_name), "label_selector": label_selector,
                               "_request_timeout": timeout}
    options = {k: v for k, v in options.items() if v}
    if namespace:
        body = read_json(cluster, core.list_namespaced_pod, namespace, **options)
    else:
        body = read_json(cluster, core.list_pod_for_all_namespaces, **options)
    return (body or {}).get("items") or []


def pod_list(*, cluster: Cluster, namespace: str | None = None, node_name: str | None = None,
             status: str | None = None, search: str | None = None, label_selector: str | None = None,
             namespaces: set[str] | None = None) -> Sequence[Obj]:
    """Pod items sorted by namespace then name. `status` matches the STATUS column or the phase, any case;
    `namespaces` (a scoped user's grants) limits the answer to those namespaces (None: all)."""
    if namespace:
        namespace_must_exist(cluster, namespace)
    # watch cache hook (kube/cache.py): a lazy, sorted view over the cache's indexes; a page thaws only its own
    # items (pod_item rows made once per pod version, registered in pods/apps.py); direct when off or not ready
    rows = cache.rows(cluster, "pods", namespace=namespace, namespaces=namespaces, node_name=node_name,
                      label_selector=label_selector, status=status, name_contains=search)
    if rows is not None:
        return rows
    items = [pod_item(p) for p in list_pods_directly(cluster, namespace, node_name, label_selector)]
    if namespaces is not None:
        items = [i for i in items if i.get("namespace") in namespaces]
    if status:
        wanted = status.strip().lower()
        items = [i for i in items if wanted in ((i["status"] or "").lower(), (i["phase"] or "").lower())]
    if search:
        needle = search.strip().lower()
        items = [i for i in items if needle in (i["name"] or "").lower()]
    items.sort(key=lambda i: (i["namespace"] or "", i["name"] or ""))
    return items


def pod_items(cluster: Cluster, *, namespace: str | None, label_selector: str) -> list[Obj]:
    """The list items of the pods a label selector picks in one namespace (a workload's pods), by name."""
    rows = cache.rows(cluster, "pods", namespace=namespace, label_selector=label_selector)
    items = list(rows) if rows is not None else [
        pod_item(p) for p in list_pods_directly(cluster, namespace, None, label_selector)]
    return sorted(items, key=lambda p: p["name"] or "")


# --- one pod -------------------------------------------------------------------------------------

def pod_get(*, cluster: Cluster, namespace: str, name: str) -> Obj:
    """The pod as the API server sent it; 404 naming the namespace or the pod."""
    with missing_as(cluster, "Pod", namespace, name):
        return read_json(cluster, gateway.core_v1(cluster).read_namespaced_pod, name, namespace)




def _state(state: Obj | None) -> Obj:
    """A container state with its timestamps in RFC 3339 UTC."""
    out: Obj = {}
    for key, value in (state or {}).items():
        if isinstance(value, dict):
            out[key] = {k: (rfc3339(v) if k.endswith("At") else v) for k, v in value.items()}
        else:
            out[key] = value
    return out


def _container_status(s: Obj) -> Obj:
    return {
        "name": s.get("name"),
        "ready": bool(s.get("ready")),
        "restartCount": int(s.get("restartCount") or 0),
        "state": _state(s.get("state")),
    }


def _container_spec(c: Obj) -> Obj:
    """Name, image, ports, resources and mounts; never env values (they can hold secrets)."""
    return {
        "name": c.get("name"),
        "image": c.get("image"),
        "ports": c.get("ports") or [],
        "resources": c.get("resources") or {},
        "volumeMounts": c.get("volumeMounts") or [],
    }


def pod_detail(pod: Obj) -> Obj:
    """The detail shape of the seed."""
    metadata, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "uid": metadata.get("uid"),
        "labels": metadata.get("labels") or {},
        "annotations": visible_annotations(metadata),
        "status": {
            "phase": status.get("phase"),
            "conditions": [registry.condition(c) for c in status.get("conditions") or []],
            "containerStatuses": [_container_status(s) for s in status.get("containerStatuses") or []],
        },
        "spec": {
            "nodeName": spec.get("nodeName"),
            "containers": [_container_spec(c) for c in spec.get("containers") or []],
            "volumes": spec.get("volumes") or [],
        },
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


# --- logs ----------------------------------------------------------------------------------------

def _has_previous_run(pod: Obj, container: str) -> bool:
    status = pod.get("status") or {}
    for s in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if s.get("name") == container:
            return bool((s.get("lastState") or {}).get("terminated")) or int(s.get("restartCount") or 0) > 0
    return False


def pod_logs(*, cluster: Cluster, namespace: str, name: str, container: str | None = None,
             previous: bool = False, since_seconds: int | None = None, tail_lines: int | None = None,
             timestamps: bool = False) -> tuple[str, bool]:
    """(log text, truncated). At most POD_LOG_LIMIT_BYTES bytes; a cut log ends at its last whole line."""
    pod = pod_get(cluster=cluster, namespace=namespace, name=name)
    container = choose_container(pod, container)
    if previous and not _has_previous_run(pod, container):
        raise errors.InvalidRequest(
            f"Container '{container}' of pod '{name}' has no previous run: it has not restarted"
        )
    limit = int(settings.POD_LOG_LIMIT_BYTES)
    options: Obj = {"container": container, "previous": previous, "timestamps": timestamps, "limit_bytes": limit}
    if since_seconds is not None:
        options["since_seconds"] = since_seconds
    if tail_lines is not None:
        options["tail_lines"] = tail_lines
    with missing_as(cluster, "Pod", namespace, name):
        data = read_bytes(cluster, gateway.core_v1(cluster).read_namespaced_pod_log, name, namespace, **options)
    truncated = len(data) >= limit
    if truncated and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    return data.decode("utf-8", errors="replace"), truncated


# --- events --------------------------------------------------------------------------------------

def event_item(event: Obj) -> Obj:
    """One event; handles the old fields (first/lastTimestamp, count) and the new ones (eventTime, series)."""
    series = event.get("series") or {}
    first = event.get("firstTimestamp") or event.get("eventTime") or (event.get("metadata") or {}).get(
        "creationTimestamp")
    last = series.get("lastObservedTime") or event.get("lastTimestamp") or event.get("eventTime") or first
    return {
        "type": event.get("type"),
        "reason": event.get("reason"),
        "message": event.get("message"),
        "firstSeen": rfc3339(first),
        "lastSeen": rfc3339(last),
        "count": int(series.get("count") or event.get("count") or 1),
    }


def pod_events(*, cluster: Cluster, namespace: str, name: str) -> list[Obj]:
    """The pod's events, oldest first (by when they were last seen), as `kubectl describe pod` selects them."""
    pod = pod_get(cluster=cluster, namespace=namespace, name=name)
    selector = f"involvedObject.kind=Pod,involvedObject.name={name},involvedObject.namespace={namespace}"
    uid = (pod.get("metadata") or {}).get("uid")
    if uid:
        selector += f",involvedObject.uid={uid}"
    body = read_json(cluster, gateway.core_v1(cluster).list_namespaced_event, namespace, field_selector=selector)
    items = [event_item(e) for e in (body or {}).get("items") or []]
    items.sort(key=lambda e: (e["lastSeen"] or "", e["firstSeen"] or ""))
    return items
