"""Reads and writes of any registry kind (kube/registry.py), as raw JSON: the generic half of every kind's
selectors and services.

    items, note = generic.list_items(cluster, registry.get("configmaps"), namespace="shop")
    obj = generic.get_object(cluster, kind, namespace="shop", name="web")

Lists go through the watch cache (kube/cache.py) when it is on, with a direct list as the fallback. A cluster
that does not serve the kind's API group/version (a 404 on the list URL, e.g. no autoscaling/v2) lists nothing,
with a note saying so, rather than failing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common import errors
from kube import cache, gateway
from kube.objects import missing_as, namespace_must_exist
from kube.raw import read_json
from kube.registry import Kind
from kube.target import ClusterTarget

Obj = dict[str, Any]


class NotServed(errors.NotFound):
    """The cluster does not serve the kind's API group/version."""


def not_served_message(cluster: ClusterTarget, kind: Kind) -> str:
    return (f"The cluster '{cluster.name}' does not serve {kind.api_version} ({kind.plural}): "
            f"nothing to list")


def _api(cluster: ClusterTarget, kind: Kind) -> Any:
    return gateway.api_for(cluster, kind.api)


def list_directly(cluster: ClusterTarget, kind: Kind, namespace: str | None = None, *,
                  label_selector: str | None = None, field_selector: str | None = None,
                  timeout: tuple[float, float] | None = None) -> list[Obj]:
    """The direct list (no cache). NotServed when the cluster answers 404 on the list URL."""
    api = _api(cluster, kind)
    options: dict[str, Any] = {"label_selector": label_selector, "field_selector": field_selector,
                               "_request_timeout": timeout}
    options = {k: v for k, v in options.items() if v}
    try:
        if kind.namespaced and namespace:
            body = read_json(cluster, getattr(api, kind.method_name("list")), namespace, **options)
        else:
            body = read_json(cluster, getattr(api, kind.list_all), **options)
    except NotServed:
        raise
    except errors.NotFound:
        raise NotServed(not_served_message(cluster, kind)) from None
    return (body or {}).get("items") or []


def list_items(cluster: ClusterTarget, kind: Kind, *, namespace: str | None = None,
               label_selector: str | None = None, transform: Callable[[Obj], Any] | None = None,
               ) -> tuple[list[Any], str | None]:
    """(objects, note): the kind's objects (transformed by `transform`, a pure shaper), from the watch cache when on.

    The note is None, or says the cluster does not serve the kind (then the list is empty).
    """
    def direct() -> list[Obj]:
        return list_directly(cluster, kind, namespace, label_selector=label_selector)

    try:
        if not kind.cached:
            objects = direct()
            return (objects if transform is None else [transform(o) for o in objects]), None
        objects = cache.list_objects(
            cluster, kind.plural, namespace=namespace if kind.namespaced else None, label_selector=label_selector,
            transform=transform, fallback=direct)
    except NotServed as exc:
        return [], exc.message
    return objects, None


def get_object(cluster: ClusterTarget, kind: Kind, *, name: str, namespace: str | None = None) -> Obj:
    """One object as the API server sent it; a 404 names the namespace or the object."""
    api = _api(cluster, kind)
    if kind.namespaced:
        with missing_as(cluster, kind.kind, namespace or "", name):
            return read_json(cluster, getattr(api, kind.method_name("read")), name, namespace)
    try:
        return read_json(cluster, getattr(api, kind.method_name("read")), name)
    except errors.NotFound:
        raise errors.NotFound(f"{kind.kind} '{name}' not found in cluster '{cluster.name}'") from None


def create_object(cluster: ClusterTarget, kind: Kind, body: Obj, *, namespace: str | None = None) -> Obj:
    """Create from a manifest dict; the API server's answer as raw JSON."""
    api = _api(cluster, kind)
    body = {"apiVersion": kind.api_version, "kind": kind.kind, **body}
    if kind.namespaced:
        namespace_must_exist(cluster, namespace or "")
        return read_json(cluster, getattr(api, kind.method_name("create")), namespace, body)
    return read_json(cluster, getattr(api, kind.method_name("create")), body)


def replace_object(cluster: ClusterTarget, kind: Kind, body: Obj, *, name: str, namespace: str | None = None) -> Obj:
    """Replace (PUT) the object; a resourceVersion in the body makes a stale write a 409."""
    api = _api(cluster, kind)
    body = {"apiVersion": kind.api_version, "kind": kind.kind, **body}
    if kind.namespaced:
        with missing_as(cluster, kind.kind, namespace or "", name):
            return read_json(cluster, getattr(api, kind.method_name("replace")), name, namespace, body)
    return read_json(cluster, getattr(api, kind.method_name("replace")), name, body)


def delete_object(cluster: ClusterTarget, kind: Kind, *, name: str, namespace: str | None = None) -> None:
    """Delete the object (background propagation, as kubectl does); 404 names what is missing."""
    api = _api(cluster, kind)
    options = {"propagation_policy": "Background"}
    if kind.namespaced:
        with missing_as(cluster, kind.kind, namespace or "", name):
            read_json(cluster, getattr(api, kind.method_name("delete")), name, namespace, **options)
        return
    try:
        read_json(cluster, getattr(api, kind.method_name("delete")), name, **options)
    except errors.NotFound:
        raise errors.NotFound(f"{kind.kind} '{name}' not found in cluster '{cluster.name}'") from None
