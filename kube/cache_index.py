"""The indexes of one watch cache, kept current on every watch event, and the pages read from them.

    index.put(record)            # ADDED / MODIFIED (a record replaces the one with the same (namespace, name))
    index.remove(key)            # DELETED
    rows = index.query(namespace="default", status="running")   # a lazy, sorted Sequence of list rows

- `order`: every key, sorted by (namespace, name) (a `sortedcontainers.SortedList`): an unfiltered page is a
  slice of it, O(log n + page), never a sort of the cluster.
- `by_namespace`, `by_node`, `by_status`: the keys of each bucket, sorted the same way. `by_status` is keyed by
  the lower-case STATUS and by the lower-case phase (an object is in both buckets when they differ), which is
  what the status filter matches. A page filtered by one of them is a slice of its bucket; filters combined (or
  a name substring, a label selector) cost one pass over the smallest bucket that applies.
- `node_phase`: objects per (node, phase), for the node list's pod counts.

Every method runs under the owning cache's lock (kube/cache_resource.py): the watch thread writes, request
threads read. The optional `raw` map keeps the whole API objects for readers that ask for them (kube.cache.
list_objects); a lean cache never fills it.
"""
from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any, overload

from sortedcontainers import SortedList

from kube.cache_rows import Interner, Record

Key = tuple[str, str]
Obj = dict[str, Any]
_EMPTY: SortedList = SortedList()


class Index:
    """The records of one cache and their indexes (see the module docstring)."""

    def __init__(self, keep_raw: bool = False) -> None:
        self.records: dict[Key, Record] = {}
        self.raw: dict[Key, Obj] | None = {} if keep_raw else None
        self.order: SortedList = SortedList()
        self.by_namespace: dict[str, SortedList] = {}
        self.by_node: dict[str, SortedList] = {}
        self.by_status: dict[str, SortedList] = {}
        self.odd_names: set[Key] = set()  # keys whose name is not all lower case (Kubernetes allows none)
        # for name searches: every name, lower case, newline-joined in key order, with where each starts and the
        # keys in order; made when a search needs it after an add or a delete (updates keep names)
        self._names: tuple[str, list[int], list[Key]] | None = None
        self.node_phase: Counter[tuple[str, str]] = Counter()
        self.interner = Interner()

    def __len__(self) -> int:
        return len(self.records)

    # --- writes (the watch thread) -------------------------------------------------------------------

    def put(self, record: Record, raw: Obj | None = None) -> None:
        key = record.key
        old = self.records.get(key)
        self.records[key] = record
        if self.raw is not None and raw is not None:
            self.raw[key] = raw
        if old is None:
            self.order.add(key)
            self._names = None
            _add(self.by_namespace, key[0], key)
            if not key[1].islower() and key[1] != key[1].lower():
                self.odd_names.add(key)
        before_node = None if old is None else old.node
        if before_node != record.node:
            if before_node:
                _discard(self.by_node, before_node, key)
            if record.node:
                _add(self.by_node, record.node, key)
        before = set() if old is None else _states(old)
        after = _states(record)
        for bucket in before - after:
            _discard(self.by_status, bucket, key)
        for bucket in after - before:
            _add(self.by_status, bucket, key)
        if old is not None and old.node:
            self._count(old.node, old.phase, -1)
        if record.node:
            self._count(record.node, record.phase, +1)
        if self.interner.size() > 2 * len(self.records) + 1000:  # label sets of objects long gone: start afresh
            self.interner = Interner()

    def remove(self, key: Key) -> None:
        old = self.records.pop(key, None)
        if self.raw is not None:
            self.raw.pop(key, None)
        if old is None:
            return
        self.order.discard(key)
        self._names = None
        self.odd_names.discard(key)
        _discard(self.by_namespace, key[0], key)
        if old.node:
            _discard(self.by_node, old.node, key)
        for bucket in _states(old):
            _discard(self.by_status, bucket, key)
        if old.node:
            self._count(old.node, old.phase, -1)

    def _count(self, node: str, phase: str | None, delta: int) -> None:
        slot = (node, phase or "")
        value = self.node_phase[slot] + delta
        if value > 0:
            self.node_phase[slot] = value
        else:
            self.node_phase.pop(slot, None)

    # --- reads (request threads, under the cache's lock) ---------------------------------------------

    def query(self, lock: threading.Condition | threading.Lock, *, namespace: str | None = None,
              namespaces: Iterable[str] | None = None, node_name: str | None = None, status: str | None = None,
              name_contains: str | None = None, labels: Callable[[dict[str, str]], bool] | None = None) -> Rows:
        """The rows matching every filter given, sorted by (namespace, name). `status` matches the STATUS or
        the phase, any case; `name_contains` a lower-case substring of the name; `namespaces` limits to a set."""
        allowed = None if namespaces is None else set(namespaces)
        if namespace is not None and allowed is not None:
            if namespace not in allowed:
                return Rows(lock, self, [], 0)
            allowed = None
        candidates: list[tuple[int, Sequence[Key]]] = []
        if namespace is not None:
            bucket = self.by_namespace.get(namespace, _EMPTY)
            candidates.append((len(bucket), bucket))
        if allowed is not None:  # buckets in namespace order: their concatenation is sorted
            joined = [k for ns in sorted(allowed) for k in self.by_namespace.get(ns, _EMPTY)]
            candidates.append((len(joined), joined))
        if node_name is not None:
            bucket = self.by_node.get(node_name, _EMPTY)
            candidates.append((len(bucket), bucket))
        wanted = None if status is None else status.strip().lower()
        if wanted is not None:
            bucket = self.by_status.get(wanted, _EMPTY)
            candidates.append((len(bucket), bucket))
        base: Sequence[Key] = min(candidates, key=lambda c: c[0])[1] if candidates else self.order
        checks: list[Callable[[Record], bool]] = []
        if namespace is not None and len(candidates) > 1:
            checks.append(lambda r: r.key[0] == namespace)
        if allowed is not None and len(candidates) > 1:
            checks.append(lambda r: r.key[0] in allowed)
        if node_name is not None and len(candidates) > 1:
            checks.append(lambda r: r.node == node_name)
        if wanted is not None and len(candidates) > 1:
            checks.append(lambda r: (r.status or "").lower() == wanted or (r.phase or "").lower() == wanted)
        if labels is not None:
            checks.append(lambda r: labels(r.labelset.labels))
        records = self.records
        if name_contains is not None:
            needle = name_contains
            if not checks and base is self.order and needle and "\n" not in needle:
                keys = self.name_search(needle)  # one scan of the names' text, in C
                return Rows(lock, self, keys, len(keys))
            checks.append(lambda r: needle in r.key[1].lower())
        if not checks:
            return Rows(lock, self, base, len(base))
        picked = []
        for key in base:
            record = records[key]
            if all(check(record) for check in checks):
                picked.append(record)
        return Rows(lock, self, picked, None)

    def name_search(self, needle: str) -> list[Key]:
        """The keys whose lower-case name contains `needle`, in key order."""
        if self._names is None:
            keys = list(self.order)
            names = [k[1].lower() for k in keys] if self.odd_names else [k[1] for k in keys]
            self._names = ("\n".join(names), list(accumulate((len(n) + 1 for n in names), initial=0)), keys)
        text, starts, keys = self._names
        if text.count(needle) * 8 > len(keys):  # most names match: one pass over them is cheaper
            return [k for k in keys if needle in k[1].lower()] if self.odd_names else [
                k for k in keys if needle in k[1]]
        found: list[Key] = []
        last = -1
        position = text.find(needle)
        while position >= 0:
            i = bisect_right(starts, position) - 1
            if i != last:
                found.append(keys[i])
                last = i
            position = text.find(needle, starts[i + 1])  # on to the next name
        return found

    def pod_counts(self) -> Counter[tuple[str, str]]:
        """A copy of the (node, phase) counts."""
        return Counter(self.node_phase)


