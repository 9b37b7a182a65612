"""Per-cluster watch caches: list once, then watch, and answer list reads from memory.

    pods = cache.list_objects(cluster, "pods", namespace="default", fallback=lambda: direct_list(...))

One cache per (cluster id, credential fingerprint, resource), each run by one daemon thread:
an initial LIST (paginated with limit/continue, raw JSON via `_preload_content=False`), then a WATCH from the
list's resourceVersion with bookmarks, applying ADDED/MODIFIED/DELETED. A watch that ends (server timeout) or
breaks resumes from the last resourceVersion seen, with back-off; the server then either replays everything
since or answers 410 Gone/Expired, and only then does the cache relist. Caches hold nothing that cannot be
rebuilt from the cluster, so every process keeps its own (design.md, "Scale-out").

Reads (`list_objects`) return the raw API-shaped dicts a direct list would give, in no particular order; they
are shared with the cache, so callers must treat them as read-only. A read falls back to the caller's direct
fetch when the cache is off, has not finished its first list within KUBE_WATCH_CACHE_INITIAL_WAIT, failed it,
or has had a broken watch for longer than KUBE_WATCH_CACHE_STALE_SECONDS (so a dead cluster answers with the
direct read's own 502/504, never with old data). One exception: when the initial list a read was waiting for
failed because the cluster timed out or was unreachable, that read raises the same translated 504/502 at once
rather than waiting a second time for a direct read.

Read-your-writes: every successful write through the gateway calls `written(...)`, which notes which cached
resource it wrote and the resourceVersion the cluster answered with. The next read of that resource's cache then
waits until the cache has seen that version (the write's own watch event carries it, so this is a matter of
milliseconds). When the write answered no version (a delete, an eviction's Status), the read makes a consistent
read as kube-apiserver does for its own watch cache: it asks the cluster for its current resourceVersion
(a `limit=1` list) and waits for the cache to reach it. Either wait is bounded by KUBE_WATCH_CACHE_SYNC_WAIT;
if the watch cannot prove it in time (versions not comparable, or no event of this resource since), the cache
relists and the read waits for that. Reads of a resource we have not written since are served at once.
What controllers do in answer to a write (the pods of a scaled Deployment) and writes made by others (kubectl,
another process) show up as fast as the watch delivers them, usually milliseconds: a direct list made at the
same moment would not show them sooner.
"""
from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from common import errors
from kube import clients
from kube.cache_filters import select
from kube.errors import translate, translated

if TYPE_CHECKING:
    from clusters.models import Cluster

log = logging.getLogger(__name__)
Obj = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """A resource the cache can hold: the API class and its cluster-wide list/watch method."""

    name: str
    api: type
    list_all: str


RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("pods", k8s.CoreV1Api, "list_pod_for_all_namespaces"),
    Resource("nodes", k8s.CoreV1Api, "list_node"),
    Resource("deployments", k8s.AppsV1Api, "list_deployment_for_all_namespaces"),
    Resource("statefulsets", k8s.AppsV1Api, "list_stateful_set_for_all_namespaces"),
    Resource("daemonsets", k8s.AppsV1Api, "list_daemon_set_for_all_namespaces"),
    Resource("jobs", k8s.BatchV1Api, "list_job_for_all_namespaces"),
    Resource("cronjobs", k8s.BatchV1Api, "list_cron_job_for_all_namespaces"),
)}

_lock = threading.Lock()
_caches: dict[tuple[int, str, str], ResourceCache] = {}
# Per (cluster id, resource): how many writes of ours so far, the epoch of the last one that answered no
# resourceVersion, and the highest numeric resourceVersion written.
_write_epochs: Counter[tuple[int, str]] = Counter()
_unknown_epochs: dict[tuple[int, str], int] = {}
_write_rvs: dict[tuple[int, str], int] = {}
# What a gateway method writes, by a part of its name (first match wins); None: nothing we cache.
_WRITTEN = (("pod_disruption", None), ("pod_template", None), ("pod", "pods"), ("node", "nodes"),
            ("deployment", "deployments"), ("stateful_set", "statefulsets"), ("daemon_set", "daemonsets"),
            ("cron_job", "cronjobs"), ("job", "jobs"))

# Failures of the initial list a waiting read re-raises instead of reading directly (and waiting as long again).
_TRANSPORT = (errors.ClusterTimeout, errors.ClusterUnreachable)


class _Expired(Exception):
    """The watch's resourceVersion is too old (410 Gone / Expired): relist."""


class _Relist(Exception):
    """A reader asked for a relist."""


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _timeouts(read_extra: float = 0.0) -> tuple[float, float]:
    return (settings.KUBE_CONNECT_TIMEOUT, settings.KUBE_READ_TIMEOUT + read_extra)


