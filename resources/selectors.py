"""Reads that join or fall back: Services with their EndpointSlices, claims with the pods using them, Events from
events.k8s.io/v1 or else core v1. Lists go through the watch cache (kube/generic.py); shaped items are shared and
read-only, so every join returns copies.
"""
from __future__ import annotations

from typing import Any

from clusters.models import Cluster
from common import errors
from kube import gateway, generic, registry
from kube.objects import namespace_must_exist
from kube.raw import read_json
from pods.selectors import raw_pods
from resources.shapes import events as event_shapes
from resources.shapes import network, storage

Obj = dict[str, Any]


# --- Services ------------------------------------------------------------------------------------

def slices_by_service(cluster: Cluster, *, namespace: str | None) -> dict[tuple[str, str], list[Obj]] | None:
    """Every EndpointSlice of the namespace (or cluster), listed once, grouped by Service; None when the cluster
    serves no discovery.k8s.io/v1."""
    slices, note = generic.list_items(cluster, registry.get("endpointslices"), namespace=namespace)
    return None if note else network.slices_by_service(slices)


def services_with_endpoints(cluster: Cluster, items: list[Obj], *, namespace: str | None) -> list[Obj]:
    """Copies of Service items with their ready/not-ready endpoint counts."""
    grouped = slices_by_service(cluster, namespace=namespace)
    return [network.with_endpoints(i, None if grouped is None else grouped.get((i["namespace"], i["name"]), []))
            for i in items]


def service_detail(cluster: Cluster, *, namespace: str, name: str) -> Obj:
    """One Service with its endpoints, from the slices labelled with its name."""
    kind = registry.get("services")
    detail = registry.detail_shaper(kind)(generic.get_object(cluster, kind, namespace=namespace, name=name))
    slices, note = generic.list_items(cluster, registry.get("endpointslices"), namespace=namespace,
                                      label_selector=f"{network.SERVICE_NAME_LABEL}={name}")
    return network.with_endpoints(detail, None if note else slices)


# --- PersistentVolumeClaims ----------------------------------------------------------------------

def claims_with_users(cluster: Cluster, items: list[Obj], *, namespace: str | None) -> list[Obj]:
    """Copies of claim items (or details) with the pods using each (one pod list for all of them)."""
    if not items:
        return items
    users = storage.claims_in_use(raw_pods(cluster, namespace=namespace))
    return [storage.with_users(i, users) for i in items]


# --- Events --------------------------------------------------------------------------------------

def core_events(cluster: Cluster, *, namespace: str | None, label_selector: str | None) -> list[Obj]:
    """Core v1 events, shaped like events.k8s.io/v1 ones (for clusters that do not serve that group)."""
    core = gateway.core_v1(cluster)
    options = {"label_selector": label_selector} if label_selector else {}
    if namespace:
        body = read_json(cluster, core.list_namespaced_event, namespace, **options)
    else:
        body = read_json(cluster, core.list_event_for_all_namespaces, **options)
    return [event_shapes.core_event_item(e) for e in (body or {}).get("items") or []]


def event_detail(cluster: Cluster, *, namespace: str, name: str) -> Obj:
    """One event, from events.k8s.io/v1, else from core v1 (a cluster that does not serve the group answers 404
    for it, so the core read decides)."""
    kind = registry.get("events")
    try:
        return registry.detail_shaper(kind)(generic.get_object(cluster, kind, namespace=namespace, name=name))
    except errors.NotFound:
        pass
    try:
        raw = read_json(cluster, gateway.core_v1(cluster).read_namespaced_event, name, namespace)
    except errors.NotFound:
        namespace_must_exist(cluster, namespace)
        raise errors.NotFound(f"Event '{name}' not found in namespace '{namespace}' of cluster "
                              f"'{cluster.name}'") from None
    return event_shapes.core_event_item(raw)


def filter_events(items: list[Obj], query: dict[str, Any]) -> list[Obj]:
    """The event filters: type, reason, involvedKind (any case), involvedName, since, search."""
    wanted_type = query.get("type")
    reason = (query.get("reason") or "").strip().lower()
    kind = (query.get("involvedKind") or "").strip().lower()
    involved = (query.get("involvedName") or "").strip()
    since = query.get("since")
    since_text = since.strftime("%Y-%m-%dT%H:%M:%SZ") if since is not None else None
    needle = (query.get("search") or "").strip().lower()
    out = []
    for e in items:
        if wanted_type and e.get("type") != wanted_type:
            continue
        if reason and (e.get("reason") or "").lower() != reason:
            continue
        if kind and (e.get("involvedKind") or "").lower() != kind:
            continue
        if involved and e.get("involvedName") != involved:
            continue
        if since_text and (e.get("lastSeen") or "") < since_text:
            continue
        if needle and not any(needle in (e.get(f) or "").lower() for f in ("name", "involvedName", "message")):
            continue
        out.append(e)
    return out
