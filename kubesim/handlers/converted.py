"""CRUD for resources served from another resource's objects (events.k8s.io/v1 Events).

Objects are stored once, in the storage resource's shape; requests and answers are converted with
`kubesim.conversion`. Selectors and the Table printer work on the stored shape, as the API server's
do on its internal type.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..conversion import from_version, to_version
from ..errors import ApiError, bad_request, invalid, method_not_allowed, not_found
from ..resources import BY_KEY
from ..tables import to_table
from . import crud, watch
from .common import Target, json_response, query_bool, query_int, read_body, wants_table

if TYPE_CHECKING:
    from ..cluster import Cluster

Obj = dict[str, Any]


def _storage_target(t: Target) -> Target:
    return Target(BY_KEY[t.res.storage], t.namespace, t.name, t.sub, t.watch_path)


def _out(t: Target, obj: Obj) -> Obj:
    return to_version(t.res.key, obj)


async def dispatch(request: web.Request, cluster: Cluster, t: Target) -> web.StreamResponse:
    method = request.method
    if t.sub:
        raise not_found(t.res.plural, t.res.group, t.name) if method == "GET" else method_not_allowed()
    if t.watch_path or (method == "GET" and query_bool(request, "watch")):
        if method != "GET":
            raise method_not_allowed()
        return await watch.watch_objects(request, cluster, t)
    if not t.name:
        if method == "GET":
            return await _list(request, cluster, t)
        if method == "POST":
            return await _create(request, cluster, t)
        if method == "DELETE":
            return await _delete_collection(request, cluster, t)
        raise method_not_allowed()
    if method == "GET":
        return _get(request, cluster, t)
    if method in ("PUT", "PATCH"):
        return await _update(request, cluster, t)
    if method == "DELETE":
        return await _delete(request, cluster, t)
    raise method_not_allowed()


async def _list(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    res = t.res
    flt = crud.Filter(request, res, t.namespace)
    limit = query_int(request, "limit") or 0
    cont = request.query.get("continue", "")
    after = crud._decode_continue(cont) if cont else None
    with cluster.store.lock:
        rv = str(cluster.store.resource_version)
        objs = cluster.store.refs(res.store_key, t.namespace or None, after)
    matched: list[Obj] = []
    meta: Obj = {"resourceVersion": rv}
    selective = bool(flt.labels or flt.fields)
    for i, o in enumerate(objs):
        if not flt(o):
            continue
        if limit and len(matched) >= limit:
            md = matched[-1]["metadata"]
            meta["continue"] = crud._encode_continue(rv, md.get("namespace", ""), md["name"])
            if not selective:
                meta["remainingItemCount"] = len(objs) - i
            break
        matched.append(o)
    if wants_table(request):
        return json_response(to_table(res.key, matched, include=request.query.get("includeObject", "Metadata"),
                                      list_meta=meta))
    return json_response({"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta,
                          "items": [crud.list_item(_out(t, o)) for o in matched]})


def _get(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    obj = cluster.store.ref(t.res.store_key, t.namespace, t.name)
    if obj is None:
        raise not_found(t.res.plural, t.res.group, t.name)
    if wants_table(request):
        return json_response(to_table(t.res.key, [obj], include=request.query.get("includeObject", "Metadata"),
                                      list_meta={"resourceVersion": obj["metadata"]["resourceVersion"]}))
    return json_response(_out(t, obj))


def _check_kind(t: Target, body: Any) -> Obj:
    if not isinstance(body, dict):
        raise bad_request("the body of the request is not a valid object")
    res = t.res
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if api_version and api_version != res.api_version:
        raise bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                          f"version ({res.api_version})")
    if kind and kind != res.kind:
        raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({res.kind})")
    body["apiVersion"], body["kind"] = res.api_version, res.kind
    return body


def _validate_event_v1(t: Target, ev: Obj) -> None:
    """events.k8s.io/v1 requires what the core API leaves optional (ValidateEventCreate)."""
    if t.res.group != "events.k8s.io":
        return
    causes = []
    for f, what in (("eventTime", "eventTime"), ("reportingController", "reportingController"),
                    ("reportingInstance", "reportingInstance"), ("action", "action"), ("reason", "reason")):
        if not ev.get(f):
            causes.append({"field": what, "reason": "FieldValueRequired", "message": "Required value"})
    if ev.get("type") not in ("Normal", "Warning"):
        causes.append({"field": "type", "reason": "FieldValueNotSupported",
                       "message": f'Unsupported value: "{ev.get("type") or ""}": supported values: "Normal", '
                                  '"Warning"'})
    if len(ev.get("note") or "") > 1024:
        causes.append({"field": "note", "reason": "FieldValueTooLong",
                       "message": "Too long: may not be more than 1024 bytes"})
    if causes:
        raise invalid(t.res.kind, t.res.group, (ev.get("metadata") or {}).get("name", ""), causes)


async def _create(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    body = _check_kind(t, await read_body(request))
    st = _storage_target(t)
    core = from_version(t.res.key, body)
    obj = crud.prepare_create(cluster, st.res, core, t.namespace)
    _validate_event_v1(t, to_version(t.res.key, obj))
    if request.query.get("dryRun") == "All":
        return json_response(_out(t, obj), 201)
    return json_response(_out(t, cluster.store.create(st.res.key, obj)), 201)


async def _update(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    body = await read_body(request)
    st = _storage_target(t)
    with cluster.store.lock:
        old = cluster.store.ref(st.res.key, t.namespace, t.name)
        if old is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        if request.method == "PATCH":
            ctype = request.content_type
            if ctype == "application/apply-patch+yaml":
                raise ApiError(415, "server-side apply is not supported by kubesim for this resource",
                               "UnsupportedMediaType")
            new = crud.apply_patch(ctype, copy.deepcopy(_out(t, old)), body)
            if not isinstance(new, dict):
                raise bad_request("patch produced an invalid object")
        else:
            new = body
        new = _check_kind(t, new)
        _validate_event_v1(t, new)
        core = from_version(t.res.key, new)
        if t.res.key == "horizontalpodautoscalers.v1.autoscaling":  # v1 does not carry v2's extra metrics
            _keep_v2_fields(old, core)
        if request.query.get("dryRun") == "All":
            return json_response(_out(t, core))
        return json_response(_out(t, crud._apply_update(cluster, st, old, core, "")))


async def _delete(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    opts = await crud.delete_options(request)
    st = _storage_target(t)
    if opts.get("dryRun"):
        obj = cluster.store.ref(st.res.key, t.namespace, t.name)
        if obj is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        return json_response(_out(t, obj))
    obj, removed = cluster.delete(st.res, t.namespace, t.name, opts)
    if removed:
        return json_response(crud.deleted_status(t.res, obj))
    return json_response(_out(t, obj))


async def _delete_collection(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    opts = await crud.delete_options(request)
    flt = crud.Filter(request, t.res, t.namespace)
    st = _storage_target(t)
    items = []
    for o in cluster.store.refs(st.res.key, t.namespace or None):
        if flt(o):
            try:
                obj, _ = cluster.delete(st.res, o["metadata"].get("namespace", ""), o["metadata"]["name"], opts)
                items.append(crud.list_item(_out(t, obj)))
            except ApiError as e:
                if e.code != 404:
                    raise
    return json_response({"kind": t.res.kind + "List", "apiVersion": t.res.api_version,
                          "metadata": {"resourceVersion": str(cluster.store.resource_version)}, "items": items})




def _keep_v2_fields(old: Obj, new: Obj) -> None:
    """An autoscaling/v1 update keeps the v2-only spec (other metrics, behavior), as the annotations that
    carry them through v1 do on a real server."""
    ospec, nspec = old.get("spec") or {}, new.setdefault("spec", {})
    if "metrics" not in nspec and ospec.get("metrics"):
        nspec["metrics"] = copy.deepcopy(ospec["metrics"])
    if ospec.get("behavior") is not None:
        nspec.setdefault("behavior", copy.deepcopy(ospec["behavior"]))