class ResourceCache:
    """The objects of one resource of one cluster, kept current by one daemon thread."""

    def __init__(self, key: tuple[int, str, str], cluster_name: str, api_client: Any,
                 epoch_now: Callable[[], int]) -> None:
        self.key = key
        self.resource = RESOURCES[key[2]]
        self.cluster_name = cluster_name
        self._list_fn = getattr(self.resource.api(api_client), self.resource.list_all)
        self._epoch_now = epoch_now
        self._cond = threading.Condition()
        self._objects: dict[tuple[str, str], Obj] = {}
        self._rv: str | None = None
        self._ready = False
        self._error: BaseException | None = None  # why the first list failed (until one succeeds)
        self._error_at = 0.0
        self._broken_since: float | None = None
        self._relist_wanted = False
        self._verified_epoch = 0
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

    def objects(self, epoch: int, written_rv: int | None = None, need_current: bool = False) -> list[Obj] | None:
        """The cached objects, or None when the cache cannot be trusted for this read (the caller reads directly)."""
        self.last_read = started = time.monotonic()
        with self._cond:
            settled = self._cond.wait_for(lambda: self._ready or self._error is not None or self.stopped,
                                          timeout=settings.KUBE_WATCH_CACHE_INITIAL_WAIT)
            error, error_at = self._error, self._error_at
            if settled and not self._ready and isinstance(error, _TRANSPORT) and error_at >= started:
                # the cluster did not answer the list this read waited for: a direct read would only wait again
                raise error
            if not settled or not self._ready or self.stopped:
                return None
            broken = self._broken_since
            if broken is not None and time.monotonic() - broken > settings.KUBE_WATCH_CACHE_STALE_SECONDS:
                return None
            fresh = self._verified_epoch >= epoch
        if not fresh and not self._catch_up(epoch, written_rv, need_current):
            return None
        with self._cond:
            return list(self._objects.values())

    def _catch_up(self, epoch: int, written_rv: int | None, need_current: bool) -> bool:
        """Make sure the cache has seen our writes: their own version, else everything up to now."""
        self.stats["consistent_reads"] += 1
        target_int: int | None = written_rv
        if need_current or written_rv is None:
            try:
                current = _as_int(self._current_rv())
            except Exception:  # noqa: BLE001 - the direct read that follows reports the cluster's error
                return False
            target_int = None if current is None else max(current, written_rv or 0)
        timeout = settings.KUBE_WATCH_CACHE_SYNC_WAIT
        with self._cond:
            if target_int is not None and self._cond.wait_for(
                    lambda: (_as_int(self._rv) or -1) >= target_int or self.stopped, timeout=timeout):
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

    def _idle(self) -> bool:
        return time.monotonic() - self.last_read > settings.KUBE_WATCH_CACHE_IDLE_SECONDS

    # --- the thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        need_list = True
        while not self.stopped:
            if self._idle():
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
                continue
            except Exception as exc:  # noqa: BLE001 - every failure is retried with back-off
                if self.stopped:
                    break
                self._failed(exc)
                failures += 1
                delay = min(settings.KUBE_WATCH_CACHE_MAX_BACKOFF, 0.25 * 2 ** min(failures, 10))
                self._stop.wait(delay * (1 + random.random() / 5))
        self.stop()
        _forget(self)

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
        objects: dict[tuple[str, str], Obj] = {}
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
            for obj in document.get("items") or []:
                md = obj.get("metadata") or {}
                objects[(md.get("namespace") or "", md.get("name") or "")] = obj
            token = metadata.get("continue")
            if not token:
                break
            if self.stopped:
                return
        with self._cond:
            self._objects, self._rv = objects, rv
            self._ready, self._error, self._broken_since = True, None, None
            self._verified_epoch = max(self._verified_epoch, started_epoch)
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
                resp.release_conn()

    def _apply(self, event: Obj) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            code = obj.get("code")
            if code == 410:
                raise _Expired()
            raise ApiException(status=code, reason=f"{obj.get('reason')}: {obj.get('message')}")
        metadata = obj.get("metadata") or {}
        with self._cond:
            if kind in ("ADDED", "MODIFIED", "DELETED"):
                key = (metadata.get("namespace") or "", metadata.get("name") or "")
                if kind == "DELETED":
                    self._objects.pop(key, None)
                else:
                    obj.pop("kind", None)  # list items carry no kind/apiVersion; keep the shapes identical
                    obj.pop("apiVersion", None)
                    self._objects[key] = obj
            if metadata.get("resourceVersion"):
                self._rv = metadata["resourceVersion"]
            self.stats[str(kind)] += 1
            self._cond.notify_all()


# --- the module's API -----------------------------------------------------------------------------

def enabled() -> bool:
    return bool(getattr(settings, "KUBE_WATCH_CACHE", False))


def resource_written_by(method_name: str) -> str | None:
    """The cached resource a gateway method writes (`patch_namespaced_deployment_scale` → deployments), or None."""
    for part, resource in _WRITTEN:
        if part in method_name:
            return resource
    return None


