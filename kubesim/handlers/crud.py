"""get / list / create / replace / patch / delete / deletecollection for every resource."""

from __future__ import annotations

import base64
import copy
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import managedfields, ssa
from ..defaults import default_object, random_suffix, validate, validate_pod_update
from ..errors import ApiError, bad_request, not_found
from ..patch import json_patch, merge_patch, strategic_merge_patch
from ..resources import Resource
from ..selectors import match_fields, match_requirements, parse_field_selector, parse_label_selector
from ..tables import to_table
from .common import Target, json_response, query_int, read_body, wants_table

if TYPE_CHECKING:
    from ..cluster import Cluster

Obj = dict[str, Any]
PATCH_TYPES = ("application/json-patch+json, application/merge-patch+json, "
               "application/apply-patch+yaml, application/strategic-merge-patch+json")


def for_output(obj: Obj) -> Obj:
    return obj


def list_item(obj: Obj) -> Obj:
    """Items of a list carry no kind/apiVersion, as the API server encodes them."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


class Filter:
    def __init__(self, request: web.Request, res: Resource, namespace: str) -> None:
        self.labels = parse_label_selector(request.query.get("labelSelector", ""))
        self.fields = parse_field_selector(request.query.get("fieldSelector", ""), res.key)
        self.key = res.key
        self.namespace = namespace

    def __call__(self, obj: Obj) -> bool:
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        if self.labels and not match_requirements(self.labels, obj["metadata"].get("labels")):
            return False
        return not self.fields or match_fields(self.fields, self.key, obj)


def _encode_continue(rv: str, ns: str, name: str) -> str:
    start = f"{ns}/{name}" if ns else name
    return base64.b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": int(rv), "start": start + "\u0000"}).encode()
                            ).decode()


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.b64decode(token))
        start = str(data["start"]).rstrip("\x00")
        ns, _, name = start.rpartition("/")
        return (ns, name)
    except (ValueError, KeyError, TypeError):
        raise bad_request("continue key is not valid: illegal base64 data at input byte 0") from None


def ensure_namespace(cluster: Cluster, ns: str, res: Resource, name: str) -> None:
    nso = cluster.store.ref("namespaces", "", ns)
    if nso is None:
        raise not_found("namespaces", "", ns)
    if nso["metadata"].get("deletionTimestamp"):
        raise ApiError(403, f'{res.qualified} "{name}" is forbidden: unable to create new content in namespace '
                            f"{ns} because it is being terminated", "Forbidden",
                       {"name": name, "kind": res.plural, **({"group": res.group} if res.group else {})})


async def list_objects(request: web.Request, cluster: Cluster, t: Target) -> web.StreamResponse:
    res = t.res
    flt = Filter(request, res, t.namespace)
    limit = query_int(request, "limit") or 0
    cont = request.query.get("continue", "")
    after = _decode_continue(cont) if cont else None
    selective = bool(flt.labels or flt.fields)
    with cluster.store.lock:
        rv = str(cluster.store.resource_version)
        if limit and not selective:  # a page of a plain list: only the page (and one more) is looked at
            objs, total = cluster.store.window(res.key, t.namespace or None, after, limit + 1)
        else:
            objs = cluster.store.refs(res.key, t.namespace or None, after)
            total = len(objs)
    matched: list[Obj] = []
    next_token = ""
    remaining: int | None = None
    for i, o in enumerate(objs):
        if flt(o):
            if limit and len(matched) >= limit:
                md = matched[-1]["metadata"]
                next_token = _encode_continue(rv, md.get("namespace", ""), md["name"])
                if not selective:
                    remaining = total - i
                break
            matched.append(o)
    meta: Obj = {"resourceVersion": rv}
    if next_token:
        meta["continue"] = next_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    if wants_table(request):
        include = request.query.get("includeObject", "Metadata")
        return json_response(to_table(res.key, matched, include=include, list_meta=meta))
    return json_response({"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta,
                          "items": [list_item(o) for o in matched]})


async def get_object(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    obj = cluster.store.ref(t.res.key, t.namespace, t.name)
    if obj is None:
        raise not_found(t.res.plural, t.res.group, t.name)
    if wants_table(request):
        return json_response(to_table(t.res.key, [obj], include=request.query.get("includeObject", "Metadata"),
                                      list_meta={"resourceVersion": obj["metadata"]["resourceVersion"]}))
    return json_response(obj)


def _check_kind(res: Resource, body: Any) -> Obj:
    if not isinstance(body, dict):
        raise bad_request("the body of the request is not a valid object")
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if api_version and api_version != res.api_version:
        raise bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                          f"version ({res.api_version})")
    if kind and kind != res.kind:
        raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({res.kind})")
    body["apiVersion"], body["kind"] = res.api_version, res.kind
    return body


def _dry_run(request: web.Request) -> bool:
    return request.query.get("dryRun") == "All"


async def create_object(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    res = t.res
    body = _check_kind(res, await read_body(request))
    obj = prepare_create(cluster, res, body, t.namespace)
    managedfields.record_update(None, obj, field_manager(request), res.api_version, res.kind)
    if _dry_run(request):
        return json_response(obj, 201)
    return json_response(cluster.store.create(res.key, obj), 201)


def prepare_create(cluster: Cluster, res: Resource, body: Obj, namespace: str) -> Obj:
    md = body.setdefault("metadata", {})
    if not isinstance(md, dict):
        raise bad_request("metadata must be an object")
    if res.namespaced:
        if md.get("namespace") and namespace and md["namespace"] != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                              "request")
        md["namespace"] = namespace or md.get("namespace") or "default"
    else:
        md.pop("namespace", None)
    if not md.get("name"):
        if md.get("generateName"):
            md["name"] = md["generateName"] + random_suffix(5, cluster.rng)
        else:
            raise ApiError(422, f"{res.kind}{'.' + res.group if res.group else ''} \"\" is invalid: "
                                "metadata.name: Required value: name or generateName is required", "Invalid",
                           {"kind": res.kind, **({"group": res.group} if res.group else {}),
                            "causes": [{"reason": "FieldValueRequired",
                                        "message": "Required value: name or generateName is required",
                                        "field": "metadata.name"}]})
    if res.namespaced:
        ensure_namespace(cluster, md["namespace"], res, md["name"])
    for f in ("resourceVersion", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
              "generation", "selfLink", "managedFields"):
        md.pop(f, None)
    md["uid"] = cluster.uid()
    if res.key not in ("events", "nodes"):
        body.pop("status", None)
    default_object(res, body)
    validate(res, body)
    return body


def field_manager(request: web.Request) -> str:
    """The manager a write is recorded under: `fieldManager`, else the user agent's prefix (as the API server)."""
    return managedfields.manager_from(request.query.get("fieldManager"), request.headers.get("User-Agent", ""))


