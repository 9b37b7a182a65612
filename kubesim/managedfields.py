"""Field sets and `metadata.managedFields`, as structured-merge-diff and the API server's field manager keep them.

A field set is a Python `set` of paths; a path is a tuple of elements `("f", name)` (a field of a map or
struct) or `("k", key_json)` (an item of an associative list, keyed by its `x-kubernetes-list-map-keys`).
A path is a *member* of the set when that node itself is owned: leaves (scalars, atomic lists and maps,
empty maps) and the items of associative lists (shown as `.` in `fieldsV1`).

Which lists are associative, and by which keys, follows the OpenAPI `x-kubernetes-list-map-keys` of the
Kubernetes types for the lists that matter here (see `LIST_MAP_KEYS`); every other list is atomic.
Managers are identified as the API server does (`BuildManagerIdentifier`): name, operation, subresource,
and the API version for `Update` entries only.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from . import clock

Obj = dict[str, Any]
Path = tuple[tuple[str, str], ...]
MISSING = object()

# field name -> key fields (x-kubernetes-list-map-keys); `ports` depends on the item (container vs service)
LIST_MAP_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "ownerReferences": ("uid",),
    "hostAliases": ("ip",),
    "resourceClaims": ("name",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
    "conditions": ("type",),
}
# Key fields with a default the API server fills in before keying (`protocol` of ports).
KEY_DEFAULTS = {"protocol": "TCP"}
# Structs marked `x-kubernetes-map-type: atomic` (LabelSelector under spec, the whole `selector` of a Service is
# a plain map and stays granular).
ATOMIC_SUFFIXES: tuple[Path, ...] = ((("f", "spec"), ("f", "selector")),)
ATOMIC_KINDS_SELECTOR = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "PodDisruptionBudget"}
# Metadata the field manager never tracks.
STRIPPED_METADATA = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                     "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")


def list_keys(field: str, items: list[Any]) -> tuple[str, ...] | None:
    """The map keys of list `field`, or None when it is atomic (or its items are not objects)."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    if field == "ports":
        keys: tuple[str, ...] = ("containerPort", "protocol") if "containerPort" in items[0] else ("port", "protocol")
    else:
        keys = LIST_MAP_KEYS.get(field, ())
    if not keys:
        return None
    required = [k for k in keys if k not in KEY_DEFAULTS]
    if not all(all(k in i for k in required) for i in items):
        return None
    return keys


def item_key(item: Obj, keys: tuple[str, ...]) -> str:
    """`{"containerPort":80,"protocol":"TCP"}`: the key fields sorted by name, compact JSON as in `k:`."""
    key = {k: item.get(k, KEY_DEFAULTS.get(k)) for k in sorted(keys)}
    return json.dumps(key, separators=(",", ":"))


def _atomic(path: Path, kind: str) -> bool:
    return kind in ATOMIC_KINDS_SELECTOR and path in ATOMIC_SUFFIXES


def stripped(obj: Obj, subresource: str = "") -> Obj:
    """What the field manager tracks: no apiVersion/kind, no identity metadata, status only for `status`."""
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in STRIPPED_METADATA}
    if md:
        out["metadata"] = md
    if subresource == "status":
        return {"status": obj["status"]} if "status" in obj else {}
    return out


def field_set(obj: Obj, kind: str = "", subresource: str = "") -> set[Path]:
    """The members of `obj` (already a full object) as the field manager sees them."""
    out: set[Path] = set()
    _walk(stripped(obj, subresource), (), kind, out)
    return out


def _walk(value: Any, path: Path, kind: str, out: set[Path]) -> None:
    if isinstance(value, dict):
        if not value or (path and _atomic(path, kind)):
            if path:
                out.add(path)
            return
        for k, v in value.items():
            if v is None:
                continue
            _walk(v, (*path, ("f", str(k))), kind, out)
        return
    if isinstance(value, list):
        keys = list_keys(path[-1][1], value) if path else None
        if keys is None:
            out.add(path)
            return
        for item in value:
            p = (*path, ("k", item_key(item, keys)))
            out.add(p)
            _walk(item, p, kind, out)
        return
    out.add(path)


def get(obj: Any, path: Path) -> Any:
    """The value at `path`, or MISSING."""
    cur = obj
    for kind, name in path:
        if kind == "f":
            if not isinstance(cur, dict) or name not in cur:
                return MISSING
            cur = cur[name]
        else:
            cur = _find_item(cur, name)
            if cur is MISSING:
                return MISSING
    return cur


def _find_item(items: Any, key_json: str) -> Any:
    if not isinstance(items, list):
        return MISSING
    key = json.loads(key_json)
    for item in items:
        if isinstance(item, dict) and all(item.get(k, KEY_DEFAULTS.get(k)) == v for k, v in key.items()):
            return item
    return MISSING


def remove(obj: Obj, path: Path) -> None:
    """Delete the node at `path` (a field or a list item) when present; a list or map left empty goes too,
    as Go's `omitempty` drops it when the API server encodes the object."""
    if not path:
        return
    parent = get(obj, path[:-1])
    kind, name = path[-1]
    if kind == "f" and isinstance(parent, dict):
        parent.pop(name, None)
    elif kind == "k" and isinstance(parent, list):
        item = _find_item(parent, name)
        if item is not MISSING:
            parent.remove(item)
    if isinstance(parent, (dict, list)) and not parent and len(path) > 1 and path[-2][0] == "f":
        remove(obj, path[:-1])


