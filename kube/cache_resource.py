"""One watch cache: the objects of one resource of one cluster, listed once and kept current by a watch.

The thread, the list/watch protocol and the consistency checks; the registry and the read API are kube/cache.py
(whose docstring explains the design).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from common import errors
from kube import registry
from kube.cache_index import Index
from kube.cache_rows import make_record
from kube.errors import translate

log = logging.getLogger("kube.cache")
Obj = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """A resource the cache can hold: the API class and its cluster-wide list/watch method."""

    name: str
    api: type
    list_all: str


class _Resources(Mapping[str, Resource]):
    """The resources the cache can hold, read live from the one table of kinds (kube/registry.py)."""

    def __getitem__(self, name: str) -> Resource:
        kind = registry.cached_kinds()[name]
        return Resource(kind.plural, kind.api, kind.list_all)

    def __iter__(self) -> Iterator[str]:
        return iter(registry.cached_kinds())

    def __len__(self) -> int:
        return len(registry.cached_kinds())


RESOURCES: Mapping[str, Resource] = _Resources()

# Failures of the initial list a waiting read re-raises instead of reading directly (and waiting as long again).
_TRANSPORT = (errors.ClusterTimeout, errors.ClusterUnreachable)


@dataclass(frozen=True)
class CacheState:
    """One cache's state: `synced` (first list done, watch not broken), `objects` held, `last_event_at` (epoch
    seconds of the last list or watch event), `relists` (lists after the first), `watch_restarts` (watch requests
    after the first: each server timeout, break or 410), `errors` (failed lists and watches)."""

    resource: str
    synced: bool
    objects: int
    last_event_at: float | None
    relists: int
    watch_restarts: int
    errors: int

    @property
    def last_event_time(self) -> dt.datetime | None:
        """`last_event_at` as an aware UTC datetime (for serializers)."""
        return None if self.last_event_at is None else dt.datetime.fromtimestamp(self.last_event_at, dt.UTC)


class CacheLoading(errors.AppError):
    """The first list of a big cluster is still loading: a clear 503 with Retry-After, rather than a long wait
    for the cache or for a direct read that would be as slow (see kube/cache.py, "Loading")."""

    status_code = 503
    default_code = "cache_loading"

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait  # seconds; rendered as the Retry-After header (common.exceptions)


class _Expired(Exception):
    """The watch's resourceVersion is too old (410 Gone / Expired): relist."""


class _Relist(Exception):
    """A reader asked for a relist."""


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _timeouts(read_extra: float = 0.0) -> tuple[float, float]:
    return (settings.KUBE_CONNECT_TIMEOUT, settings.KUBE_READ_TIMEOUT + read_extra)