def _apply_update(cluster: Cluster, t: Target, old: Obj, new: Obj, sub: str, manager: str | None = None) -> Obj:
    new, expect = prepare_update(cluster, t, old, new, sub)
    if manager is not None:
        managedfields.record_update(old, new, manager, t.res.api_version, t.res.kind, sub)
    return cluster.store.replace(t.res.key, new, expect_rv=expect)


def prepare_update(cluster: Cluster, t: Target, old: Obj, new: Obj, sub: str) -> tuple[Obj, str | None]:
    """`new` checked, defaulted and validated as an update of `old` (not stored), and its resourceVersion
    precondition."""
    res = t.res
    new = _check_kind(res, new)
    md = new.setdefault("metadata", {})
    if md.get("name") and md["name"] != t.name:
        raise bad_request(f"the name of the object ({md['name']}) does not match the name on the URL ({t.name})")
    md["name"] = t.name
    if res.namespaced:
        if md.get("namespace") and md["namespace"] != t.namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                              "request")
        md["namespace"] = t.namespace
    expect = md.get("resourceVersion") or None
    for f in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
        if f in old["metadata"]:
            md[f] = old["metadata"][f]
        else:
            md.pop(f, None)
    if sub == "status":
        merged = copy.deepcopy(old)
        merged["status"] = new.get("status")
        if merged["status"] is None:
            merged.pop("status")
        merged["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        new = merged
    elif res.key not in ("events",):
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        else:
            new.pop("status", None)
        if res.key == "pods":
            validate_pod_update(old, new)
        elif res.key == "namespaces":
            new["spec"] = copy.deepcopy(old.get("spec", {}))
        elif res.key == "jobs.batch":
            new.setdefault("spec", {})["selector"] = copy.deepcopy((old.get("spec") or {}).get("selector"))
        if res.key != "nodes":
            default_object_for_update(res, new)
        validate(res, new)
    return new, expect


def default_object_for_update(res: Resource, obj: Obj) -> None:
    """Re-apply defaults to the spec (status kept as is)."""
    if res.key in ("pods", "namespaces", "jobs.batch"):
        return
    status = obj.get("status")
    default_object(res, obj)
    if status is not None:
        obj["status"] = status
    else:
        obj.pop("status", None)


async def replace_object(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    body = await read_body(request)
    with cluster.store.lock:
        old = cluster.store.ref(t.res.key, t.namespace, t.name)
        if old is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        if _dry_run(request):
            return json_response(body)
        return json_response(_apply_update(cluster, t, old, body, t.sub, field_manager(request)))


def apply_patch(request_ctype: str, old: Obj, patch: Any) -> Obj:
    if request_ctype == "application/json-patch+json":
        return json_patch(old, patch)
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
    if request_ctype == "application/merge-patch+json":
        return merge_patch(old, patch)
    if request_ctype == "application/strategic-merge-patch+json":
        return strategic_merge_patch(old, patch)
    raise ApiError(415, f"the body of the request was in an unknown format - accepted media types include: "
                        f"{PATCH_TYPES}", "UnsupportedMediaType")


async def patch_object(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    ctype = request.content_type
    if ctype == "application/apply-patch+yaml":
        return await _server_side_apply(request, cluster, t)
    if "force" in request.query:
        raise ApiError(422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for '
                            "non-apply patch", "Invalid")
    if ctype not in ("application/json-patch+json", "application/merge-patch+json",
                     "application/strategic-merge-patch+json"):
        raise ApiError(415, f"the body of the request was in an unknown format - accepted media types include: "
                            f"{PATCH_TYPES}", "UnsupportedMediaType")
    patch = await read_body(request)
    with cluster.store.lock:
        old = cluster.store.ref(t.res.key, t.namespace, t.name)
        if old is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        new = apply_patch(ctype, old, patch)
        if not isinstance(new, dict):
            raise bad_request("patch produced an invalid object")
        if _dry_run(request):
            return json_response(new)
        return json_response(_apply_update(cluster, t, old, new, t.sub, field_manager(request)))


async def _server_side_apply(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    manager = request.query.get("fieldManager", "")
    if not manager:
        raise ApiError(422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for '
                            "apply patch", "Invalid")
    force = request.query.get("force", "false")
    if force not in ("true", "false", "1", "0", "True", "False"):
        raise bad_request(f"invalid value for force: {force!r}")
    body = await read_body(request)
    with cluster.store.lock:
        live = cluster.store.ref(t.res.key, t.namespace, t.name)
        if live is None and t.res.namespaced:
            ensure_namespace(cluster, t.namespace, t.res, t.name)
        obj, status = ssa.apply(cluster, t, live, body, manager, force in ("true", "1", "True"), _dry_run(request))
        return json_response(obj, status)


async def delete_options(request: web.Request) -> Obj:
    opts: Obj = {}
    body = await read_body(request)
    if isinstance(body, dict):
        opts.update(body)
    q = request.query
    if "gracePeriodSeconds" in q:
        opts["gracePeriodSeconds"] = query_int(request, "gracePeriodSeconds")
    if "propagationPolicy" in q:
        opts["propagationPolicy"] = q["propagationPolicy"]
    if "orphanDependents" in q:
        opts["orphanDependents"] = q["orphanDependents"] == "true"
    if "preconditions.uid" in q:
        opts.setdefault("preconditions", {})["uid"] = q["preconditions.uid"]
    if "preconditions.resourceVersion" in q:
        opts.setdefault("preconditions", {})["resourceVersion"] = q["preconditions.resourceVersion"]
    if q.get("dryRun") == "All":
        opts["dryRun"] = ["All"]
    pol = opts.get("propagationPolicy")
    if pol not in (None, "Foreground", "Background", "Orphan"):
        raise ApiError(422, f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
                            f'"{pol}": supported values: "Foreground", "Background", "Orphan", "nil"', "Invalid")
    return opts


def deleted_status(res: Resource, obj: Obj) -> Obj:
    details: Obj = {"name": obj["metadata"]["name"], "kind": res.plural, "uid": obj["metadata"].get("uid")}
    if res.group:
        details = {"name": details["name"], "group": res.group, "kind": res.plural, "uid": details["uid"]}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


async def delete_object(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    opts = await delete_options(request)
    if opts.get("dryRun"):
        obj = cluster.store.ref(t.res.key, t.namespace, t.name)
        if obj is None:
            raise not_found(t.res.plural, t.res.group, t.name)
        return json_response(obj)
    obj, removed = cluster.delete(t.res, t.namespace, t.name, opts)
    if removed and t.res.key not in ("pods", "namespaces"):
        return json_response(deleted_status(t.res, obj))
    return json_response(obj)


async def delete_collection(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    opts = await delete_options(request)
    flt = Filter(request, t.res, t.namespace)
    items = []
    for o in cluster.store.refs(t.res.key, t.namespace or None):
        if flt(o):
            try:
                obj, _ = cluster.delete(t.res, o["metadata"].get("namespace", ""), o["metadata"]["name"], opts)
                items.append(list_item(obj))
            except ApiError as e:
                if e.code != 404:
                    raise
    return json_response({"kind": t.res.kind + "List", "apiVersion": t.res.api_version,
                          "metadata": {"resourceVersion": str(cluster.store.resource_version)}, "items": items})
