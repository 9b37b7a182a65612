"""Server-side apply (`PATCH` with `application/apply-patch+yaml`), following structured-merge-diff's rules.

What it does, as a real API server does:
- creates the object when it is absent (201), else merges the applied configuration into the live object:
  maps field by field, associative lists item by item by their `x-kubernetes-list-map-keys` (containers by
  name, ports by containerPort+protocol, env by name, volumes by name, ...; see `managedfields.LIST_MAP_KEYS`),
  every other list and scalar replaced as a whole;
- keeps one `Apply` managedFields entry per applier (fieldsV1 with `f:`/`k:` keys) and `Update` entries for
  every other write (create, PUT, merge/strategic/JSON patch, the scale and status subresources);
- refuses a change to a field another manager owns with a different value: 409 `Conflict` whose
  `details.causes` are `FieldManagerConflict`s naming manager and field, and whose message reads like
  `Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas`;
  `force=true` takes such fields over from their managers;
- removes a field the applier owned before and no longer applies, when no other manager owns it;
- `dryRun=All` answers the result without storing it or bumping the resourceVersion;
- an apply that changes nothing stores nothing (same resourceVersion, same managedFields times);
- `fieldManager` is required; `force` is refused for other patch types.

What kubesim leaves out (a real API server differs here):
- schemas: only the lists named in `LIST_MAP_KEYS` are associative and only `spec.selector` of workloads is an
  atomic struct; lists of scalars are atomic (a real server treats e.g. `finalizers` as a set, `v:` keys);
  custom resources have no schema, so all their lists are atomic;
- the order of a merged associative list is the live order with new items appended (structured-merge-diff
  follows the applied order);
- `.` marks only list items in fieldsV1 (a real `Update` entry also marks maps such as `labels`);
- no conversion between API versions, no `resourceVersion` precondition from the applied body, no
  managedFields for writes made by kubesim's own controllers (a real deployment controller records
  none on the Deployment either, but kubelets and others do on their objects), no limit on the number of Update
  entries, no validation of managedFields a request sets (they are taken as sent, as kubectl's CSA-to-SSA
  migration needs), no refusal of duplicate keys in an applied associative list (the last one wins), no apply
  through the `scale` subresource (415), and the field manager name is not length-checked.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import clock
from . import managedfields as mf
from .errors import ApiError, bad_request

if TYPE_CHECKING:
    from .cluster import Cluster
    from .handlers.common import Target

Obj = dict[str, Any]
IDENTITY_METADATA = ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink",
                     "deletionTimestamp", "deletionGracePeriodSeconds")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _check(t: Target, applied: Any) -> Obj:
    if not isinstance(applied, dict):
        raise bad_request("error decoding patch: the apply configuration must be an object")
    api_version, kind = applied.get("apiVersion"), applied.get("kind")
    if not api_version or not kind:
        raise bad_request(f"invalid object type: {api_version or ''}, Kind={kind or ''}")
    if api_version != t.res.api_version:
        raise bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                          f"version ({t.res.api_version})")
    if kind != t.res.kind:
        raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({t.res.kind})")
    applied = _without_nulls(applied)
    md = applied.setdefault("metadata", {})
    if not isinstance(md, dict):
        raise bad_request("metadata must be an object")
    if md.get("name") and md["name"] != t.name:
        raise bad_request(f"the name of the object ({md['name']}) does not match the name on the URL ({t.name})")
    if t.res.namespaced and md.get("namespace") and md["namespace"] != t.namespace:
        raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
    md["name"] = t.name
    if t.res.namespaced:
        md["namespace"] = t.namespace
    else:
        md.pop("namespace", None)
    for f in IDENTITY_METADATA:
        md.pop(f, None)
    if t.sub != "status":
        applied.pop("status", None)
    return applied


def merge(live: Any, applied: Any, path: mf.Path, kind: str) -> Any:
    """`applied` merged into `live`: maps by field, associative lists by key, the rest replaced."""
    if isinstance(applied, dict) and isinstance(live, dict) and applied and not mf._atomic(path, kind):
        out = copy.deepcopy(live)
        for k, v in applied.items():
            out[k] = merge(live.get(k), v, (*path, ("f", k)), kind)
        return out
    if isinstance(applied, list) and isinstance(live, list) and path:
        keys = mf.list_keys(path[-1][1], applied)
        live_keys = mf.list_keys(path[-1][1], live) if live else keys
        if keys is not None and live_keys == keys:
            by_key = {mf.item_key(i, keys): i for i in applied}
            out = []
            for item in live:
                k = mf.item_key(item, keys)
                out.append(merge(item, by_key.pop(k), (*path, ("k", k)), kind) if k in by_key else
                           copy.deepcopy(item))
            out.extend(copy.deepcopy(i) for i in applied if mf.item_key(i, keys) in by_key)
            return out
    return copy.deepcopy(applied)


def conflict_error(conflicts: list[tuple[mf.Manager, mf.Path]]) -> ApiError:
    causes = [{"type": "FieldManagerConflict", "message": f"conflict with {m.describe()}",
               "field": mf.path_string(p)} for m, p in conflicts]
    if len(conflicts) == 1:
        m, p = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {m.describe()}: {mf.path_string(p)}"
    else:
        by_manager: dict[str, list[str]] = {}
        for m, p in conflicts:
            by_manager.setdefault(m.describe(), []).append(mf.path_string(p))
        lines = []
        for name in sorted(by_manager):
            lines.append(f"conflicts with {name}:")
            lines.extend(f"- {p}" for p in by_manager[name])
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, message, "Conflict", {"causes": causes})


def apply(cluster: Cluster, t: Target, live: Obj | None, body: Any, manager: str, force: bool,
          dry_run: bool) -> tuple[Obj, int]:
    """The object after applying `body` as `manager`, and the HTTP status (201 when created)."""
    from .handlers.crud import prepare_create, prepare_update  # the handlers import this module

    res = t.res
    applied = _check(t, body)
    applied_set = mf.field_set(applied, res.kind, t.sub)
    me = mf.Manager(manager, "Apply", res.api_version, t.sub, applied_set, clock.iso())
    if live is None:
        if t.sub:
            from .errors import not_found
            raise not_found(res.plural, res.group, t.name)
        obj = prepare_create(cluster, res, copy.deepcopy(applied), t.namespace)
        mf.write_managers(obj, [me])
        if dry_run:
            return obj, 201
        return cluster.store.create(res.key, obj), 201

    managers = mf.read_managers(live)
    ident = (manager, "Apply", "", t.sub)
    previous = mf.find(managers, ident)
    others = [m for m in managers if m.ident != ident]
    merged = merge(live, applied, (), res.kind)
    changed = {p for p in applied_set if mf.differs(live, merged, p)}
    conflicts = [(m, p) for m in others for p in sorted(m.members & changed)]
    if conflicts and not force:
        raise conflict_error(conflicts)
    for m in others:
        m.members -= changed
    if previous is not None:
        dropped = previous.members - applied_set
        orphans = {p for p in dropped if not any(q[:len(p)] == p for m in others for q in m.members)}
        for p in sorted(orphans, key=len, reverse=True):
            if not any(p[:i] in orphans for i in range(1, len(p))):  # a removed parent takes its children
                mf.remove(merged, p)
        if previous.members == applied_set and not changed:
            me.time = previous.time
    kept = [me if m is previous else m for m in managers]
    if previous is None:
        kept.append(me)
    mf.write_managers(merged, kept)
    new, _ = prepare_update(cluster, t, live, merged, t.sub)
    mf.write_managers(new, kept)
    if _same(live, new):
        return live, 200
    if dry_run:
        new["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        return new, 200
    return cluster.store.replace(res.key, new), 200


def _same(a: Obj, b: Obj) -> bool:
    def norm(o: Obj) -> Obj:
        o = copy.deepcopy(o)
        md = o.get("metadata", {})
        md.pop("resourceVersion", None)
        md["managedFields"] = mf.without_times(md.get("managedFields"))
        return o
    return norm(a) == norm(b)
