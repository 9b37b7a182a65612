"""Pod subresources: log, eviction, binding, exec."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import clock, logs
from ..errors import ApiError, bad_request, not_found
from ..pdb import matching_pdbs, pdb_status
from .common import Target, json_response, query_bool, query_int, read_body

if TYPE_CHECKING:
    from ..cluster import Cluster

Obj = dict[str, Any]


def _pod(cluster: Cluster, t: Target) -> Obj:
    pod = cluster.store.ref("pods", t.namespace, t.name)
    if pod is None:
        raise not_found("pods", "", t.name)
    return pod


def default_container_name(pod: Obj) -> str:
    ann = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    if ann and ann in names:
        return ann
    return names[0] if names else ""


def _container(pod: Obj, name: str) -> tuple[Obj, Obj | None, bool]:
    """(container spec, its status, is_init) or 400."""
    spec = pod["spec"]
    st = pod.get("status") or {}
    for group, sgroup, init in (("containers", "containerStatuses", False),
                                ("initContainers", "initContainerStatuses", True),
                                ("ephemeralContainers", "ephemeralContainerStatuses", False)):
        for c in spec.get(group) or []:
            if c["name"] == name:
                cs = next((s for s in st.get(sgroup) or [] if s.get("name") == name), None)
                return c, cs, init
    raise bad_request(f"container {name} is not valid for pod {pod['metadata']['name']}")


# ---- logs -------------------------------------------------------------------------------


async def log_handler(request: web.Request, cluster: Cluster, t: Target) -> web.StreamResponse:
    pod = _pod(cluster, t)
    name = pod["metadata"]["name"]
    cname = request.query.get("container", "")
    if not cname:
        cs = [c["name"] for c in pod["spec"].get("containers") or []]
        inits = [c["name"] for c in pod["spec"].get("initContainers") or []]
        if len(cs) == 1:
            cname = cs[0]
        else:
            msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(cs)}]"
            if inits:
                msg += f" or one of the init containers: [{' '.join(inits)}]"
            raise bad_request(msg)
    container, cstatus, _ = _container(pod, cname)
    previous = query_bool(request, "previous")
    follow = query_bool(request, "follow") and not previous
    timestamps = query_bool(request, "timestamps")
    tail = query_int(request, "tailLines")
    limit_bytes = query_int(request, "limitBytes")
    since_s = query_int(request, "sinceSeconds")
    since = None
    if since_s is not None:
        if since_s < 1:
            raise ApiError(422, f'PodLogOptions "{name}" is invalid: sinceSeconds: Invalid value: {since_s}: '
                                "must be greater than 0", "Invalid")
        since = clock.now() - since_s
    elif request.query.get("sinceTime"):
        since = clock.parse(request.query["sinceTime"])
    if not pod["spec"].get("nodeName"):
        return web.Response(body=b"", content_type="text/plain")
    state = (cstatus or {}).get("state") or {}
    restarts = (cstatus or {}).get("restartCount", 0)
    if previous:
        last = ((cstatus or {}).get("lastState") or {}).get("terminated")
        if not last:
            raise bad_request(f'previous terminated container "{cname}" in pod "{name}" not found')
        start, end = clock.parse(last.get("startedAt")) or 0.0, clock.parse(last.get("finishedAt")) or 0.0
        lines = logs.generate(pod, container, start, end, restarts - 1, last.get("exitCode"), since)
        return web.Response(body=logs.render(lines, timestamps=timestamps, tail=tail, since=since,
                                             limit_bytes=limit_bytes), content_type="text/plain")
    running, term = state.get("running"), state.get("terminated")
    instance = restarts
    if running:
        start, end, code = clock.parse(running.get("startedAt")) or clock.now(), clock.now(), None
    elif term:
        start, end, code = clock.parse(term.get("startedAt")) or 0.0, clock.parse(term.get("finishedAt")) or 0.0, \
            term.get("exitCode")
    else:
        last = ((cstatus or {}).get("lastState") or {}).get("terminated")
        waiting = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
        if last:  # crash-looping: the kubelet serves the most recent (terminated) instance
            start, end, code = clock.parse(last.get("startedAt")) or 0.0, clock.parse(last.get("finishedAt")) \
                or 0.0, last.get("exitCode")
            instance = restarts - 1
        else:
            if waiting in ("ImagePullBackOff", "ErrImagePull"):
                waiting = "trying and failing to pull image"
            raise bad_request(f'container "{cname}" in pod "{name}" is waiting to start: {waiting}')
    lines = logs.generate(pod, container, start, end, instance, code, since)
    body = logs.render(lines, timestamps=timestamps, tail=tail, since=since, limit_bytes=limit_bytes)
    if not follow or not running:
        return web.Response(body=body, content_type="text/plain")
    return await _follow(request, cluster, t, pod, container, start, instance, body, timestamps, limit_bytes)


async def _follow(request: web.Request, cluster: Cluster, t: Target, pod: Obj, container: Obj, start: float,
                  instance: int, first: bytes, timestamps: bool, limit_bytes: int | None) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
    resp.enable_chunked_encoding()
    sent = 0
    try:
        await resp.prepare(request)
        if first:
            await resp.write(first)
            sent += len(first)
        last = clock.now()
        uid = pod["metadata"]["uid"]
        while limit_bytes is None or sent < limit_bytes:
            nxt = logs.next_line_after(pod, container, start, instance, last)
            await asyncio.sleep(max(0.05, min(1.0, nxt - clock.now())))
            cur = cluster.store.ref("pods", t.namespace, t.name)
            if cur is None or cur["metadata"]["uid"] != uid:
                break
            cs = next((s for s in (cur.get("status") or {}).get("containerStatuses") or []
                       if s.get("name") == container["name"]), None)
            running = ((cs or {}).get("state") or {}).get("running")
            now = clock.now()
            lines = [ln for ln in logs.generate(cur, container, start, now, instance, since=last) if ln[0] > last]
            last = now
            if lines:
                chunk = logs.render(lines, timestamps=timestamps, tail=None, since=None, limit_bytes=None)
                if limit_bytes is not None:
                    chunk = chunk[: limit_bytes - sent]
                await resp.write(chunk)
                sent += len(chunk)
            if not running:
                break
        with contextlib.suppress(ConnectionError):
            await resp.write_eof()
    except ConnectionError:
        pass
    return resp


# ---- eviction ---------------------------------------------------------------------------


def _too_many(message_cause: str, retry: int) -> ApiError:
    details: Obj = {"causes": [{"reason": "DisruptionBudget", "message": message_cause}]}
    if retry:
        details["retryAfterSeconds"] = retry
    return ApiError(429, "Cannot evict pod as it would violate the pod's disruption budget.", "TooManyRequests",
                    details)


async def eviction_handler(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    body = await read_body(request) or {}
    if not isinstance(body, dict):
        raise bad_request("the body of the request is not a valid Eviction")
    if body.get("kind") and body["kind"] != "Eviction":
        raise bad_request(f"the kind in the data ({body['kind']}) does not match the expected kind (Eviction)")
    bname = (body.get("metadata") or {}).get("name")
    if bname and bname != t.name:
        raise bad_request("name in URL does not match name in Eviction object")
    opts = body.get("deleteOptions") or {}
    with cluster.store.lock:
        pod = _pod(cluster, t)
        st = pod.get("status") or {}
        ignore = st.get("phase") in ("Succeeded", "Failed", "Pending") or pod["metadata"].get("deletionTimestamp")
        if not ignore:
            pdbs = matching_pdbs(cluster.store, pod)
            if len(pdbs) > 1:
                raise ApiError(500, "This pod has more than one PodDisruptionBudget, which the eviction "
                                    "subresource does not support.", "InternalError")
            if pdbs:
                pdb = pdbs[0]
                status = pdb_status(cluster.store, pdb)
                ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])
                healthy_enough = status["currentHealthy"] >= status["desiredHealthy"] and status["desiredHealthy"] > 0
                if not ready and healthy_enough:
                    pass
                elif status["disruptionsAllowed"] <= 0:
                    raise _too_many(f"The disruption budget {pdb['metadata']['name']} needs "
                                    f"{status['desiredHealthy']} healthy pods and has {status['currentHealthy']} "
                                    "currently", 0)
                else:
                    def dec(p: Obj) -> Obj:
                        s = pdb_status(cluster.store, p)
                        s["disruptionsAllowed"] = max(0, s["disruptionsAllowed"] - 1)
                        s.setdefault("disruptedPods", {})[t.name] = clock.iso()
                        p["status"] = s
                        return p
                    cluster.store.mutate("poddisruptionbudgets.policy", t.namespace, pdb["metadata"]["name"], dec)
        cluster.delete(t.res, t.namespace, t.name, opts)
    return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                         201)


# ---- binding ----------------------------------------------------------------------------


async def binding_handler(request: web.Request, cluster: Cluster, t: Target) -> web.Response:
    body = await read_body(request) or {}
    target = (body.get("target") or {}).get("name") if isinstance(body, dict) else None
    if not target:
        raise ApiError(422, f'Binding "{t.name}" is invalid: target.name: Required value', "Invalid")
    with cluster.store.lock:
        pod = _pod(cluster, t)
        if pod["spec"].get("nodeName"):
            raise ApiError(409, f'Operation cannot be fulfilled on pods/binding "{t.name}": pod {t.name} is already '
                                f'assigned to node "{pod["spec"]["nodeName"]}"', "Conflict")
        new = copy.deepcopy(pod)
        new["spec"]["nodeName"] = target
        cluster.store.replace("pods", new)
    return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                         201)


# ---- exec -------------------------------------------------------------------------------


async def exec_route(request: web.Request, cluster: Cluster, t: Target) -> web.StreamResponse:
    pod = _pod(cluster, t)
    cname = request.query.get("container") or default_container_name(pod)
    _container(pod, cname)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise bad_request(f"cannot exec into a container in a completed pod; current phase is {phase}")
    command = request.query.getall("command", [])
    try:
        mod = importlib.import_module("kubesim.exec")
    except ModuleNotFoundError as e:
        if e.name != "kubesim.exec":
            raise
        raise ApiError(501, "pod exec is not available in this build of kubesim", "NotImplemented") from None
    handler = mod.exec_handler
    return await handler(request, pod=copy.deepcopy(pod), container=cname, command=list(command))
