"""Job and CronJob controllers."""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from . import clock
from .workloads import active, c_res, owner_ref, pod_from_template, strip_zero, write_status

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
NAMED = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}


def _field(expr: str, lo: int, hi: int, names: dict[str, int]) -> set[int]:
    out: set[int] = set()
    for part in expr.lower().split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/", 1)
            step = int(s)
        if part in ("*", "?"):
            a, b = lo, hi
        elif "-" in part:
            x, y = part.split("-", 1)
            a, b = names.get(x) or int(x), names.get(y) or int(y)
        else:
            a = names[part] if part in names else int(part)
            b = hi if step > 1 else a
        out.update(range(a, b + 1, step))
    return out


def parse_cron(schedule: str) -> tuple[set[int], ...] | None:
    s = NAMED.get(schedule.strip(), schedule.strip())
    parts = s.split()
    if s.startswith(("TZ=", "CRON_TZ=")):
        parts = parts[1:]
    if len(parts) != 5:
        return None
    try:
        dow = _field(parts[4], 0, 7, DAYS)
        return (_field(parts[0], 0, 59, {}), _field(parts[1], 0, 23, {}), _field(parts[2], 1, 31, {}),
                _field(parts[3], 1, 12, MONTHS), {d % 7 for d in dow})
    except (ValueError, KeyError):
        return None


def matches(fields: tuple[set[int], ...], t: dt.datetime) -> bool:
    mi, ho, dom, mo, dow = fields
    return t.minute in mi and t.hour in ho and t.month in mo and t.day in dom and (t.isoweekday() % 7) in dow


def last_schedule(fields: tuple[set[int], ...], after: float, now: float) -> float | None:
    """The most recent scheduled minute in (after, now]."""
    t = dt.datetime.fromtimestamp(now, dt.UTC).replace(second=0, microsecond=0)
    floor = dt.datetime.fromtimestamp(after, dt.UTC)
    for _ in range(60 * 24 * 8):
        if t <= floor:
            return None
        if matches(fields, t):
            return t.timestamp()
        t -= dt.timedelta(minutes=1)
    return None


