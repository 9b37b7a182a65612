"""A minimal /openapi/v3: enough for kubectl to see that the server validates fields itself.

Each group-version document lists the resource paths with their operations, the
`fieldValidation` query parameter and `x-kubernetes-group-version-kind`; schemas are omitted,
so kubectl relies on server-side validation (`fieldValidation=Strict`) as it does against a
real API server.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..resources import RESOURCES, Resource

Obj = dict[str, Any]
PARAM = {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True},
         "description": "fieldValidation instructs the server on how to handle objects in the request "
                        "containing unknown or duplicate fields."}


def _gv_path(r: Resource) -> str:
    return f"apis/{r.group}/{r.version}" if r.group else "api/v1"


def _ops(r: Resource, item: bool) -> Obj:
    gvk = {"group": r.group, "version": r.version, "kind": r.kind}
    ops: Obj = {}
    for method, action in (("get", "get" if item else "list"), ("put", "put"), ("patch", "patch"),
                           ("post", "post"), ("delete", "delete" if item else "deletecollection")):
        if item and method == "post" or not item and method in ("put", "patch"):
            continue
        op: Obj = {"operationId": f"{action}{r.kind}", "x-kubernetes-action": action,
                   "x-kubernetes-group-version-kind": gvk, "responses": {"200": {"description": "OK"}}}
        if method in ("put", "patch", "post"):
            op["parameters"] = [PARAM]
        ops[method] = op
    return ops


def gv_document(gv: str) -> Obj | None:
    paths: Obj = {}
    for r in RESOURCES:
        if _gv_path(r) != gv:
            continue
        base = f"/{gv}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"/{gv}/{r.plural}"
        paths[base] = _ops(r, item=False)
        paths[base + "/{name}"] = _ops(r, item=True)
    if not paths:
        return None
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"}, "paths": paths,
            "components": {"schemas": {}}}


def root_document() -> Obj:
    out: Obj = {}
    for gv in sorted({_gv_path(r) for r in RESOURCES}):
        digest = hashlib.sha512(json.dumps(gv_document(gv), sort_keys=True).encode()).hexdigest().upper()
        out[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": out}
