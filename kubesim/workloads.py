"""Workload controllers: ReplicaSet, Deployment, StatefulSet, DaemonSet."""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from . import clock
from .cluster import template_hash
from .defaults import default_pod
from .errors import ApiError
from .nodes import selector_and_affinity_match, untolerated
from .pdb import pod_ready

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
HASH = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
# What the deployment controller never copies from a Deployment to its ReplicaSets
# (k8s.io/kubernetes pkg/controller/deployment/util: annotationsToSkip).
ANNOTATIONS_TO_SKIP = frozenset({"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
                                 "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
                                 "deprecated.deployment.rollback.to"})


def copy_deployment_annotations(d: Obj, rs: Obj) -> bool:
    """Copy the Deployment's annotations (all but the skip-list) onto the ReplicaSet; True when any changed.

    The real controller does this when it creates the new ReplicaSet and on every sync of it, which is how
    `kubernetes.io/change-cause` reaches `kubectl rollout history`. It never removes annotations.
    """
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in (d["metadata"].get("annotations") or {}).items():
        if k not in ANNOTATIONS_TO_SKIP and ann.get(k) != v:
            ann[k], changed = v, True
    return changed


def active(pod: Obj) -> bool:
    return not pod["metadata"].get("deletionTimestamp") and \
        (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def owner_ref(obj: Obj, kind: str, api_version: str) -> Obj:
    return {"apiVersion": api_version, "kind": kind, "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_uid(obj: Obj) -> str | None:
    for r in obj["metadata"].get("ownerReferences") or []:
        if r.get("controller"):
            return r.get("uid")
    return None


def index_by_owner(objs: list[Obj]) -> dict[str, list[Obj]]:
    idx: dict[str, list[Obj]] = defaultdict(list)
    for o in objs:
        uid = controller_uid(o)
        if uid:
            idx[uid].append(o)
    return idx


def scaled(v: Any, total: int, round_up: bool) -> int:
    if isinstance(v, str) and v.endswith("%"):
        x = int(v[:-1]) * total / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(v or 0)


def strip_zero(status: Obj, keys: tuple[str, ...]) -> Obj:
    return {k: v for k, v in status.items() if not (k in keys and not v)}


def write_status(cluster: Cluster, key: str, obj: Obj, status: Obj) -> Obj:
    if obj.get("status") == status:
        return obj
    md = obj["metadata"]

    def fn(o: Obj) -> Obj:
        o["status"] = status
        return o
    return cluster.store.mutate(key, md.get("namespace", ""), md["name"], fn) or obj


def pod_from_template(cluster: Cluster, owner: Obj, tpl: Obj, name: str, ref: Obj,
                      extra_labels: dict[str, str] | None = None) -> Obj:
    tmd = tpl.get("metadata") or {}
    md: Obj = {"name": name, "namespace": owner["metadata"]["namespace"],
               "labels": {**(tmd.get("labels") or {}), **(extra_labels or {})}, "ownerReferences": [ref],
               "uid": cluster.uid()}
    if tmd.get("annotations"):
        md["annotations"] = dict(tmd["annotations"])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": copy.deepcopy(tpl.get("spec") or {})}
    default_pod(pod, cluster.rng)
    return pod


CR_KEY = "controllerrevisions.apps"
STS_HASH_LABEL = "controller.kubernetes.io/hash"  # pkg/controller/history: ControllerRevisionHashLabel
DS_HASH_LABEL = "controller-revision-hash"  # apps.DefaultDaemonSetUniqueLabelKey


def revision_data(template: Obj) -> Obj:
    """What the StatefulSet and DaemonSet controllers store in a ControllerRevision's `data`: a strategic merge
    patch that replaces spec.template (their getPatch), so `kubectl rollout undo` can apply it as it is."""
    return {"spec": {"template": {**copy.deepcopy(template), "$patch": "replace"}}}


def sorted_revisions(revisions: list[Obj]) -> list[Obj]:
    """history.SortControllerRevisions: by revision, then creation time, then name."""
    return sorted(revisions, key=lambda r: (int(r.get("revision") or 0), r["metadata"].get("creationTimestamp", ""),
                                            r["metadata"]["name"]))


def sync_revisions(cluster: Cluster, owner: Obj, kind: str, revisions: list[Obj], hash_value: str,
                   hash_label: str, in_use: set[str]) -> Obj | None:
    """Make the ControllerRevision of the owner's current template the highest one; returns it.

    As the controllers do: a revision whose data equals the template's is reused (its revision bumped to max+1
    unless it is already the highest; its annotations are left as they were), otherwise a new one
    `<owner>-<hash>` is made with the template's labels + the hash label, the owner's annotations and
    revision max+1. Then, as truncateHistory/cleanupHistory, the oldest revisions that neither the update
    revision nor `in_use` (revision names of live pods, the status's revisions) name are deleted beyond
    spec.revisionHistoryLimit. None when the revision could not be stored (retried next tick).
    """
    md, spec = owner["metadata"], owner["spec"]
    ns = md["namespace"]
    revisions = sorted_revisions(revisions)
    data = revision_data(spec["template"])
    top = max((int(r.get("revision") or 0) for r in revisions), default=0)
    equal = [r for r in revisions if r.get("data") == data]
    if equal and equal[-1] is revisions[-1]:
        update = equal[-1]
    elif equal:
        def bump(o: Obj) -> Obj:
            o["revision"] = top + 1
            return o
        update = cluster.store.mutate(CR_KEY, ns, equal[-1]["metadata"]["name"], bump)
        if update is None:
            return None
    else:
        labels = {**((spec["template"].get("metadata") or {}).get("labels") or {}), hash_label: hash_value}
        cr = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {
            "name": f"{md['name']}-{hash_value}", "namespace": ns, "uid": cluster.uid(), "labels": labels,
            "annotations": dict(md.get("annotations") or {}), "ownerReferences": [owner_ref(owner, kind, "apps/v1")]},
            "data": data, "revision": top + 1}
        try:
            update = cluster.store.create(CR_KEY, cr)
        except ApiError:  # a name taken by a revision of other data (a hash collision): leave it to the next tick
            return None
        revisions = [*revisions, update]
    limit = spec.get("revisionHistoryLimit", 10)
    keep = in_use | {update["metadata"]["name"]}
    non_live = [r for r in sorted_revisions(revisions) if r["metadata"]["name"] not in keep]
    for r in non_live[: max(0, len(non_live) - int(limit))]:
        cluster.store.remove(CR_KEY, ns, r["metadata"]["name"])
    return update


class ReplicaSets:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self, pods_by_owner: dict[str, list[Obj]]) -> None:
        for rs in self.cluster.store.refs("replicasets.apps"):
            if rs["metadata"].get("deletionTimestamp"):
                continue
            self.reconcile(rs, pods_by_owner.get(rs["metadata"]["uid"], []))

    def reconcile(self, rs: Obj, pods: list[Obj]) -> None:
        c = self.cluster
        want = rs["spec"].get("replicas", 1)
        live = [p for p in pods if active(p)]
        ns, name = rs["metadata"]["namespace"], rs["metadata"]["name"]
        ref = owner_ref(rs, "ReplicaSet", "apps/v1")
        if len(live) < want:
            for _ in range(min(want - len(live), 500)):
                pod = pod_from_template(c, rs, rs["spec"]["template"], f"{name}-{c.suffix()}", ref)
                pod["metadata"]["generateName"] = f"{name}-"
                try:
                    c.store.create("pods", pod)
                except Exception:  # name clash or namespace going away: retry next tick
                    continue
                c.event(rs, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}",
                        component="replicaset-controller")
        elif len(live) > want:
            def rank(p: Obj) -> tuple[int, int, str]:
                scheduled = 1 if p["spec"].get("nodeName") else 0
                running = 1 if (p.get("status") or {}).get("phase") == "Running" else 0
                return (scheduled, running + (1 if pod_ready(p) else 0), "~" + p["metadata"]["creationTimestamp"])
            victims = sorted(live, key=rank)[: len(live) - want]
            for p in victims:
                try:
                    c.delete(c_res("pods"), ns, p["metadata"]["name"])
                except Exception:
                    continue
                c.event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}",
                        component="replicaset-controller")
            live = [p for p in live if p not in victims]
        ready = sum(1 for p in live if pod_ready(p))
        status = {"replicas": len(live), "fullyLabeledReplicas": len(live), "readyReplicas": ready,
                  "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
        write_status(c, "replicasets.apps", rs, strip_zero(status, ("fullyLabeledReplicas", "readyReplicas",
                                                                     "availableReplicas")))


def c_res(key: str):  # noqa: ANN201 - tiny helper
    from .resources import BY_KEY

    return BY_KEY[key]


def _template_without_hash(tpl: Obj) -> Obj:
    t = copy.deepcopy(tpl)
    md = t.setdefault("metadata", {})
    md.pop("creationTimestamp", None)
    (md.get("labels") or {}).pop(HASH, None)
    return t


def _same_template(a: Obj, b: Obj) -> bool:
    return _template_without_hash(a) == _template_without_hash(b)


class Deployments:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self, rs_by_owner: dict[str, list[Obj]], pods_by_owner: dict[str, list[Obj]]) -> None:
        for d in self.cluster.store.refs("deployments.apps"):
            if d["metadata"].get("deletionTimestamp"):
                continue
            self.reconcile(d, rs_by_owner.get(d["metadata"]["uid"], []), pods_by_owner)

    def _new_rs(self, d: Obj, rss: list[Obj]) -> Obj | None:
        tpl = d["spec"]["template"]
        for rs in rss:
            if _same_template(rs["spec"]["template"], tpl):
                return rs
        return None

    def reconcile(self, d: Obj, rss: list[Obj], pods_by_owner: dict[str, list[Obj]]) -> None:
        c = self.cluster
        spec = d["spec"]
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        want = spec.get("replicas", 1)
        new = self._new_rs(d, rss)
        created_new = False
        if new is None and not spec.get("paused"):
            revision = 1 + max([int((r["metadata"].get("annotations") or {}).get(REVISION, "0")) for r in rss] or [0])
            collision = (d.get("status") or {}).get("collisionCount", 0)
            h = template_hash(spec["template"], collision)
            tpl = copy.deepcopy(spec["template"])
            tpl.setdefault("metadata", {}).setdefault("labels", {})[HASH] = h
            sel = copy.deepcopy(spec["selector"])
            sel.setdefault("matchLabels", {})[HASH] = h
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
                "name": f"{name}-{h}", "namespace": ns, "uid": c.uid(),
                "labels": {**(spec["template"].get("metadata") or {}).get("labels", {}), HASH: h},
                "annotations": {**{k: v for k, v in (d["metadata"].get("annotations") or {}).items()
                                   if k not in ANNOTATIONS_TO_SKIP},
                                "deployment.kubernetes.io/desired-replicas": str(want),
                                "deployment.kubernetes.io/max-replicas": str(want + self._surge(d)),
                                REVISION: str(revision)},
                "ownerReferences": [owner_ref(d, "Deployment", "apps/v1")]},
                "spec": {"replicas": 0, "minReadySeconds": spec.get("minReadySeconds", 0), "selector": sel,
                         "template": tpl}, "status": {"replicas": 0}}
            try:
                new = c.store.create("replicasets.apps", rs)
            except ApiError as e:
                if e.reason == "AlreadyExists":  # a hash collision: the next attempt hashes differently
                    status = {**(d.get("status") or {}), "collisionCount": collision + 1}
                    write_status(c, "deployments.apps", d, status)
                return
            rss = [*rss, new]
            created_new = True
        elif new is not None:
            new = self._sync_new_rs_annotations(d, new, rss)
            rss = [new if r["metadata"]["uid"] == new["metadata"]["uid"] else r for r in rss]
        old = [r for r in rss if new is None or r["metadata"]["uid"] != new["metadata"]["uid"]]
        if new is not None and not spec.get("paused"):
            self._rollout(d, new, old, pods_by_owner)
        elif new is not None:
            self._scale(d, new, want)
        self._status(d, new, old, created_new)

    def _sync_new_rs_annotations(self, d: Obj, new: Obj, rss: list[Obj]) -> Obj:
        """The controller's SetNewReplicaSetAnnotations for an existing new ReplicaSet.

        It copies the Deployment's annotations (change-cause among them) and, when its revision is lower than
        max(old revisions) + 1 (a rollback to an old template), makes it the newest revision and records the
        revision it had in `deployment.kubernetes.io/revision-history`.
        """
        others = [int((r["metadata"].get("annotations") or {}).get(REVISION, "0") or 0) for r in rss
                  if r["metadata"]["uid"] != new["metadata"]["uid"]]
        target = max(others or [0]) + 1
        mine_text = (new["metadata"].get("annotations") or {}).get(REVISION)
        mine = int(mine_text or 0)
        probe = copy.deepcopy(new)
        if not copy_deployment_annotations(d, probe) and mine >= target:
            return new

        def sync(o: Obj) -> Obj:
            copy_deployment_annotations(d, o)
            ann = o["metadata"].setdefault("annotations", {})
            if mine < target:
                ann[REVISION] = str(target)
                if mine_text:
                    history = ann.get(REVISION_HISTORY)
                    ann[REVISION_HISTORY] = f"{history},{mine_text}" if history else mine_text
            return o
        return self.cluster.store.mutate("replicasets.apps", new["metadata"]["namespace"], new["metadata"]["name"],
                                         sync) or new

    def _surge(self, d: Obj) -> int:
        strat = d["spec"].get("strategy") or {}
        if strat.get("type") == "Recreate":
            return 0
        ru = strat.get("rollingUpdate") or {}
        return scaled(ru.get("maxSurge", "25%"), d["spec"].get("replicas", 1), True)

    def _unavailable(self, d: Obj) -> int:
        strat = d["spec"].get("strategy") or {}
        if strat.get("type") == "Recreate":
            return d["spec"].get("replicas", 1)
        ru = strat.get("rollingUpdate") or {}
        want = d["spec"].get("replicas", 1)
        mu = scaled(ru.get("maxUnavailable", "25%"), want, False)
        if mu == 0 and self._surge(d) == 0:
            mu = 1
        return min(mu, want)

    def _scale(self, d: Obj, rs: Obj, replicas: int) -> Obj:
        if rs["spec"].get("replicas") == replicas:
            return rs
        before = rs["spec"].get("replicas", 0)

        def fn(o: Obj) -> Obj:
            o["spec"]["replicas"] = replicas
            ann = o["metadata"].setdefault("annotations", {})
            ann["deployment.kubernetes.io/desired-replicas"] = str(d["spec"].get("replicas", 1))
            ann["deployment.kubernetes.io/max-replicas"] = str(d["spec"].get("replicas", 1) + self._surge(d))
            return o
        out = self.cluster.store.mutate("replicasets.apps", rs["metadata"]["namespace"], rs["metadata"]["name"], fn)
        verb = "up" if replicas > before else "down"
        self.cluster.event(d, "Normal", "ScalingReplicaSet",
                           f"Scaled {verb} replica set {rs['metadata']['name']} from {before} to {replicas}",
                           component="deployment-controller")
        return out or rs

    def _rollout(self, d: Obj, new: Obj, old: list[Obj], pods_by_owner: dict[str, list[Obj]]) -> None:
        want = d["spec"].get("replicas", 1)
        old_live = [r for r in old if r["spec"].get("replicas", 0) > 0]
        if not old_live:
            self._scale(d, new, want)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            for r in old_live:
                self._scale(d, r, 0)
            if not any(active(p) for r in old for p in pods_by_owner.get(r["metadata"]["uid"], [])):
                self._scale(d, new, want)
            return
        surge, max_unavail = self._surge(d), self._unavailable(d)
        total = sum(r["spec"].get("replicas", 0) for r in [new, *old])
        if total < want + surge and new["spec"].get("replicas", 0) < want:
            new = self._scale(d, new, min(want, new["spec"].get("replicas", 0) + want + surge - total))
        all_rs = [new, *old]
        available = sum((r.get("status") or {}).get("availableReplicas", 0) for r in all_rs)
        can_remove = available - (want - max_unavail)
        # unhealthy old pods can always go first
        for r in sorted(old_live, key=lambda r: r["metadata"]["creationTimestamp"]):
            unhealthy = r["spec"].get("replicas", 0) - (r.get("status") or {}).get("availableReplicas", 0)
            cut = min(r["spec"].get("replicas", 0), max(0, unhealthy) + max(0, can_remove))
            if cut <= 0:
                continue
            can_remove -= max(0, cut - max(0, unhealthy))
            self._scale(d, r, r["spec"].get("replicas", 0) - cut)

    def _status(self, d: Obj, new: Obj | None, old: list[Obj], created_new: bool) -> None:
        want = d["spec"].get("replicas", 1)
        all_rs = ([new] if new else []) + old
        st = lambda r, k: (r.get("status") or {}).get(k, 0)  # noqa: E731
        replicas = sum(st(r, "replicas") for r in all_rs)
        updated = st(new, "replicas") if new else 0
        ready = sum(st(r, "readyReplicas") for r in all_rs)
        available = sum(st(r, "availableReplicas") for r in all_rs)
        prev = d.get("status") or {}
        status: Obj = {"observedGeneration": d["metadata"].get("generation", 1), "replicas": replicas,
                       "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": available,
                       "unavailableReplicas": max(0, sum(r["spec"].get("replicas", 0) for r in all_rs) - available)}
        status = strip_zero(status, tuple(status))
        if prev.get("collisionCount"):
            status["collisionCount"] = prev["collisionCount"]
        conds = copy.deepcopy(prev.get("conditions") or [])
        now = clock.iso()

        def put(ctype: str, ok: bool, reason: str, msg: str) -> None:
            s = "True" if ok else "False"
            for cnd in conds:
                if cnd["type"] == ctype:
                    if (cnd["status"], cnd["reason"], cnd["message"]) != (s, reason, msg):
                        if cnd["status"] != s:
                            cnd["lastTransitionTime"] = now
                        cnd.update(status=s, reason=reason, message=msg, lastUpdateTime=now)
                    return
            conds.append({"type": ctype, "status": s, "lastUpdateTime": now, "lastTransitionTime": now,
                          "reason": reason, "message": msg})

        min_ok = available >= want - self._unavailable(d)
        put("Available", min_ok, "MinimumReplicasAvailable" if min_ok else "MinimumReplicasUnavailable",
            "Deployment has minimum availability." if min_ok else "Deployment does not have minimum availability.")
        if new is not None:
            rsname = new["metadata"]["name"]
            complete = updated == want and available == want and replicas == want and \
                all(r["spec"].get("replicas", 0) == 0 for r in old)
            progressing = next((x for x in conds if x["type"] == "Progressing"), None)
            progressed = (updated > prev.get("updatedReplicas", 0) or replicas < prev.get("replicas", 0)
                          or ready > prev.get("readyReplicas", 0) or available > prev.get("availableReplicas", 0))
            deadline = d["spec"].get("progressDeadlineSeconds")
            if complete:
                put("Progressing", True, "NewReplicaSetAvailable",
                    f'ReplicaSet "{rsname}" has successfully progressed.')
            elif created_new:
                put("Progressing", True, "NewReplicaSetCreated", f'Created new replica set "{rsname}"')
            elif progressed or progressing is None or progressing["reason"] == "NewReplicaSetAvailable":
                put("Progressing", True, "ReplicaSetUpdated", f'ReplicaSet "{rsname}" is progressing.')
                for cnd in conds:  # any progress refreshes lastUpdateTime, which the deadline counts from
                    if cnd["type"] == "Progressing":
                        cnd["lastUpdateTime"] = now
            elif deadline is not None and progressing["reason"] != "ProgressDeadlineExceeded" and \
                    clock.now() - (clock.parse(progressing.get("lastUpdateTime")) or clock.now()) > deadline:
                put("Progressing", False, "ProgressDeadlineExceeded",
                    f'ReplicaSet "{rsname}" has timed out progressing.')
        order = {"Available": 0, "Progressing": 1}
        conds.sort(key=lambda x: order.get(x["type"], 2))
        status["conditions"] = conds
        write_status(self.cluster, "deployments.apps", d, status)
        if new is not None:
            rev = (new["metadata"].get("annotations") or {}).get(REVISION)
            if rev and (d["metadata"].get("annotations") or {}).get(REVISION) != rev:
                def ann(o: Obj) -> Obj:
                    o["metadata"].setdefault("annotations", {})[REVISION] = rev
                    return o
                self.cluster.store.mutate("deployments.apps", d["metadata"]["namespace"], d["metadata"]["name"], ann)


