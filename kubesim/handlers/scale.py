"""The autoscaling/v1 `scale` subresource of deployments, replicasets and statefulsets."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import managedfields
from ..errors import bad_request, invalid, not_found
from ..selectors import selector_string
from .common import Target, json_response, read_body
from .crud import apply_patch, field_manager

if TYPE_CHECKING:
    from ..cluster import Cluster

Obj = dict[str, Any]


def to_scale(obj: Obj) -> Obj:
    md = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if k in md},
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                   "selector": selector_string((obj.get("spec") or {}).get("selector"))},
    }


def _set_replicas(cluster: Cluster, t: Target, old: Obj, scale: Obj, manager: str) -> Obj:
    if not isinstance(scale, dict):
        raise bad_request("the body of the request is not a valid Scale")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or replicas < 0:
        raise invalid("Scale", "autoscaling", t.name, [{
            "field": "spec.replicas", "reason": "FieldValueInvalid",
            "message": f"Invalid value: {replicas}: must be greater than or equal to 0"}])
    expect = (scale.get("metadata") or {}).get("resourceVersion") or None
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = replicas
    managedfields.record_update(old, new, manager, t.res.api_version, t.res.kind, "scale")
    return cluster.store.replace(t.res.key, new, expect_rv=expect)


async def scale_handler(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    with cluster.store.lock:
        old = cluster.store.ref(t.res.key, t.namespace, t.name)
        if old is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        if request.method == "GET":
            return json_response(to_scale(old))
    body = await read_body(request)
    with cluster.store.lock:
        old = cluster.store.ref(t.res.key, t.namespace, t.name)
        if old is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        if request.method == "PATCH":
            body = apply_patch(request.content_type, to_scale(old), body)
        return json_response(to_scale(_set_replicas(cluster, t, old, body, field_manager(request))))