def _states(record: Record) -> set[str]:
    """The status buckets of a record: its STATUS and its phase, lower case."""
    return {(record.status or "").lower(), (record.phase or "").lower()}


def _add(table: dict[str, SortedList], bucket: str, key: Key) -> None:
    found = table.get(bucket)
    if found is None:
        found = table[bucket] = SortedList()
    found.add(key)


def _discard(table: dict[str, SortedList], bucket: str, key: Key) -> None:
    found = table.get(bucket)
    if found is not None:
        found.discard(key)
        if not found:
            del table[bucket]


class Rows(Sequence):
    """A page source for the paginator: `len()` is the total, a slice thaws only the rows it covers.

    Over a live index bucket (an unfiltered or single-index page), the slice is taken under the cache's lock at
    the moment the page is read; a filtered query holds its matching records (a snapshot of them).
    """

    def __init__(self, lock: Any, index: Index, source: Sequence[Key] | list[Record], total: int | None) -> None:
        self._lock = lock
        self._index = index
        self._source = source
        self._live = total is not None
        self._total = total if total is not None else len(source)

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[Obj]:
        return iter(self[:])

    @overload
    def __getitem__(self, item: int) -> Obj: ...

    @overload
    def __getitem__(self, item: slice) -> list[Obj]: ...

    def __getitem__(self, item: int | slice) -> Obj | list[Obj]:
        if isinstance(item, slice):
            return [row for row in (r.item() for r in self._records(item)) if row is not None]
        found = self._records(slice(item, item + 1 if item != -1 else None))
        if not found:
            raise IndexError(item)
        return found[0].item()  # type: ignore[return-value]

    def _records(self, part: slice) -> list[Record]:
        if not self._live:
            return list(self._source[part])  # type: ignore[misc]
        with self._lock:
            keys = self._source[part]
            records = self._index.records
            return [records[k] for k in keys if k in records]

    def records(self) -> list[Record]:
        """Every matching record (for callers that need more than a page)."""
        return self._records(slice(None))