class Jobs:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self, pods_by_owner: dict[str, list[Obj]]) -> None:
        for j in self.cluster.store.refs("jobs.batch"):
            if not j["metadata"].get("deletionTimestamp"):
                self.reconcile(j, pods_by_owner.get(j["metadata"]["uid"], []))

    def reconcile(self, job: Obj, pods: list[Obj]) -> None:
        c = self.cluster
        spec, prev = job["spec"], job.get("status") or {}
        name, ns = job["metadata"]["name"], job["metadata"]["namespace"]
        conds = list(prev.get("conditions") or [])
        done = any(x["type"] in ("Complete", "Failed") and x["status"] == "True" for x in conds)
        live = [p for p in pods if active(p)]
        succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
        failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
        succeeded = max(succeeded, prev.get("succeeded", 0))
        failed = max(failed, prev.get("failed", 0))
        completions = spec.get("completions") or 1
        now = clock.iso()
        status: Obj = {k: v for k, v in prev.items()}
        if done:
            ttl = spec.get("ttlSecondsAfterFinished")
            fin = clock.parse(prev.get("completionTime") or next(
                (x.get("lastTransitionTime") for x in conds if x["type"] in ("Complete", "Failed")), None))
            if ttl is not None and fin is not None and clock.now() - fin >= ttl:
                c.delete(c_res("jobs.batch"), ns, name, {"propagationPolicy": "Background"})
            return
        if spec.get("suspend"):
            for p in live:
                c.delete(c_res("pods"), ns, p["metadata"]["name"])
            live = []
        elif succeeded >= completions:
            conds += [{"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                       "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"},
                      {"type": "Complete", "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                       "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}]
            status["completionTime"] = now
            c.event(job, "Normal", "Completed", "Job completed", component="job-controller")
        elif failed > spec.get("backoffLimit", 6):
            for p in live:
                c.delete(c_res("pods"), ns, p["metadata"]["name"])
            live = []
            conds += [{"type": "FailureTarget", "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                       "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
                      {"type": "Failed", "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
                       "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]
            c.event(job, "Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit",
                    component="job-controller")
        else:
            want = min(spec.get("parallelism", 1), completions - succeeded)
            status.setdefault("startTime", now)
            for _ in range(max(0, want - len(live))):
                pod = pod_from_template(c, job, spec["template"], f"{name}-{c.suffix()}",
                                        owner_ref(job, "Job", "batch/v1"))
                pod["metadata"]["generateName"] = f"{name}-"
                c.store.create("pods", pod)
                live.append(pod)
                c.event(job, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}",
                        component="job-controller")
        status.update({"active": len(live), "succeeded": succeeded, "failed": failed,
                       "ready": sum(1 for p in live if any(x.get("type") == "Ready" and x.get("status") == "True"
                                                           for x in (p.get("status") or {}).get("conditions") or [])),
                       "terminating": sum(1 for p in pods if p["metadata"].get("deletionTimestamp")),
                       "uncountedTerminatedPods": {}})
        if conds:
            status["conditions"] = conds
        write_status(c, "jobs.batch", job, strip_zero(status, ("active", "succeeded", "failed")))


class CronJobs:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._checked: dict[str, tuple[int, Any]] = {}

    def step(self, jobs_by_owner: dict[str, list[Obj]]) -> None:
        for cj in self.cluster.store.refs("cronjobs.batch"):
            if not cj["metadata"].get("deletionTimestamp"):
                self.reconcile(cj, jobs_by_owner.get(cj["metadata"]["uid"], []))

    def reconcile(self, cj: Obj, jobs: list[Obj]) -> None:
        c = self.cluster
        spec, prev = cj["spec"], cj.get("status") or {}
        ns = cj["metadata"]["namespace"]
        status = dict(prev)

        def finished(j: Obj) -> str | None:
            for x in (j.get("status") or {}).get("conditions") or []:
                if x["type"] in ("Complete", "Failed") and x["status"] == "True":
                    return x["type"]
            return None

        running = [j for j in jobs if not finished(j) and not j["metadata"].get("deletionTimestamp")]
        for j in jobs:
            kind = finished(j)
            if kind and any(a.get("uid") == j["metadata"]["uid"] for a in prev.get("active") or []):
                c.event(cj, "Normal", "SawCompletedJob", f"Saw completed job: {j['metadata']['name']}, "
                                                         f"condition: {kind}", component="cronjob-controller")
                if kind == "Complete":
                    status["lastSuccessfulTime"] = (j.get("status") or {}).get("completionTime") or clock.iso()
        # once a minute, and again at once after a change of the spec (a resume: its missed run is due now,
        # as the real controller requeues on every update)
        checked = (int(clock.now() // 60), cj["metadata"].get("generation"))
        fields = parse_cron(spec.get("schedule", ""))
        if fields and not spec.get("suspend") and self._checked.get(cj["metadata"]["uid"]) != checked:
            self._checked[cj["metadata"]["uid"]] = checked
            after = clock.parse(prev.get("lastScheduleTime") or cj["metadata"]["creationTimestamp"]) or 0.0
            t = last_schedule(fields, after, clock.now())
            policy = spec.get("concurrencyPolicy", "Allow")
            if t is not None and not (policy == "Forbid" and running):
                if policy == "Replace":
                    for j in running:
                        c.delete(c_res("jobs.batch"), ns, j["metadata"]["name"], {"propagationPolicy": "Background"})
                    running = []
                job = self._make_job(cj, t)
                try:
                    job = c.store.create("jobs.batch", job)
                    running.append(job)
                    c.event(cj, "Normal", "SuccessfulCreate", f"Created job {job['metadata']['name']}",
                            component="cronjob-controller")
                except Exception:
                    pass
                status["lastScheduleTime"] = clock.iso(t)
        status["active"] = [{"kind": "Job", "namespace": ns, "name": j["metadata"]["name"],
                             "uid": j["metadata"]["uid"], "apiVersion": "batch/v1",
                             "resourceVersion": j["metadata"]["resourceVersion"]} for j in running]
        if not status["active"]:
            status.pop("active")
        write_status(c, "cronjobs.batch", cj, status)
        ok = [j for j in jobs if finished(j) == "Complete"]
        failed = [j for j in jobs if finished(j) == "Failed"]
        self._cleanup(spec, ns, ok, spec.get("successfulJobsHistoryLimit", 3))
        self._cleanup(spec, ns, failed, spec.get("failedJobsHistoryLimit", 1))

    def _cleanup(self, spec: Obj, ns: str, done: list[Obj], keep: int) -> None:
        done.sort(key=lambda j: j["metadata"]["creationTimestamp"])
        for j in done[: max(0, len(done) - keep)]:
            if not j["metadata"].get("deletionTimestamp"):
                self.cluster.delete(c_res("jobs.batch"), ns, j["metadata"]["name"], {"propagationPolicy": "Background"})

    def _make_job(self, cj: Obj, t: float) -> Obj:
        from .defaults import default_job_spec

        jt = copy.deepcopy(cj["spec"].get("jobTemplate") or {})
        md = {"name": f"{cj['metadata']['name']}-{int(t // 60)}", "namespace": cj["metadata"]["namespace"],
              "uid": self.cluster.uid(), "labels": dict((jt.get("metadata") or {}).get("labels") or {}),
              "annotations": {**((jt.get("metadata") or {}).get("annotations") or {}),
                              "batch.kubernetes.io/cronjob-scheduled-timestamp": clock.iso(t)},
              "ownerReferences": [owner_ref(cj, "CronJob", "batch/v1")]}
        job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": md, "spec": jt.get("spec") or {}}
        default_job_spec(job, job["spec"])
        return job