class StatefulSets:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self, pods_by_owner: dict[str, list[Obj]]) -> None:
        revisions = index_by_owner(self.cluster.store.refs(CR_KEY))
        for s in self.cluster.store.refs("statefulsets.apps"):
            if not s["metadata"].get("deletionTimestamp"):
                self.reconcile(s, pods_by_owner.get(s["metadata"]["uid"], []),
                               revisions.get(s["metadata"]["uid"], []))

    def reconcile(self, sts: Obj, pods: list[Obj], revisions: list[Obj]) -> None:
        c = self.cluster
        spec = sts["spec"]
        name, ns = sts["metadata"]["name"], sts["metadata"]["namespace"]
        want = spec.get("replicas", 1)
        h = template_hash(spec["template"])
        rev = f"{name}-{h}"  # for StatefulSets the pods' controller-revision-hash is the revision's name
        prev_status = sts.get("status") or {}
        in_use = {(p["metadata"].get("labels") or {}).get("controller-revision-hash", "") for p in pods}
        in_use.add(prev_status.get("currentRevision", ""))
        if sync_revisions(c, sts, "StatefulSet", revisions, h, STS_HASH_LABEL, in_use) is None:
            return
        by_ord: dict[int, Obj] = {}
        for p in pods:
            try:
                by_ord[int(p["metadata"]["name"].rsplit("-", 1)[1])] = p
            except (ValueError, IndexError):
                continue
        ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        # OnDelete: a new template reaches a pod only when that pod is deleted (and recreated from it)
        strategy = spec.get("updateStrategy") or {}
        on_delete = strategy.get("type") == "OnDelete"
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        for i in range(want):
            p = by_ord.get(i)
            if p is None:
                if c.store.ref("pods", ns, f"{name}-{i}") is not None:
                    break  # old incarnation still terminating
                ref = owner_ref(sts, "StatefulSet", "apps/v1")
                pod = pod_from_template(c, sts, spec["template"], f"{name}-{i}", ref,
                                        {"controller-revision-hash": rev, "statefulset.kubernetes.io/pod-name":
                                         f"{name}-{i}", "apps.kubernetes.io/pod-index": str(i)})
                pod["spec"]["hostname"] = f"{name}-{i}"
                if spec.get("serviceName"):
                    pod["spec"]["subdomain"] = spec["serviceName"]
                try:
                    c.store.create("pods", pod)
                except Exception:
                    break
                c.event(sts, "Normal", "SuccessfulCreate", f"create Pod {name}-{i} in StatefulSet {name} successful",
                        component="statefulset-controller")
                if ordered:
                    break
            elif ordered and not (active(p) and pod_ready(p)):
                break
        else:
            # scale down from the highest ordinal, then roll out one pod at a time
            extra = sorted((i for i in by_ord if i >= want), reverse=True)
            if extra:
                p = by_ord[extra[0]]
                if not p["metadata"].get("deletionTimestamp"):
                    c.delete(c_res("pods"), ns, p["metadata"]["name"])
                    c.event(sts, "Normal", "SuccessfulDelete", f"delete Pod {p['metadata']['name']} in StatefulSet "
                                                               f"{name} successful", component="statefulset-controller")
            elif not on_delete and all(active(p) and pod_ready(p) for p in by_ord.values()):
                # RollingUpdate: one pod at a time from the highest ordinal, down to the partition
                stale = sorted((i for i, p in by_ord.items() if i >= partition
                                and (p["metadata"].get("labels") or {}).get("controller-revision-hash") != rev),
                               reverse=True)
                if stale:
                    c.delete(c_res("pods"), ns, by_ord[stale[0]]["metadata"]["name"])
        live = [p for p in by_ord.values() if active(p)]
        ready = sum(1 for p in live if pod_ready(p))
        updated = sum(1 for p in live if (p["metadata"].get("labels") or {}).get("controller-revision-hash") == rev)
        prev = sts.get("status") or {}
        current_rev = rev if updated == len(live) else prev.get("currentRevision", rev)
        status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(live),
                  "readyReplicas": ready, "currentReplicas": updated if current_rev == rev else len(live) - updated,
                  "updatedReplicas": updated, "currentRevision": current_rev, "updateRevision": rev,
                  "collisionCount": 0, "availableReplicas": ready}
        write_status(c, "statefulsets.apps", sts, strip_zero(status, ("readyReplicas", "currentReplicas",
                                                                       "updatedReplicas")))


