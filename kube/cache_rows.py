"""What a lean watch cache keeps of one object: a `Record` (the fields filters read) and its frozen list row.

The row is what the app's list endpoint outputs for the object (for pods, `pods.selectors.pod_item`); the app
registers the function that makes it (`register_row`, from its AppConfig.ready) because kube/ imports no app.
Rows are kept frozen (dicts as a tuple of values behind a shared tuple of keys, lists as tuples, strings interned)
and thawed back into fresh dicts only for the items of the page being answered. Nothing else of the object is
kept: details, logs and events are live reads.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from kube.times import rfc3339

Obj = dict[str, Any]
RowFn = Callable[[Obj], Obj]

_row_functions: dict[str, tuple[RowFn, str | None]] = {}
_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
_intern = sys.intern


def register_row(resource: str, row: RowFn, *, status_field: str | None = "status") -> None:
    """The list row of `resource` (a pure function of the raw object); `status_field` names the row's STATUS."""
    _row_functions[resource] = (row, status_field)


def row_function(resource: str) -> tuple[RowFn, str | None] | None:
    return _row_functions.get(resource)


class Frozen(tuple):
    """A frozen dict: `(keys, value, value, ...)`, the keys tuple shared by every row of the same shape."""

    __slots__ = ()


def freeze(value: Any) -> Any:
    """A JSON-like value in its compact, immutable form (see the module docstring)."""
    if isinstance(value, dict):
        keys = tuple(value)
        keys = _keys.setdefault(keys, tuple(_intern(k) for k in keys))
        return Frozen((keys, *(freeze(v) for v in value.values())))
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if type(value) is str:
        return _intern(value)
    return value


def thaw(value: Any) -> Any:
    """The fresh JSON-like value back (new dicts and lists: callers may change them)."""
    kind = type(value)
    if kind is Frozen:
        keys = value[0]
        return {keys[i]: thaw(value[i + 1]) for i in range(len(keys))}
    if kind is tuple:
        return [thaw(v) for v in value]
    return value


def frozen_get(row: Any, key: str) -> Any:
    """One top-level field of a frozen row (None when absent)."""
    if type(row) is not Frozen:
        return None
    try:
        return row[row[0].index(key) + 1]
    except ValueError:
        return None


class LabelSet:
    """Labels shared by every object that has exactly the same ones (the pods of one ReplicaSet share one)."""

    __slots__ = ("labels", "text")

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        # what a search looks for substrings in (search app): the label values, lower case, NUL-separated
        self.text = "\0".join(str(v).lower() for v in labels.values())


class Record:
    """What the indexes and filters read of one object, and its frozen row."""

    __slots__ = ("key", "labelset", "owners", "node", "phase", "status", "created", "row")

    def __init__(self, key: tuple[str, str], labelset: LabelSet, owners: tuple[Any, ...], node: str | None,
                 phase: str | None, status: str | None, created: str | None, row: Any) -> None:
        self.key = key
        self.labelset = labelset
        self.owners = owners
        self.node = node
        self.phase = phase
        self.status = status
        self.created = created
        self.row = row

    @property
    def namespace(self) -> str:
        return self.key[0]

    @property
    def name(self) -> str:
        return self.key[1]

    @property
    def labels(self) -> dict[str, str]:
        return self.labelset.labels

    def item(self) -> Obj | None:
        """The list row, thawed (None when no row function is registered for the resource)."""
        return None if self.row is None else thaw(self.row)


class Interner:
    """Shared values of one cache (label sets, owner tuples), rebuilt with each full list."""

    def __init__(self) -> None:
        self.labelsets: dict[tuple[tuple[str, str], ...], LabelSet] = {}
        self.owners: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def labelset(self, labels: dict[str, str] | None) -> LabelSet:
        items = tuple(sorted((labels or {}).items()))
        found = self.labelsets.get(items)
        if found is None:
            found = self.labelsets[items] = LabelSet({_intern(k): _intern(str(v)) for k, v in (labels or {}).items()})
        return found

    def owner_refs(self, refs: list[Obj] | None) -> tuple[Any, ...]:
        if not refs:
            return ()
        owners = tuple((_intern(r.get("kind") or ""), _intern(r.get("name") or ""), bool(r.get("controller")))
                       for r in refs)
        return self.owners.setdefault(owners, owners)

    def size(self) -> int:
        return len(self.labelsets) + len(self.owners)


def _str(value: Any) -> str | None:
    return _intern(value) if isinstance(value, str) else None


def make_record(resource: str, obj: Obj, interner: Interner) -> Record:
    """The record of one raw object (the watch cache's thread calls this for every list item and event)."""
    metadata = obj.get("metadata") or {}
    key = (_intern(metadata.get("namespace") or ""), _intern(metadata.get("name") or ""))
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    row = None
    status_text = None
    registered = _row_functions.get(resource)
    if registered is not None:
        fn, status_field = registered
        made = fn(obj)
        row = freeze(made)
        if status_field is not None and isinstance(made.get(status_field), str):
            status_text = _intern(made[status_field])
    return Record(key, interner.labelset(metadata.get("labels")), interner.owner_refs(metadata.get("ownerReferences")),
                  _str(spec.get("nodeName")), _str(status.get("phase")), status_text,
                  _str(rfc3339(metadata.get("creationTimestamp"))), row)
