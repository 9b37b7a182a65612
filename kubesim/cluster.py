"""Cluster-wide operations shared by the API handlers and the controllers."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from typing import Any

from . import clock
from .errors import ApiError, not_found
from .kinds import Admission
from .resources import BY_KEY, Resource
from .store import Store

Obj = dict[str, Any]


@dataclass
class Settings:
    tick: float = 1.0
    # normal containers stop this many seconds after SIGTERM (bounded by the grace period)
    stop_seconds: float = 1.0
    # multiply grace periods by this (tests shorten the wall clock)
    grace_scale: float = 1.0
    # how long a container takes from scheduled to running
    start_seconds: float = 1.0
    # how long a job pod runs before it exits
    job_seconds: float = 2.0
    event_limit: int = 5000


class Cluster:
    """The store plus the behaviour every writer shares: deletion, events, names."""

    def __init__(self, store: Store, settings: Settings, seed: int | None = None) -> None:
        self.store = store
        self.settings = settings
        self.rng = random.Random(seed)
        self._event_index: dict[tuple[str, str, str, str, str], tuple[str, str]] = {}
        store.add_admission(Admission(store))

    # ---- names ----------------------------------------------------------------------
    def suffix(self, n: int = 5) -> str:
        return "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))

    def uid(self) -> str:
        b = bytearray(self.rng.getrandbits(8) for _ in range(16))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # ---- events ---------------------------------------------------------------------
    def event(self, obj: Obj, etype: str, reason: str, message: str, *, component: str,
              host: str = "", field_path: str = "") -> None:
        """Record a core/v1 Event, aggregating repeats into count/lastTimestamp."""
        md = obj["metadata"]
        ns = md.get("namespace") or "default"
        kind = obj.get("kind") or ""
        ikey = (md.get("uid", ""), reason, message, field_path, etype)
        now = clock.iso()
        with self.store.lock:
            loc = self._event_index.get(ikey)
            if loc is not None and self.store.ref("events", *loc) is not None:
                def bump(ev: Obj) -> Obj:
                    ev["count"] = ev.get("count", 1) + 1
                    ev["lastTimestamp"] = now
                    return ev
                self.store.mutate("events", loc[0], loc[1], bump)
                return
            name = f"{md['name']}.{self.rng.getrandbits(64):016x}"
            io: Obj = {"kind": kind, "namespace": md.get("namespace", ""), "name": md["name"],
                       "uid": md.get("uid", ""), "apiVersion": obj.get("apiVersion", ""),
                       "resourceVersion": md.get("resourceVersion", "")}
            if not md.get("namespace"):
                io.pop("namespace")
            if field_path:
                io["fieldPath"] = field_path
            ev = {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": io, "reason": reason, "message": message,
                "source": {"component": component, **({"host": host} if host else {})},
                "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": etype,
                "eventTime": None, "reportingComponent": component, "reportingInstance": host,
            }
            self.store.create("events", ev)
            self._event_index[ikey] = (ns, name)
            if self.store.count("events") > self.settings.event_limit:
                self._trim_events()

    def _trim_events(self) -> None:
        evs = sorted(self.store.refs("events"), key=lambda e: e.get("lastTimestamp") or "")
        for e in evs[: len(evs) - self.settings.event_limit + self.settings.event_limit // 10]:
            self.store.remove("events", e["metadata"]["namespace"], e["metadata"]["name"])
        live = {(e["metadata"]["namespace"], e["metadata"]["name"]) for e in self.store.refs("events")}
        self._event_index = {k: v for k, v in self._event_index.items() if v in live}

    # ---- deletion -------------------------------------------------------------------
    def delete(self, res: Resource, ns: str, name: str, opts: Obj | None = None) -> tuple[Obj, bool]:
        """Delete per DeleteOptions. Returns (object, removed_now)."""
        opts = opts or {}
        with self.store.lock:
            cur = self.store.ref(res.key, ns, name)
            if cur is None:
                raise not_found(res.plural, res.group, name)
            pre = opts.get("preconditions") or {}
            details = {"name": name, "kind": res.plural, **({"group": res.group} if res.group else {})}
            md = cur["metadata"]
            if pre.get("uid") and pre["uid"] != md.get("uid"):
                raise ApiError(409, f'Operation cannot be fulfilled on {res.qualified} "{name}": Precondition '
                               f"failed: UID in precondition: {pre['uid']}, UID in object meta: {md.get('uid')}",
                               "Conflict", details)
            if pre.get("resourceVersion") and pre["resourceVersion"] != md.get("resourceVersion"):
                raise ApiError(409, f'Operation cannot be fulfilled on {res.qualified} "{name}": Precondition '
                               f"failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                               f"ResourceVersion in object meta: {md.get('resourceVersion')}",
                               "Conflict", details)
            policy = opts.get("propagationPolicy")
            if policy is None and opts.get("orphanDependents") is not None:
                policy = "Orphan" if opts["orphanDependents"] else "Background"
            if res.key == "pods":
                return self._delete_pod(cur, opts)
            if res.key == "namespaces":
                if name in ("default", "kube-system", "kube-public"):
                    raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                   "Forbidden", details)
                return self._mark_deleting(res, cur, extra_finalizers=[], phase="Terminating"), False
            if res.key == "events":
                return self.store.remove(res.key, ns, name) or cur, True
            if policy in ("Foreground", "Orphan"):
                fin = "foregroundDeletion" if policy == "Foreground" else "orphan"
                return self._mark_deleting(res, cur, extra_finalizers=[fin]), False
            if md.get("finalizers"):
                return self._mark_deleting(res, cur, extra_finalizers=[]), False
            return self.store.remove(res.key, ns, name) or cur, True

    def _mark_deleting(self, res: Resource, cur: Obj, extra_finalizers: list[str], phase: str = "") -> Obj:
        new = copy.deepcopy(cur)
        md = new["metadata"]
        if not md.get("deletionTimestamp"):
            md["deletionTimestamp"] = clock.iso()
            md["deletionGracePeriodSeconds"] = 0
        fins = md.setdefault("finalizers", [])
        for f in extra_finalizers:
            if f not in fins:
                fins.append(f)
        if not fins:
            md.pop("finalizers")
        if phase:
            new.setdefault("status", {})["phase"] = phase
        return self.store.replace(res.key, new)

    def _delete_pod(self, cur: Obj, opts: Obj) -> tuple[Obj, bool]:
        md = cur["metadata"]
        ns, name = md["namespace"], md["name"]
        spec, st = cur.get("spec") or {}, cur.get("status") or {}
        grace = opts.get("gracePeriodSeconds")
        if grace is None:
            grace = spec.get("terminationGracePeriodSeconds", 30)
        grace = int(grace)
        if not spec.get("nodeName") or st.get("phase") in ("Succeeded", "Failed"):
            grace = 0
        # already terminating: only a shorter grace period changes anything
        if md.get("deletionTimestamp") is not None and grace >= (md.get("deletionGracePeriodSeconds") or 0) \
                and grace != 0:
            return cur, False
        if grace == 0 and not md.get("finalizers"):
            return self.store.remove("pods", ns, name) or cur, True
        new = copy.deepcopy(cur)
        new["metadata"]["deletionTimestamp"] = clock.iso(clock.now() + grace)
        new["metadata"]["deletionGracePeriodSeconds"] = grace
        return self.store.replace("pods", new), False


def template_hash(template: Obj, collision: int = 0) -> str:
    """fnv32a of the template, encoded as rand.SafeEncodeString(fmt.Sprint(hash)) like the controllers."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")) + (str(collision) if collision else "")
    h = 0x811C9DC5
    for b in data.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[ord(c) % len(alphabet)] for c in str(h))


def resource(key: str) -> Resource:
    return BY_KEY[key]
