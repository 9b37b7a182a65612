"""The aiohttp application: authentication, routing, errors."""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from .errors import ApiError, method_not_allowed, path_not_found
from .handlers import converted, crud, discovery, openapi, pods, scale, watch
from .handlers.common import error_response, json_response, parse_path, query_bool

if TYPE_CHECKING:
    from .cluster import Cluster

log = logging.getLogger("kubesim")
PUBLIC = {"/version", "/healthz", "/livez", "/readyz"}
CLUSTER_KEY = web.AppKey("cluster", object)
TOKEN_KEY = web.AppKey("token", str)
ADDR_KEY = web.AppKey("address", list)
HEALTH_CHECKS = ["ping", "log", "etcd", "poststarthook/start-apiserver-admission-initializer",
                 "poststarthook/generic-apiserver-start-informers", "poststarthook/start-kube-apiserver-informers"]


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def anonymous_forbidden(request: web.Request) -> ApiError:
    """What RBAC answers system:anonymous (anonymous auth is on in kubeadm clusters)."""
    t = parse_path(request.path)
    user = 'User "system:anonymous"'
    if t is None:
        return ApiError(403, f'forbidden: {user} cannot {VERBS.get(request.method, "get")} path "{request.path}"',
                        "Forbidden", {})
    verb = VERBS.get(request.method, "get")
    if request.method == "GET" and not t.name:
        verb = "watch" if t.watch_path or query_bool(request, "watch") else "list"
    elif request.method == "DELETE" and not t.name:
        verb = "deletecollection"
    what = t.res.plural + (f"/{t.sub}" if t.sub else "")
    label = f'{what} "{t.name}"' if t.name else what
    scope = f'in the namespace "{t.namespace}"' if t.namespace else "at the cluster scope"
    details = {"kind": t.res.plural, **({"name": t.name} if t.name else {}), **({"group": t.res.group}
                                                                             if t.res.group else {})}
    return ApiError(403, f'{label} is forbidden: {user} cannot {verb} resource "{what}" in API group '
                         f'"{t.res.group}" {scope}', "Forbidden", details)


@web.middleware
async def api_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    try:
        auth = request.headers.get("Authorization", "")
        token = request.app[TOKEN_KEY]
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
                raise unauthorized()
        elif request.path.rstrip("/") not in PUBLIC and not request.path.startswith(("/healthz/", "/livez/",
                                                                                        "/readyz/")):
            raise anonymous_forbidden(request)
        return await handler(request)
    except ApiError as e:
        return error_response(e)
    except web.HTTPException:
        raise
    except Exception:  # a bug in the simulator: answer like the API server would
        log.exception("kubesim internal error on %s %s", request.method, request.path_qs)
        return error_response(ApiError(500, "Internal error occurred: kubesim failed to handle the request",
                                       "InternalError"))


def _health(request: web.Request) -> web.Response:
    name = request.path.strip("/").split("/")[0]
    if "verbose" in request.query:
        lines = [f"[+]{c} ok" for c in HEALTH_CHECKS]
        return web.Response(text="\n".join(lines) + f"\n{name} check passed\n", content_type="text/plain")
    return web.Response(text="ok", content_type="text/plain")


async def dispatch(request: web.Request) -> web.StreamResponse:
    cluster: Cluster = request.app[CLUSTER_KEY]  # type: ignore[assignment]
    path = request.path.rstrip("/") or "/"
    method = request.method
    if path == "/version":
        return json_response(discovery.VERSION)
    if path in ("/healthz", "/livez", "/readyz") or path.startswith(("/healthz/", "/livez/", "/readyz/")):
        return _health(request)
    if path == "/api":
        addr = request.app[ADDR_KEY][0] if request.app[ADDR_KEY] else "127.0.0.1:443"
        return json_response(discovery.api_versions(addr))
    if path == "/apis":
        return json_response(discovery.api_group_list())
    if path == "/openapi/v3":
        return json_response(openapi.root_document())
    if path.startswith("/openapi/v3/"):
        doc = openapi.gv_document(path[len("/openapi/v3/"):])
        if doc is None:
            raise path_not_found()
        return json_response(doc)
    parts = path.strip("/").split("/")
    if parts[0] == "apis" and len(parts) == 2:
        doc = discovery.api_group(parts[1])
        if doc is None:
            raise path_not_found()
        return json_response(doc)
    if (parts[0] == "apis" and len(parts) == 3) or (parts[0] == "api" and len(parts) == 2):
        doc = discovery.resource_list(parts[1] if parts[0] == "apis" else "", parts[-1])
        if doc is None:
            raise path_not_found()
        return json_response(doc)
    t = parse_path(path)
    if t is None:
        raise path_not_found()
    if t.namespace == "" and t.res.namespaced and t.name:
        raise path_not_found()
    if t.res.storage:
        return await converted.dispatch(request, cluster, t)
    if t.sub:
        return await _subresource(request, cluster, t)
    if t.watch_path or (method == "GET" and not t.name and query_bool(request, "watch")) or (
            method == "GET" and t.name and query_bool(request, "watch")):
        if method != "GET":
            raise method_not_allowed()
        return await watch.watch_objects(request, cluster, t)
    if not t.name:
        if method == "GET":
            return await crud.list_objects(request, cluster, t)
        if method == "POST":
            return await crud.create_object(request, cluster, t)
        if method == "DELETE":
            return await crud.delete_collection(request, cluster, t)
        raise method_not_allowed()
    handlers = {"GET": crud.get_object, "PUT": crud.replace_object, "PATCH": crud.patch_object,
                "DELETE": crud.delete_object}
    h = handlers.get(method)
    if h is None:
        raise method_not_allowed()
    return await h(request, cluster, t)


async def _subresource(request: web.Request, cluster: Cluster, t) -> web.StreamResponse:  # type: ignore[no-untyped-def]
    method = request.method
    key, sub = t.res.key, t.sub
    if sub == "status":
        if method == "GET":
            return await crud.get_object(request, cluster, t)
        if method == "PUT":
            return await crud.replace_object(request, cluster, t)
        if method == "PATCH":
            return await crud.patch_object(request, cluster, t)
        raise method_not_allowed()
    if sub == "scale" and key in ("deployments.apps", "replicasets.apps", "statefulsets.apps"):
        if method not in ("GET", "PUT", "PATCH"):
            raise method_not_allowed()
        return await scale.scale_handler(request, cluster, t)
    if key == "pods":
        if sub == "log" and method == "GET":
            return await pods.log_handler(request, cluster, t)
        if sub == "eviction" and method == "POST":
            return await pods.eviction_handler(request, cluster, t)
        if sub == "binding" and method == "POST":
            return await pods.binding_handler(request, cluster, t)
        if sub == "exec" and method in ("GET", "POST"):
            return await pods.exec_route(request, cluster, t)
        if sub in ("log", "eviction", "binding", "exec"):
            raise method_not_allowed()
    raise path_not_found()


def build_app(cluster: Cluster, token: str) -> web.Application:
    app = web.Application(middlewares=[api_middleware], client_max_size=32 * 1024 * 1024)
    app[CLUSTER_KEY] = cluster
    app[TOKEN_KEY] = token
    app[ADDR_KEY] = []
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
