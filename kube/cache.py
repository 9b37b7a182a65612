"""Per-cluster watch caches: list once, then watch, and answer list reads from memory.

    pods = cache.list_objects(cluster, "pods", namespace="default", fallback=lambda: direct_list(...))

One cache per (cluster id, credential fingerprint, resource), each run by one daemon thread:
an initial LIST (paginated with limit/continue, raw JSON via `_preload_content=False`), then a WATCH from the
list's resourceVersion with bookmarks, applying ADDED/MODIFIED/DELETED. A watch that ends (server timeout) or
breaks resumes from the last resourceVersion seen, with back-off; the server then either replays everything
since or answers 410 Gone/Expired, and only then does the cache relist. Caches hold nothing that cannot be
rebuilt from the cluster, so every process keeps its own (design.md, "Scale-out").

Lean by default: a cache keeps per object only a `Record` (kube/cache_rows.py): the fields the filters read
(namespace, name, labels, owner references, node, phase, STATUS, creation time) and the object's list row, made
by the function its app registered (`cache_rows.register_row`, e.g. the pods app's `pod_item`) and kept frozen.
Indexes by namespace, node, status and phase, and an order by (namespace, name), are kept current on every
event (kube/cache_index.py), so `rows(...)` answers a page, filtered or not, in time proportional to the page
plus the filter's bucket, never a sort of the whole cluster; `pod_counts(...)` and `records(...)` read the same
indexes. A resource without a registered row, or one a caller reads whole (`list_objects`), also keeps the
whole objects: the first whole read of a lean cache makes it relist once, keeping them from then on.

Reads of whole objects (`list_objects`) return the raw API-shaped dicts a direct list would give, in no
particular order; they are shared with the cache, so callers must treat them as read-only.

A read falls back to the caller's direct fetch when the cache is off, has not finished its first list within
KUBE_WATCH_CACHE_INITIAL_WAIT, failed it, or has had a broken watch for longer than
KUBE_WATCH_CACHE_STALE_SECONDS (so a dead cluster answers with the
direct read's own 502/504, never with old data). One exception: when the initial list a read was waiting for
failed because the cluster timed out or was unreachable, that read raises the same translated 504/502 at once
rather than waiting a second time for a direct read.

Loading: while the first list of a big cluster is still arriving (more than KUBE_WATCH_CACHE_DIRECT_MAX objects
received so far), a read waits at most KUBE_WATCH_CACHE_LOADING_WAIT and then gets a 503 `CacheLoading` with a
`Retry-After` estimated from the list's progress: a direct read of that many objects would be as slow as the
list itself. A smaller cluster's read waits for the list up to KUBE_WATCH_CACHE_INITIAL_WAIT and then reads
directly, as before. No read waits longer than that.

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
from kube.cache_filters import label_matcher, select
from kube.cache_index import Index, Rows
from kube.cache_resource import RESOURCES, CacheLoading, CacheState, Obj, ResourceCache, as_int
from kube.cache_rows import Record, row_function
from kube.errors import translated

if TYPE_CHECKING:
    from kube.target import ClusterTarget

__all__ = ["RESOURCES", "CacheLoading", "CacheState", "ResourceCache", "Rows", "cached_objects", "caches",
           "cluster_states", "enabled", "list_objects", "note_write", "pod_counts", "records", "rows",
           "shutdown_all", "stop_cluster", "written"]

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


def rows(cluster: ClusterTarget, resource: str, *, namespace: str | None = None, namespaces: set[str] | None = None,
         node_name: str | None = None, label_selector: str | None = None, status: str | None = None,
         name_contains: str | None = None) -> Rows | None:
    """The list rows of `resource` matching every filter given, sorted by (namespace, name), as a lazy Sequence
    (`len()` is the total; a slice thaws only its rows). None when the cache is off or cannot answer, or the
    resource has no registered row: the caller reads directly then.

    `status` matches the STATUS or the phase, any case; `name_contains` is a lower-case substring of the name;
    `namespaces` limits the answer to a set of namespaces (a scoped user's grants).
    """
    if row_function(resource) is None:
        return None
    labels = label_matcher(label_selector)
    needle = None if name_contains is None else name_contains.strip().lower()
    return _read(cluster, resource, lambda index, lock: index.query(
        lock, namespace=namespace, namespaces=namespaces, node_name=node_name, status=status,
        name_contains=needle, labels=labels))


def pod_counts(cluster: ClusterTarget, resource: str = "pods") -> Counter[tuple[str, str]] | None:
    """Objects per (node, phase) from the cache's index, or None when it cannot answer (count directly then)."""
    return _read(cluster, resource, lambda index, lock: index.pod_counts())


def records(cluster: ClusterTarget, resource: str, *, namespace: str | None = None) -> list[Record] | None:
    """The records (read-only) of `resource`, of one namespace or all, sorted by (namespace, name); None when
    the cache cannot answer."""
    def read(index: Index, lock: object) -> list[Record]:
        keys = index.order if namespace is None else index.by_namespace.get(namespace, ())
        return [index.records[k] for k in keys]

    return _read(cluster, resource, read)


def _read(cluster: ClusterTarget, resource: str, reader: Callable[[Index, Any], Any]) -> Any:
    if not enabled():
        return None
    _reap_idle()
    cache = _cache_for(cluster, resource)
    if cache is None:
        return None
    result = cache.read(reader, *_write_state(cluster.pk, resource, cache))
    if result is None:
        cache.stats["fallbacks"] += 1
    return result


def _write_state(cluster_id: int, resource: str, cache: ResourceCache) -> tuple[int, int | None, bool]:
    key = (cluster_id, resource)
    with _lock:
        return _write_epochs[key], _write_rvs.get(key), _unknown_epochs.get(key, 0) > cache.verified_epoch


def _cached(cluster: ClusterTarget, resource: str) -> tuple[list[Obj] | None, ResourceCache | None]:
    if not enabled():
        return None, None
    _reap_idle()
    cache = _cache_for(cluster, resource, keep_raw=True)
    if cache is None:
        return None, None
    objects = cache.objects(*_write_state(cluster.pk, resource, cache))
    if objects is None:
        cache.stats["fallbacks"] += 1
    return objects, cache


def _cache_for(cluster: ClusterTarget, resource: str, keep_raw: bool = False) -> ResourceCache | None:
    """The running cache (started when missing). A new one keeps whole objects when `keep_raw` (its first
    reader wants them) or when the resource has no registered row; otherwise it is lean."""
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
        cache = ResourceCache(key, cluster.name, api_client, lambda: _write_epochs[epoch_key], _forget,
                              keep_raw=keep_raw or row_function(resource) is None)
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
