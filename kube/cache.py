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

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings

from kube import clients, registry
from kube.cache_filters import select
from kube.cache_resource import RESOURCES, CacheState, Obj, ResourceCache, as_int
from kube.errors import translated

if TYPE_CHECKING:
    from kube.target import ClusterTarget

__all__ = ["RESOURCES", "CacheState", "ResourceCache", "cached_objects", "caches", "cluster_states", "enabled",
           "list_objects", "note_write", "shutdown_all", "stop_cluster", "written"]

_lock = threading.Lock()
_caches: dict[tuple[int, str, str], ResourceCache] = {}
# Per (cluster id, resource): how many writes of ours so far, the epoch of the last one that answered no
# resourceVersion, and the highest numeric resourceVersion written.
_write_epochs: Counter[tuple[int, str]] = Counter()
_unknown_epochs: dict[tuple[int, str], int] = {}
_write_rvs: dict[tuple[int, str], int] = {}
# --- the module's API -----------------------------------------------------------------------------

def enabled() -> bool:
    """KUBE_WATCH_CACHE: on unless turned off (a settings object without it counts as on, like the default)."""
    return bool(getattr(settings, "KUBE_WATCH_CACHE", True))


def resource_written_by(method_name: str) -> str | None:
    """The cached resource a gateway method writes (`patch_namespaced_deployment_scale` → deployments), or None."""
    kind = registry.written_by(method_name)  # the one table of kinds (kube/registry.py)
    return kind.plural if kind is not None and kind.cached else None


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


def note_write(cluster: ClusterTarget | int, resource: str, resource_version: str | int | None = None) -> None:
    """Record a write of ours: the next read of that resource's cache waits until it has seen it.

    Without a resourceVersion (or a non-numeric one), that read makes a consistent read instead.
    """
    key = (cluster if isinstance(cluster, int) else cluster.pk, resource)
    with _lock:
        _write_epochs[key] += 1
        rv = as_int(resource_version)
        if rv is None:
            _unknown_epochs[key] = _write_epochs[key]
        else:
            _write_rvs[key] = max(rv, _write_rvs.get(key, rv))


def cached_objects(cluster: ClusterTarget, resource: str, *, namespace: str | None = None, node_name: str | None = None,
                   label_selector: str | None = None) -> list[Obj] | None:
    """The objects from the watch cache, or None when the cache is off or cannot answer (read directly then)."""
    objects, _ = _cached(cluster, resource)
    if objects is None:
        return None
    return select(objects, namespace=namespace, node_name=node_name, label_selector=label_selector)


def warm(cluster: ClusterTarget, resource: str) -> bool:
    """True when the cache of `resource` has finished its first list, so a read answers from memory at once.

    Never waits: a cache that is not running is started (the next read finds it warm) and False is returned.
    For fan-out reads (search over every cluster) that must not wait KUBE_WATCH_CACHE_INITIAL_WAIT for any one.
    """
    if not enabled():
        return False
    found = _cache_for(cluster, resource)
    return found is not None and found.resource_version is not None


def list_objects(cluster: ClusterTarget, resource: str, *, namespace: str | None = None, node_name: str | None = None,
                 label_selector: str | None = None, fallback: Callable[[], list[Obj]],
                 transform: Callable[[Obj], Any] | None = None) -> list[Any]:
    """Raw objects of `resource` (read-only dicts), from the watch cache or else from `fallback()`.

    With `transform` (a pure function of one object, e.g. a list-item shaper), the answer is the transformed
    objects; from the cache, each object's result is computed once per version and shared (read-only).
    """
    objects, cache = _cached(cluster, resource)
    if objects is None or cache is None:
        objects = fallback()
        return objects if transform is None else [transform(o) for o in objects]
    objects = select(objects, namespace=namespace, node_name=node_name, label_selector=label_selector)
    return objects if transform is None else cache.derive(objects, transform)


def _cached(cluster: ClusterTarget, resource: str) -> tuple[list[Obj] | None, ResourceCache | None]:
    if not enabled():
        return None, None
    _reap_idle()
    cache = _cache_for(cluster, resource)
    if cache is None:
        return None, None
    key = (cluster.pk, resource)
    with _lock:
        epoch, written_rv = _write_epochs[key], _write_rvs.get(key)
        need_current = _unknown_epochs.get(key, 0) > cache.verified_epoch
    objects = cache.objects(epoch, written_rv, need_current)
    if objects is None:
        cache.stats["fallbacks"] += 1
    return objects, cache


def _cache_for(cluster: ClusterTarget, resource: str) -> ResourceCache | None:
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
        cache = ResourceCache(key, cluster.name, api_client, lambda: _write_epochs[epoch_key], _forget)
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
        idle = [c for c in _caches.values() if c.is_idle()]
    for cache in idle:
        cache.stop()


def stop_cluster(cluster_id: int) -> None:
    """Stop every cache of the cluster (its client was dropped: changed or deleted) and forget its writes."""
    with _lock:
        doomed = [c for k, c in _caches.items() if k[0] == cluster_id]
        for table in (_write_epochs, _unknown_epochs, _write_rvs):
            for key in [k for k in table if k[0] == cluster_id]:
                del table[key]
    for cache in doomed:
        cache.stop()


def caches() -> list[ResourceCache]:
    """The live caches (for tests and diagnostics)."""
    with _lock:
        return list(_caches.values())


def cluster_states(cluster_id: int) -> dict[str, CacheState]:
    """This process's running caches of one cluster, by resource (empty when none runs here)."""
    return {c.resource.name: c.state() for c in caches() if c.key[0] == cluster_id and not c.stopped}


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