DS_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


class DaemonSets:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self, pods_by_owner: dict[str, list[Obj]]) -> None:
        nodes = self.cluster.store.refs("nodes")
        revisions = index_by_owner(self.cluster.store.refs(CR_KEY))
        for ds in self.cluster.store.refs("daemonsets.apps"):
            if not ds["metadata"].get("deletionTimestamp"):
                self.reconcile(ds, nodes, pods_by_owner.get(ds["metadata"]["uid"], []),
                               revisions.get(ds["metadata"]["uid"], []))

    def reconcile(self, ds: Obj, nodes: list[Obj], pods: list[Obj], revisions: list[Obj]) -> None:
        c = self.cluster
        spec = ds["spec"]
        name, ns = ds["metadata"]["name"], ds["metadata"]["namespace"]
        tpl_spec = spec["template"].get("spec") or {}
        tols = (tpl_spec.get("tolerations") or []) + DS_TOLERATIONS
        rev = template_hash(spec["template"])  # for DaemonSets the pods' controller-revision-hash is the hash
        in_use = {f"{name}-{(p['metadata'].get('labels') or {}).get('controller-revision-hash', '')}"
                  for p in pods if active(p)}
        if sync_revisions(c, ds, "DaemonSet", revisions, rev, DS_HASH_LABEL, in_use) is None:
            return
        by_node: dict[str, list[Obj]] = defaultdict(list)
        for p in pods:
            if active(p):
                by_node[_ds_node(p)].append(p)
        desired = 0
        for node in nodes:
            nname = node["metadata"]["name"]
            fits = selector_and_affinity_match(tpl_spec, node)
            should_run = fits and untolerated(node, tols) is None
            keep = fits and untolerated(node, tols, ("NoExecute",)) is None
            have = by_node.get(nname, [])
            if should_run:
                desired += 1
            if should_run and not have:
                pod = pod_from_template(c, ds, spec["template"], f"{name}-{c.suffix()}",
                                        owner_ref(ds, "DaemonSet", "apps/v1"),
                                        {"controller-revision-hash": rev, "pod-template-generation":
                                         str(ds["metadata"].get("generation", 1))})
                pod["metadata"]["generateName"] = f"{name}-"
                pod["spec"]["tolerations"] = _merge_tols(pod["spec"].get("tolerations") or [], DS_TOLERATIONS)
                pod["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchFields": [
                        {"key": "metadata.name", "operator": "In", "values": [nname]}]}]}}}
                c.store.create("pods", pod)
                c.event(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}",
                        component="daemonset-controller")
            elif have and not keep:
                for p in have:
                    c.delete(c_res("pods"), ns, p["metadata"]["name"])
            elif len(have) > 1:
                for p in have[1:]:
                    c.delete(c_res("pods"), ns, p["metadata"]["name"])
        live = [p for ps in by_node.values() for p in ps]
        stale = [p for p in live if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != rev]
        if (spec.get("updateStrategy") or {}).get("type") != "OnDelete":  # OnDelete: only deleted pods change
            # RollingUpdate (maxUnavailable 1): old pods that are not ready go at once, as the controller's
            # oldUnavailablePods do; a ready one only while every pod is ready
            unready = [p for p in stale if not pod_ready(p) and not p["metadata"].get("deletionTimestamp")]
            for p in unready:
                c.delete(c_res("pods"), ns, p["metadata"]["name"])
            if stale and not unready and all(pod_ready(p) for p in live):
                c.delete(c_res("pods"), ns, stale[0]["metadata"]["name"])
        ready = sum(1 for p in live if pod_ready(p))
        status = {"currentNumberScheduled": len(by_node), "desiredNumberScheduled": desired,
                  "numberMisscheduled": 0, "numberReady": ready, "numberAvailable": ready,
                  "numberUnavailable": max(0, desired - ready), "updatedNumberScheduled": len(live) - len(stale),
                  "observedGeneration": ds["metadata"].get("generation", 1)}
        write_status(c, "daemonsets.apps", ds, strip_zero(status, ("numberAvailable", "numberUnavailable",
                                                                    "updatedNumberScheduled")))


def _ds_node(pod: Obj) -> str:
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    terms = ((((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
              .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or [])
    for t in terms:
        for f in t.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("values"):
                return f["values"][0]
    return ""


def _merge_tols(tols: list[Obj], extra: list[Obj]) -> list[Obj]:
    out = list(tols)
    for t in extra:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] for x in out):
            out.append(dict(t))
    return out