class ResourceCache:
    """The objects of one resource of one cluster, kept current by one daemon thread."""

    def __init__(self, key: tuple[int, str, str], cluster_name: str, api_client: Any,
                 epoch_now: Callable[[], int], on_exit: Callable[[ResourceCache], None],
                 keep_raw: bool = False) -> None:
        self.key = key
        self.resource = RESOURCES[key[2]]
        self.cluster_name = cluster_name
        self._list_fn = getattr(self.resource.api(api_client), self.resource.list_all)
        self._epoch_now = epoch_now
        self._on_exit = on_exit
        self._cond = threading.Condition()
        self._keep_raw = keep_raw  # also keep whole objects, for raw readers (kube.cache.list_objects)
        self._index = Index(keep_raw)
        self._loaded = 0  # objects received so far by the list in progress
        self._remaining: int | None = None  # what that list's server said was left (remainingItemCount)
        self._list_started = 0.0
        self._memo: dict[Callable[[Obj], Any], dict[int, tuple[Obj, Any]]] = {}
        self._rv: str | None = None
        self._ready = False
        self._error: BaseException | None = None  # why the first list failed (until one succeeds)
        self._error_at = 0.0
        self._broken_since: float | None = None
        self._relist_wanted = False
        self._verified_epoch = 0
        self._events = 0  # watch events applied, ever
        self._last_event_at: float | None = None  # wall clock of the last list or watch event (bookmarks too)
        self._resp: Any = None
        self._stop = threading.Event()
        self.last_read = time.monotonic()
        self.stats: Counter[str] = Counter()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"kube-watch-cache-{key[0]}-{key[2]}")

    # --- for readers ------------------------------------------------------------------------------

    @property
    def resource_version(self) -> str | None:
        return self._rv

    @property
    def verified_epoch(self) -> int:
        """The write epoch (of this cluster and resource) the cache is known to have caught up with."""
        return self._verified_epoch

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def settle(self, epoch: int, written_rv: int | None = None, need_current: bool = False) -> bool:
        """Wait (bounded) until the cache may answer a read: False when it cannot be trusted for it (the caller
        reads directly). Raises CacheLoading while the first list of a big cluster is still loading, and the
        translated 504/502 when the first list this read waited for did not reach the cluster."""
        self.last_read = started = time.monotonic()
        with self._cond:
            settled = self._wait_first_list(started)
            error, error_at = self._error, self._error_at
            if settled and not self._ready and isinstance(error, _TRANSPORT) and error_at >= started:
                # the cluster did not answer the list this read waited for: a direct read would only wait again
                raise error
            if not settled or not self._ready or self.stopped:
                return False
            broken = self._broken_since
            if broken is not None and time.monotonic() - broken > settings.KUBE_WATCH_CACHE_STALE_SECONDS:
                return False
            fresh = self._verified_epoch >= epoch
        return fresh or self._catch_up(epoch, written_rv, need_current)

    def _wait_first_list(self, started: float) -> bool:
        """Under the lock: wait for the first list, at most KUBE_WATCH_CACHE_INITIAL_WAIT; a big one (more than
        KUBE_WATCH_CACHE_DIRECT_MAX objects already received) at most KUBE_WATCH_CACHE_LOADING_WAIT, then 503."""
        deadline = started + settings.KUBE_WATCH_CACHE_INITIAL_WAIT
        loading_until = started + settings.KUBE_WATCH_CACHE_LOADING_WAIT
        while True:
            if self._ready or self._error is not None or self.stopped:
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= loading_until and self._loaded >= settings.KUBE_WATCH_CACHE_DIRECT_MAX:
                raise self._loading_error(now)
            self._cond.wait(min(deadline, loading_until if now < loading_until else deadline) - now)

    def _loading_error(self, now: float) -> CacheLoading:
        elapsed = max(0.001, now - self._list_started)
        rate = self._loaded / elapsed
        # without remainingItemCount, nothing says how much is left: about as long again
        wait = self._remaining / rate if self._remaining is not None and rate > 0 else elapsed
        wait_s = int(min(60, max(1, wait + 0.999)))
        return CacheLoading(f"Cluster '{self.cluster_name}' is still loading its {self.resource.name} "
                            f"({self._loaded} so far); retry in {wait_s} s", wait_s)

    def objects(self, epoch: int, written_rv: int | None = None, need_current: bool = False) -> list[Obj] | None:
        """The whole cached objects (read-only), or None when the cache cannot answer this read.

        A lean cache (started by a row read) keeps no whole objects: the first raw read asks for them, the cache
        relists once keeping them, and keeps them from then on (until it stops).
        """
        if not self.settle(epoch, written_rv, need_current):
            return None
        with self._cond:
            raw = self._index.raw
            if raw is not None:
                return list(raw.values())
            self._keep_raw = self._relist_wanted = True
            lists = self.stats["lists"]
        self._abort_stream()
        with self._cond:
            if not self._cond.wait_for(lambda: self.stats["lists"] > lists or self.stopped,
                                       timeout=settings.KUBE_WATCH_CACHE_INITIAL_WAIT) or self.stopped:
                return None
            raw = self._index.raw
            return None if raw is None else list(raw.values())

    def read(self, reader: Callable[[Index, threading.Condition], Any], epoch: int, written_rv: int | None = None,
             need_current: bool = False) -> Any:
        """`reader(index, lock)` under the cache's lock once the cache may answer; None when it cannot."""
        if not self.settle(epoch, written_rv, need_current):
            return None
        with self._cond:
            return reader(self._index, self._cond)

    def state(self) -> CacheState:
        """What an operator asks of this cache (cluster detail, /metrics, /readyz), read without waiting."""
        with self._cond:
            synced = self._ready and self._broken_since is None and not self.stopped
            count, last = len(self._index), self._last_event_at
        lists, watches = self.stats["lists"], self.stats["watches"]
        return CacheState(resource=self.resource.name, synced=synced, objects=count, last_event_at=last,
                          relists=max(0, lists - 1), watch_restarts=max(0, watches - 1), errors=self.stats["errors"])

    def derive(self, objects: list[Obj], transform: Callable[[Obj], Any]) -> list[Any]:
        """`transform` of each object, remembered per object version (a new version is a new dict)."""
        memo = self._memo.setdefault(transform, {})
        if len(memo) > 2 * len(self._index) + 100:  # forget the results of versions long replaced
            memo.clear()
        out = []
        for obj in objects:
            hit = memo.get(id(obj))
            if hit is None or hit[0] is not obj:  # the object is kept in the entry, so its id cannot be reused
                hit = memo[id(obj)] = (obj, transform(obj))
            out.append(hit[1])
        return out

    def _catch_up(self, epoch: int, written_rv: int | None, need_current: bool) -> bool:
        """Make sure the cache has seen our writes: their own version, else everything up to now."""
        self.stats["consistent_reads"] += 1
        target_int: int | None = written_rv
        if need_current or written_rv is None:
            try:
                current = as_int(self._current_rv())
            except Exception:  # noqa: BLE001 - the direct read that follows reports the cluster's error
                return False
            target_int = None if current is None else max(current, written_rv or 0)
        timeout = settings.KUBE_WATCH_CACHE_SYNC_WAIT
        with self._cond:
            if target_int is not None and self._cond.wait_for(
                    lambda: (as_int(self._rv) or -1) >= target_int or self.stopped, timeout=timeout):
                if self.stopped:
                    return False
                self._verified_epoch = max(self._verified_epoch, epoch)
                return True
            self.stats["relists_for_reads"] += 1
            self._relist_wanted = True
        self._abort_stream()
        with self._cond:
            return self._cond.wait_for(lambda: self._verified_epoch >= epoch or self.stopped,
                                       timeout=settings.KUBE_WATCH_CACHE_INITIAL_WAIT) and not self.stopped

    def _current_rv(self) -> str | None:
        response = self._list_fn(limit=1, _preload_content=False, _request_timeout=_timeouts())
        try:
            document = json.loads(response.data or b"{}")
        finally:
            response.release_conn()
        return (document.get("metadata") or {}).get("resourceVersion")

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Ask the thread to end; a blocked stream read is unblocked by shutting its socket."""
        self._stop.set()
        self._abort_stream()
        with self._cond:
            self._cond.notify_all()

    def _abort_stream(self) -> None:
        resp = self._resp
        if resp is None:
            return
        with contextlib.suppress(Exception):
            resp.shutdown()  # urllib3 >= 2.3: unblocks a read in another thread

    def is_idle(self) -> bool:
        return time.monotonic() - self.last_read > settings.KUBE_WATCH_CACHE_IDLE_SECONDS

    # --- the thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        need_list = True
        events_at_expiry = -1
        while not self.stopped:
            if self.is_idle():
                self.stats["idle_stops"] += 1
                break
            try:
                if need_list or self._relist_wanted:
                    self._list()
                    need_list = False
                    if self.stopped:
                        break
                self._watch()
                failures = 0
            except (_Expired, _Relist) as why:
                need_list = True
                self.stats["expired" if isinstance(why, _Expired) else "relist_requests"] += 1
                if isinstance(why, _Expired):
                    if self._events == events_at_expiry:  # expired again with no event in between: back off
                        failures += 1
                        self._stop.wait(min(settings.KUBE_WATCH_CACHE_MAX_BACKOFF, 0.25 * 2 ** min(failures, 10)))
                    events_at_expiry = self._events
                continue
            except Exception as exc:  # noqa: BLE001 - every failure is retried with back-off
                if self.stopped:
                    break
                self._failed(exc)
                failures += 1
                delay = min(settings.KUBE_WATCH_CACHE_MAX_BACKOFF, 0.25 * 2 ** min(failures, 10))
                self._stop.wait(delay * (1 + random.random() / 5))
        self.stop()
        self._on_exit(self)

    def _failed(self, exc: BaseException) -> None:
        error = translate(exc, self.cluster_name) or exc
        log.warning("watch cache %s of cluster '%s': %s", self.resource.name, self.cluster_name,
                    getattr(error, "message", None) or type(error).__name__)
        self.stats["errors"] += 1
        with self._cond:
            if self._broken_since is None:
                self._broken_since = time.monotonic()
            if not self._ready:
                self._error, self._error_at = error, time.monotonic()
            self._cond.notify_all()

    def _list(self) -> None:
        """A complete, paginated list; swapped in whole once every page has arrived."""
        started_epoch = self._epoch_now()
        with self._cond:
            self._relist_wanted = False
            keep_raw = self._keep_raw
            self._loaded, self._remaining, self._list_started = 0, None, time.monotonic()
        index = Index(keep_raw)
        name = self.resource.name
        token: str | None = None
        rv: str | None = None
        while True:
            options: dict[str, Any] = {"limit": settings.KUBE_WATCH_CACHE_PAGE_SIZE}
            if token:
                options["_continue"] = token
            response = self._list_fn(**options, _preload_content=False, _request_timeout=_timeouts())
            try:
                document = json.loads(response.data or b"{}")
            finally:
                response.release_conn()
            metadata = document.get("metadata") or {}
            rv = rv or metadata.get("resourceVersion")  # every page is served at the first page's version
            items = document.get("items") or []
            for obj in items:
                index.put(make_record(name, obj, index.interner), obj)
            del document, items
            token = metadata.get("continue")
            with self._cond:
                self._loaded = len(index)
                self._remaining = as_int(metadata.get("remainingItemCount"))
                self._cond.notify_all()
            if not token:
                break
            if self.stopped:
                return
        with self._cond:
            self._index, self._rv = index, rv
            self._ready, self._error, self._broken_since = True, None, None
            self._verified_epoch = max(self._verified_epoch, started_epoch)
            self._last_event_at = time.time()
            self.stats["lists"] += 1
            self._cond.notify_all()

    def _watch(self) -> None:
        """One watch request, applied event by event until it ends, breaks, or expires."""
        remaining = settings.KUBE_WATCH_CACHE_IDLE_SECONDS - (time.monotonic() - self.last_read)
        seconds = int(max(1, min(settings.KUBE_WATCH_CACHE_WATCH_SECONDS, remaining + 1)))
        try:
            resp = self._list_fn(watch=True, resource_version=self._rv, allow_watch_bookmarks=True,
                                 timeout_seconds=seconds, _preload_content=False,
                                 _request_timeout=_timeouts(seconds))
        except ApiException as exc:
            if exc.status == 410:
                raise _Expired() from exc
            raise
        self._resp = resp
        try:
            if self.stopped or self._relist_wanted:
                raise _Relist()
            self.stats["watches"] += 1
            with self._cond:
                self._broken_since = None
            try:
                for line in iter_resp_lines(resp):
                    if line:
                        self._apply(json.loads(line))
                    if self.stopped:
                        return
                    if self._relist_wanted:
                        raise _Relist()
            except (_Expired, _Relist):
                raise
            except Exception:
                if self.stopped:
                    return
                if self._relist_wanted:  # the reader that asked for it shut the stream
                    raise _Relist() from None
                raise
            if self._relist_wanted:
                raise _Relist()
        finally:
            self._resp = None
            with contextlib.suppress(Exception):
                resp.close()  # never hand a (possibly shut-down) watch connection back to the pool for reuse
                resp.release_conn()

    def _apply(self, event: Obj) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            code = obj.get("code")
            if code == 410:
                raise _Expired()
            raise ApiException(status=code, reason=f"{obj.get('reason')}: {obj.get('message')}")
        metadata = obj.get("metadata") or {}
        record = None
        if kind in ("ADDED", "MODIFIED"):  # the row is made outside the lock (only this thread writes the index)
            obj.pop("kind", None)  # list items carry no kind/apiVersion; keep the shapes identical
            obj.pop("apiVersion", None)
            record = make_record(self.resource.name, obj, self._index.interner)
        with self._cond:
            if record is not None:
                self._index.put(record, obj)
            elif kind == "DELETED":
                self._index.remove((metadata.get("namespace") or "", metadata.get("name") or ""))
            if metadata.get("resourceVersion"):
                self._rv = metadata["resourceVersion"]
            self.stats[str(kind)] += 1
            self._events += 1
            self._last_event_at = time.time()
            self._cond.notify_all()