def written_version(result: Any) -> str | None:
    """The resourceVersion a write answered with: from a model, or from a raw JSON body (read once, kept)."""
    metadata = getattr(result, "metadata", None)
    if metadata is not None and hasattr(metadata, "resource_version"):
        return metadata.resource_version
    headers = getattr(result, "headers", None)
    if headers is None or "json" not in str(headers.get("Content-Type", "")) or not hasattr(result, "data"):
        return None
    try:  # urllib3 keeps the body it read, so the caller's own `.data` gets the same bytes
        document = json.loads(result.data or b"{}")
    except (TypeError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("kind") == "Status":
        return None
    return (document.get("metadata") or {}).get("resourceVersion")


def written(cluster_id: int, method_name: str, result: Any) -> None:
    """The gateway's hook after a successful write (see "Read-your-writes" above)."""
    resource = resource_written_by(method_name)
    if resource is None:
        return
    version = None if method_name.startswith("delete_") else written_version(result)
    note_write(cluster_id, resource, version)


def note_write(cluster: Cluster | int, resource: str, resource_version: str | int | None = None) -> None:
    """Record a write of ours: the next read of that resource's cache waits until it has seen it.

    Without a resourceVersion (or a non-numeric one), that read makes a consistent read instead.
    """
    key = (cluster if isinstance(cluster, int) else cluster.pk, resource)
    with _lock:
        _write_epochs[key] += 1
        rv = _as_int(resource_version)
        if rv is None:
            _unknown_epochs[key] = _write_epochs[key]
        else:
            _write_rvs[key] = max(rv, _write_rvs.get(key, rv))


def cached_objects(cluster: Cluster, resource: str, *, namespace: str | None = None, node_name: str | None = None,
                   label_selector: str | None = None) -> list[Obj] | None:
    """The objects from the watch cache, or None when the cache is off or cannot answer (read directly then)."""
    if not enabled():
        return None
    _reap_idle()
    cache = _cache_for(cluster, resource)
    if cache is None:
        return None
    key = (cluster.pk, resource)
    with _lock:
        epoch, written_rv = _write_epochs[key], _write_rvs.get(key)
        need_current = _unknown_epochs.get(key, 0) > cache.verified_epoch
    objects = cache.objects(epoch, written_rv, need_current)
    if objects is None:
        cache.stats["fallbacks"] += 1
        return None
    return select(objects, namespace=namespace, node_name=node_name, label_selector=label_selector)


def list_objects(cluster: Cluster, resource: str, *, namespace: str | None = None, node_name: str | None = None,
                 label_selector: str | None = None, fallback: Callable[[], list[Obj]]) -> list[Obj]:
    """Raw objects of `resource` (read-only dicts), from the watch cache or else from `fallback()`."""
    objects = cached_objects(cluster, resource, namespace=namespace, node_name=node_name,
                             label_selector=label_selector)
    return objects if objects is not None else fallback()


def _cache_for(cluster: Cluster, resource: str) -> ResourceCache | None:
    key = (cluster.pk, cluster.credential_fingerprint, resource)
    outdated: list[ResourceCache] = []
    with _lock:
        cache = _caches.get(key)
        if cache is not None and not cache.stopped:
            return cache
        outdated = [c for k, c in _caches.items() if k[0] == cluster.pk and k[1] != key[1]]
        try:
            with translated(cluster.name):
                api_client = clients.client_for(cluster)
        except Exception:  # noqa: BLE001 - the direct read reports the same problem properly
            return None
        epoch_key = (cluster.pk, resource)
        cache = ResourceCache(key, cluster.name, api_client, lambda: _write_epochs[epoch_key])
        _caches[key] = cache
        cache.start()
    for old in outdated:  # the credentials or address changed: the old caches watch the wrong thing
        old.stop()
    return cache


def _forget(cache: ResourceCache) -> None:
    with _lock:
        if _caches.get(cache.key) is cache:
            del _caches[cache.key]


def _reap_idle() -> None:
    with _lock:
        idle = [c for c in _caches.values() if c._idle()]
    for cache in idle:
        cache.stop()


def stop_cluster(cluster_id: int) -> None:
    """Stop every cache of the cluster (its client was dropped: changed or deleted)."""
    with _lock:
        doomed = [c for k, c in _caches.items() if k[0] == cluster_id]
    for cache in doomed:
        cache.stop()


def caches() -> list[ResourceCache]:
    """The live caches (for tests and diagnostics)."""
    with _lock:
        return list(_caches.values())


def shutdown_all(timeout: float = 10.0) -> None:
    """Stop every cache and wait for the threads to end (tests, process shutdown)."""
    with _lock:
        everything = list(_caches.values())
        _caches.clear()
        _write_epochs.clear()
        _unknown_epochs.clear()
        _write_rvs.clear()
    for cache in everything:
        cache.stop()
    deadline = time.monotonic() + timeout
    for cache in everything:
        if cache.thread.is_alive():
            cache.thread.join(max(0.0, deadline - time.monotonic()))


clients.on_drop(stop_cluster)
