"""A thread-safe in-memory object store with resourceVersions and watch history.

Stored objects are treated as immutable: every write stores a new dict. Readers inside
the simulator may hold references without copying; `get`/`list` give copies to outsiders.
"""

from __future__ import annotations

import bisect
import copy
import threading
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from . import clock
from .errors import ApiError, already_exists, conflict, not_found
from .resources import BY_KEY

Obj = dict[str, Any]
Watcher = Callable[[str, Obj, Obj | None, int], None]

GENERATION_GROUPS = {"apps", "batch", "policy", "networking.k8s.io", "discovery.k8s.io"}


class Store:
    """Objects by resource key (`pods`, `deployments.apps`) and (namespace, name)."""

    def __init__(self, history: int = 20000) -> None:
        self.lock = threading.RLock()
        self._rv = 1
        self._data: dict[str, dict[tuple[str, str], Obj]] = {k: {} for k in BY_KEY}
        self._history: dict[str, deque[tuple[int, str, Obj, Obj | None]]] = {
            k: deque(maxlen=history) for k in BY_KEY
        }
        self._compacted: dict[str, int] = dict.fromkeys(BY_KEY, 0)
        self._watchers: dict[str, list[Watcher]] = {k: [] for k in BY_KEY}
        self._uids: dict[str, tuple[str, tuple[str, str]]] = {}
        self._listeners: list[Callable[[str, str, Obj], None]] = []
        self._admission: list[Callable[[str, Obj, Obj | None], None]] = []
        self._sorted: dict[str, list[tuple[str, str]] | None] = dict.fromkeys(BY_KEY)

    # ---- versions -------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        with self.lock:
            return self._rv

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def _record(self, key: str, typ: str, obj: Obj, prev: Obj | None) -> None:
        rv = int(obj["metadata"]["resourceVersion"])
        hist = self._history[key]
        if len(hist) == hist.maxlen:
            self._compacted[key] = hist[0][0]
        hist.append((rv, typ, obj, prev))
        for w in list(self._watchers[key]):
            w(typ, obj, prev, rv)
        for listener in self._listeners:
            listener(key, typ, obj)

    # ---- reads ----------------------------------------------------------------------
    def ref(self, key: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself (do not mutate)."""
        return self._data[key].get((namespace, name))

    def get(self, key: str, namespace: str, name: str) -> Obj | None:
        with self.lock:
            o = self._data[key].get((namespace, name))
            return copy.deepcopy(o) if o is not None else None

    def refs(self, key: str, namespace: str | None = None, after: tuple[str, str] | None = None) -> list[Obj]:
        """Stored objects (not copies), sorted by namespace/name like etcd keys (optionally after a key)."""
        return self.window(key, namespace, after, None)[0]

    def window(self, key: str, namespace: str | None, after: tuple[str, str] | None,
               limit: int | None) -> tuple[list[Obj], int]:
        """At most `limit` (None: all) stored objects in key order (optionally after a key), and how many there are
        in all from there: one page of a paginated list costs the page, not the whole remaining list."""
        with self.lock:
            items = self._data[key]
            keys = self._sorted[key]
            if keys is None:
                keys = self._sorted[key] = sorted(items)
            lo, hi = 0, len(keys)
            if namespace:
                lo = bisect.bisect_left(keys, (namespace, ""))
                hi = bisect.bisect_left(keys, (namespace + "\x00", ""))
            if after is not None:
                lo = max(lo, bisect.bisect_right(keys, after))
            end = hi if limit is None else min(hi, lo + limit)
            return [items[k] for k in keys[lo:end]], max(0, hi - lo)

    def list(self, key: str, namespace: str | None = None) -> list[Obj]:
        return copy.deepcopy(self.refs(key, namespace))

    def count(self, key: str) -> int:
        return len(self._data[key])

    def by_uid(self, uid: str) -> tuple[str, Obj] | None:
        with self.lock:
            loc = self._uids.get(uid)
            if loc is None:
                return None
            o = self._data[loc[0]].get(loc[1])
            return (loc[0], o) if o is not None else None

    # ---- writes ---------------------------------------------------------------------
    def create(self, key: str, obj: Obj, *, record: bool = True) -> Obj:
        """Store a new object; fills uid, creationTimestamp, resourceVersion, generation."""
        res = BY_KEY[key]
        with self.lock:
            md = obj.setdefault("metadata", {})
            ns = md.get("namespace", "") if res.namespaced else ""
            name = md["name"]
            if (ns, name) in self._data[key]:
                raise already_exists(res.plural, res.group, name)
            for admit in self._admission:
                admit(key, obj, None)
            md.setdefault("uid", str(uuid.uuid4()))
            md.setdefault("creationTimestamp", clock.iso())
            if res.group in GENERATION_GROUPS:
                md["generation"] = 1
            md["resourceVersion"] = str(self._next_rv())
            obj.setdefault("apiVersion", res.api_version)
            obj.setdefault("kind", res.kind)
            self._data[key][(ns, name)] = obj
            self._sorted[key] = None
            self._uids[md["uid"]] = (key, (ns, name))
            if record:
                self._record(key, "ADDED", obj, None)
            return obj

    def replace(self, key: str, obj: Obj, *, expect_rv: str | None = None) -> Obj:
        """Store a new version of an existing object (the caller built `obj` afresh)."""
        res = BY_KEY[key]
        with self.lock:
            md = obj["metadata"]
            ns = md.get("namespace", "") if res.namespaced else ""
            old = self._data[key].get((ns, md["name"]))
            if old is None:
                raise not_found(res.plural, res.group, md["name"])
            if expect_rv and expect_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res.plural, res.group, md["name"])
            for admit in self._admission:
                admit(key, obj, old)
            for f in ("uid", "creationTimestamp"):
                md[f] = old["metadata"][f]
            if "generation" in old["metadata"]:
                gen = old["metadata"]["generation"]
                if _spec_of(obj) != _spec_of(old):
                    gen += 1
                md["generation"] = gen
            if old == obj or _same_ignoring_rv(old, obj):
                return old
            md["resourceVersion"] = str(self._next_rv())
            # a terminating object without finalizers disappears
            if md.get("deletionTimestamp") and not md.get("finalizers") and (
                    key not in ("pods", "namespaces") or (key == "pods" and not md.get("deletionGracePeriodSeconds"))):
                return self._remove(key, obj)
            self._data[key][(ns, md["name"])] = obj
            self._record(key, "MODIFIED", obj, old)
            return obj

    def mutate(self, key: str, namespace: str, name: str, fn: Callable[[Obj], Obj | None]) -> Obj | None:
        """Atomically apply `fn` to a deep copy; `fn` returns the new object or None for no change."""
        with self.lock:
            old = self._data[key].get((namespace, name))
            if old is None:
                return None
            new = fn(copy.deepcopy(old))
            if new is None:
                return old
            return self.replace(key, new)

    def remove(self, key: str, namespace: str, name: str) -> Obj | None:
        """Delete outright (no grace, no finalizers)."""
        with self.lock:
            old = self._data[key].get((namespace, name))
            if old is None:
                return None
            new = copy.copy(old)
            new["metadata"] = dict(old["metadata"])
            new["metadata"]["resourceVersion"] = str(self._next_rv())
            return self._remove(key, new)

    def _remove(self, key: str, obj: Obj) -> Obj:
        md = obj["metadata"]
        ns = md.get("namespace", "") if BY_KEY[key].namespaced else ""
        self._data[key].pop((ns, md["name"]), None)
        self._sorted[key] = None
        self._uids.pop(md.get("uid", ""), None)
        self._record(key, "DELETED", obj, None)
        return obj

    # ---- watch ----------------------------------------------------------------------
    def subscribe(self, key: str, watcher: Watcher) -> Callable[[], None]:
        with self.lock:
            self._watchers[key].append(watcher)

        def unsubscribe() -> None:
            with self.lock:
                if watcher in self._watchers[key]:
                    self._watchers[key].remove(watcher)

        return unsubscribe

    def add_admission(self, fn: Callable[[str, Obj, Obj | None], None]) -> None:
        """fn(key, new, old_or_None) runs under the lock before every create/replace is stored: it may fill
        allocated fields (a Service's clusterIP) or raise an ApiError, as admission and allocators do."""
        with self.lock:
            self._admission.append(fn)

    def add_listener(self, fn: Callable[[str, str, Obj], None]) -> None:
        """Called under the lock on every change: fn(key, event_type, obj)."""
        with self.lock:
            self._listeners.append(fn)

    def history_since(self, key: str, rv: int) -> list[tuple[int, str, Obj, Obj | None]]:
        """Events after `rv`; raises 410 Expired if they have been compacted away."""
        with self.lock:
            if rv < self._compacted[key]:
                raise ApiError(
                    410, f"too old resource version: {rv} ({self._compacted[key] + 1})", "Expired"
                )
            return [e for e in self._history[key] if e[0] > rv]

    def compact(self, key: str | None = None) -> None:
        """Forget watch history (as etcd compaction does), for tests of 410 Gone."""
        with self.lock:
            for k in [key] if key else list(self._history):
                if self._history[k]:
                    self._compacted[k] = self._history[k][-1][0]
                else:
                    self._compacted[k] = self._rv
                self._history[k].clear()


def _spec_of(o: Obj) -> Any:
    return {k: v for k, v in o.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _same_ignoring_rv(a: Obj, b: Obj) -> bool:
    if a.keys() != b.keys():
        return False
    ma = {k: v for k, v in a["metadata"].items() if k != "resourceVersion"}
    mb = {k: v for k, v in b["metadata"].items() if k != "resourceVersion"}
    if ma != mb:
        return False
    return all(a[k] == b[k] for k in a if k != "metadata")