def path_string(path: Path) -> str:
    """`.spec.template.spec.containers[name="web"].image`, as fieldpath.Path.String() prints it."""
    out = []
    for kind, name in path:
        if kind == "f":
            out.append("." + name)
        else:
            key = json.loads(name)
            out.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in key.items()) + "]")
    return "".join(out)


# ---- fieldsV1 ---------------------------------------------------------------------------


def to_fields_v1(members: set[Path]) -> Obj:
    """The `fieldsV1` trie: `f:`/`k:` keys, `.` for a node that is a member and has children."""
    root: Obj = {}
    for path in sorted(members):
        node = root
        for kind, name in path:
            node = node.setdefault(f"{kind}:{name}", {})
    _mark(root, members, ())
    return root


def _mark(node: Obj, members: set[Path], path: Path) -> None:
    for key, child in node.items():
        if key == ".":
            continue
        kind, _, name = key.partition(":")
        p = (*path, (kind, name))
        if child and p in members:
            child["."] = {}
        _mark(child, members, p)


def from_fields_v1(trie: Any, path: Path = ()) -> set[Path]:
    """The members of a `fieldsV1` trie."""
    out: set[Path] = set()
    if not isinstance(trie, dict):
        return out
    if path and (not trie or "." in trie):
        out.add(path)
    for key, child in trie.items():
        if key == "." or ":" not in key:
            continue
        kind, _, name = key.partition(":")
        if kind in ("f", "k"):
            out |= from_fields_v1(child, (*path, (kind, name)))
    return out


# ---- managers -----------------------------------------------------------------------------


class Manager:
    """One managedFields entry: identity plus its member set."""

    def __init__(self, manager: str, operation: str, api_version: str, subresource: str = "",
                 members: set[Path] | None = None, time: str | None = None) -> None:
        self.manager, self.operation, self.api_version = manager, operation, api_version
        self.subresource = subresource
        self.members = members or set()
        self.time = time

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.manager, self.operation, self.api_version if self.operation == "Update" else "",
                self.subresource)

    def describe(self) -> str:
        """As the API server names a manager in a conflict (printManager, identifier without time)."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def entry(self) -> Obj:
        e: Obj = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
                  "time": self.time or clock.iso(), "fieldsType": "FieldsV1",
                  "fieldsV1": to_fields_v1(self.members)}
        if self.subresource:
            e["subresource"] = self.subresource
        return e


def read_managers(obj: Obj) -> list[Manager]:
    out = []
    for e in (obj.get("metadata") or {}).get("managedFields") or []:
        if not isinstance(e, dict) or not e.get("manager"):
            continue
        out.append(Manager(str(e["manager"]), str(e.get("operation", "Update")), str(e.get("apiVersion", "")),
                           str(e.get("subresource", "")), from_fields_v1(e.get("fieldsV1")), e.get("time")))
    return out


def write_managers(obj: Obj, managers: list[Manager]) -> None:
    entries = [m.entry() for m in managers if m.members]
    md = obj.setdefault("metadata", {})
    if entries:
        md["managedFields"] = entries
    else:
        md.pop("managedFields", None)


def find(managers: list[Manager], ident: tuple[str, str, str, str]) -> Manager | None:
    return next((m for m in managers if m.ident == ident), None)


def differs(old: Any, new: Any, path: Path) -> bool:
    """Whether the member `path` is new or has another value in `new`; a list item that stays is unchanged."""
    before, after = get(old, path), get(new, path)
    if before is MISSING or after is MISSING:
        return before is not after
    if path and path[-1][0] == "k":
        return False
    return before != after


def changed_paths(old: Obj | None, new: Obj, kind: str, subresource: str = "") -> tuple[set[Path], set[Path]]:
    """(members of `new` whose value is new or differs from `old`, members of `old` gone from `new`)."""
    new_set = field_set(new, kind, subresource)
    if old is None:
        return new_set, set()
    old_set = field_set(old, kind, subresource)
    changed = {p for p in new_set if p not in old_set or differs(old, new, p)}
    return changed, old_set - new_set


def record_update(old: Obj | None, new: Obj, manager: str, api_version: str, kind: str,
                  subresource: str = "") -> None:
    """An Update (create, PUT, non-apply PATCH, scale): the writer takes the fields it changed.

    As the API server's field manager does, managedFields the request itself sets (other than the live ones,
    e.g. kubectl's JSON patch that moves client-side-apply ownership to its server-side manager) are taken as
    the new starting point, for writes to the main resource only.
    """
    managers = read_managers(old) if old is not None else []
    sent = (new.get("metadata") or {}).get("managedFields")
    if old is not None and not subresource and isinstance(sent, list) and sent and \
            without_times(sent) != without_times(old["metadata"].get("managedFields")):
        managers = read_managers(new)
    changed, gone = changed_paths(old, new, kind, subresource)
    for m in managers:
        m.members -= changed | gone
    ident = (manager, "Update", api_version, subresource)
    mine = find(managers, ident)
    if changed:
        if mine is None:
            mine = Manager(manager, "Update", api_version, subresource)
            managers.append(mine)
        mine.members |= changed
        mine.time = clock.iso()
    write_managers(new, managers)


def manager_from(query_value: str | None, user_agent: str) -> str:
    """`fieldManager` when given, else the user agent's prefix (`kubectl/v1.32 ...` -> `kubectl`)."""
    if query_value:
        return query_value
    return (user_agent.split("/", 1)[0] or "unknown")[:128]


def without_times(entries: Any) -> Any:
    return [{k: v for k, v in e.items() if k != "time"} for e in copy.deepcopy(entries or [])]
