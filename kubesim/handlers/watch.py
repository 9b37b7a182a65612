"""watch=true streams: history replay from a resourceVersion, live events, bookmarks, timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..conversion import to_version
from ..errors import ApiError, bad_request
from ..tables import to_table
from .common import Target, dumps, query_bool, query_int, wants_table
from .crud import Filter

if TYPE_CHECKING:
    from ..cluster import Cluster

Obj = dict[str, Any]
log = logging.getLogger("kubesim")
BOOKMARK_EVERY = 5.0


def _translate(flt: Filter, typ: str, obj: Obj, prev: Obj | None, rv: int) -> tuple[str, Obj] | None:
    """Apply selectors the way the watch cache does (objects moving in/out of the selection)."""
    if typ != "MODIFIED":
        return (typ, obj) if flt(obj) else None
    cur_ok = flt(obj)
    old_ok = prev is not None and flt(prev)
    if cur_ok and old_ok:
        return "MODIFIED", obj
    if cur_ok:
        return "ADDED", obj
    if old_ok and prev is not None:
        gone = dict(prev)
        gone["metadata"] = {**prev["metadata"], "resourceVersion": str(rv)}
        return "DELETED", gone
    return None


async def watch_objects(request: web.Request, cluster: Cluster, t: Target) -> web.StreamResponse:
    res = t.res
    store = cluster.store
    flt = Filter(request, res, t.namespace)
    if t.name:
        flt.fields.append(("metadata.name", "=", t.name))
    rv_param = request.query.get("resourceVersion", "")
    bookmarks = query_bool(request, "allowWatchBookmarks")
    timeout = query_int(request, "timeoutSeconds")
    deadline = time.monotonic() + (timeout if timeout is not None and timeout > 0 else 1800)
    table = wants_table(request)
    include = request.query.get("includeObject", "Metadata")
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Obj, Obj | None, int]] = asyncio.Queue()

    def on_event(typ: str, obj: Obj, prev: Obj | None, rv: int) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (typ, obj, prev, rv))

    initial: list[tuple[str, Obj, Obj | None, int]] = []
    error: ApiError | None = None
    with store.lock:
        unsubscribe = store.subscribe(res.store_key, on_event)
        snapshot_rv = store.resource_version
        if rv_param in ("", "0"):
            for o in store.refs(res.store_key, t.namespace or None):
                initial.append(("ADDED", o, None, int(o["metadata"]["resourceVersion"])))
        else:
            try:
                want = int(rv_param)
            except ValueError:
                unsubscribe()
                raise bad_request(f'resourceVersion: Invalid value: "{rv_param}": must be a valid integer') from None
            try:
                initial = [(typ, obj, prev, rv) for rv, typ, obj, prev in store.history_since(res.store_key, want)]
            except ApiError as e:
                error = e
    resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()

    def encode(typ: str, obj: Obj) -> bytes:
        if table and typ != "BOOKMARK" and typ != "ERROR":
            obj = to_table(res.key, [obj], include=include, headers=True,
                           list_meta={"resourceVersion": obj["metadata"]["resourceVersion"]})
        elif res.storage and typ != "BOOKMARK" and typ != "ERROR":
            obj = to_version(res.key, obj)
        return dumps({"type": typ, "object": obj}) + b"\n"

    try:
        await resp.prepare(request)
        if error is not None:
            await resp.write(dumps({"type": "ERROR", "object": error.status()}) + b"\n")
            return resp
        for typ, obj, prev, rv in initial:
            ev = _translate(flt, typ, obj, prev, rv)
            if ev:
                await resp.write(encode(*ev))
        next_bookmark = time.monotonic() + BOOKMARK_EVERY
        seen_rv = snapshot_rv
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            wait = deadline - now
            if bookmarks:
                wait = min(wait, max(0.0, next_bookmark - now))
            try:
                typ, obj, prev, rv = await asyncio.wait_for(queue.get(), timeout=wait)
            except TimeoutError:
                if bookmarks and time.monotonic() >= next_bookmark:
                    # every event up to `current` was recorded before we read it; let their queued
                    # callbacks land, and deliver them first, so the bookmark never skips one
                    current = store.resource_version
                    await asyncio.sleep(0)
                    if not queue.empty():
                        continue
                    bm = {"kind": res.kind, "apiVersion": res.api_version,
                          "metadata": {"resourceVersion": str(current)}}
                    await resp.write(dumps({"type": "BOOKMARK", "object": bm}) + b"\n")
                    next_bookmark = time.monotonic() + BOOKMARK_EVERY
                continue
            if rv <= seen_rv:
                continue
            seen_rv = rv
            ev = _translate(flt, typ, obj, prev, rv)
            if ev:
                await resp.write(encode(*ev))
        with contextlib.suppress(ConnectionError):
            await resp.write_eof()
    except ConnectionError:
        pass
    except Exception:  # the response has started: end the stream rather than answer twice
        log.exception("watch stream failed")
    finally:
        unsubscribe()
    return resp
