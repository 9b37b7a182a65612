"""Actions on StatefulSets, DaemonSets, Jobs and CronJobs, each the way kubectl does it.

- scale (StatefulSets): the scale subresource, as `kubectl scale`;
- restart (StatefulSets, DaemonSets): `kubectl rollout restart`, the pod template stamped with
  `kubectl.kubernetes.io/restartedAt`;
- suspend / resume (CronJobs): `spec.suspend`, as `kubectl patch cronjob x -p '{"spec":{"suspend":true}}'`;
- trigger (CronJobs): a Job made exactly as `kubectl create job NAME --from=cronjob/x` makes it;
- delete (every kind) with a propagation policy, Background unless told otherwise (kubectl's default).

Scale and restart record `kubernetes.io/change-cause` on the workload, as services.py does for Deployments:
the StatefulSet and DaemonSet controllers copy it onto the ControllerRevision they create for the new
template, so it shows in `kubectl rollout history` and in our history endpoint. Every write goes through
the gateway, whose hook tells the watch cache (kube/cache.py), so the next list shows the change.
"""
from __future__ import annotations

import copy
import logging
import secrets
from typing import Any

from clusters.models import Cluster
from common import errors
from kube.objects import missing_as
from kube.raw import read_json
from kube.times import now_rfc3339
from workloads.details import CRONJOB, ActionKind, workload_get
from workloads.services import CHANGE_CAUSE, MERGE_PATCH, RESTARTED_AT, STRATEGIC_MERGE_PATCH, change_cause

Obj = dict[str, Any]
log = logging.getLogger(__name__)

PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")
INSTANTIATE = "cronjob.kubernetes.io/instantiate"
# A Job's name ends up in its pods' `job-name` label, whose values are at most 63 characters.
JOB_NAME_MAX = 63
# The characters Kubernetes uses for generateName suffixes (no vowels, no look-alikes).
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _patch(cluster: Cluster, kind: ActionKind, namespace: str, name: str, body: Obj, content_type: str) -> Obj:
    with missing_as(cluster, kind.kind, namespace, name):
        return read_json(cluster, getattr(kind.api(cluster), kind.patch), name, namespace, body,
                         _content_type=content_type)


def scale(*, cluster: Cluster, kind: ActionKind, namespace: str, name: str, replicas: int,
          actor: str | None = None) -> int:
    """Set the replica count through the scale subresource; returns the new desired count.

    The change cause is a second patch, as `kubectl scale --record` made it: the scale has happened by then, so
    a failure to annotate is logged, not reported as a failed scale.
    """
    if kind.patch_scale is None:
        raise errors.InvalidRequest(f"A {kind.kind} cannot be scaled")
    with missing_as(cluster, kind.kind, namespace, name):
        result = read_json(cluster, getattr(kind.api(cluster), kind.patch_scale), name, namespace,
                           {"spec": {"replicas": replicas}}, _content_type=MERGE_PATCH)
    scaled_to = int(((result or {}).get("spec") or {}).get("replicas") or 0)
    cause = {"metadata": {"annotations": {CHANGE_CAUSE: change_cause(f"scaled to {scaled_to}", actor)}}}
    try:
        _patch(cluster, kind, namespace, name, cause, MERGE_PATCH)
    except errors.AppError as exc:
        log.warning("scaled %s %s/%s but could not record the change cause: %s", kind.kind, namespace, name, exc)
    return scaled_to


def restart(*, cluster: Cluster, kind: ActionKind, namespace: str, name: str,
            actor: str | None = None) -> tuple[str, str]:
    """`kubectl rollout restart` of a StatefulSet or DaemonSet: the strategic merge patch kubectl sends, plus the
    change cause. Returns the timestamp written and the update strategy's type (with `OnDelete`, as kubectl
    allows, the template changes but pods are replaced only as they are deleted)."""
    restarted_at = now_rfc3339()
    patch = {"metadata": {"annotations": {CHANGE_CAUSE: change_cause("restart", actor)}},
             "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: restarted_at}}}}}
    updated = _patch(cluster, kind, namespace, name, patch, STRATEGIC_MERGE_PATCH)
    strategy = (((updated or {}).get("spec") or {}).get("updateStrategy") or {}).get("type") or "RollingUpdate"
    return restarted_at, strategy


def set_suspend(*, cluster: Cluster, namespace: str, name: str, suspend: bool) -> bool:
    """Suspend (True) or resume (False) a CronJob's schedule; Jobs already running are left alone, as by kubectl."""
    updated = _patch(cluster, CRONJOB, namespace, name, {"spec": {"suspend": suspend}}, MERGE_PATCH)
    return bool(((updated or {}).get("spec") or {}).get("suspend"))


def manual_job_name(cronjob: str) -> str:
    """`<cronjob>-manual-<5 random characters>`, the CronJob's name shortened so the whole fits in 63."""
    suffix = "-manual-" + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
    return cronjob[: JOB_NAME_MAX - len(suffix)].rstrip("-.") + suffix


def job_from_cronjob(cronjob: Obj, job_name: str) -> Obj:
    """The Job `kubectl create job NAME --from=cronjob/x` sends (createJobFromCronJob in kubectl):
    the jobTemplate's labels and spec, its annotations over `cronjob.kubernetes.io/instantiate: manual`,
    and a controller ownerReference to the CronJob without blockOwnerDeletion."""
    metadata = cronjob.get("metadata") or {}
    template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    template_meta = template.get("metadata") or {}
    job_meta: Obj = {
        "name": job_name,
        "namespace": metadata.get("namespace"),
        "annotations": {INSTANTIATE: "manual", **(template_meta.get("annotations") or {})},
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": metadata.get("name"),
                             "uid": metadata.get("uid"), "controller": True}],
    }
    if template_meta.get("labels"):
        job_meta["labels"] = dict(template_meta["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


def trigger(*, cluster: Cluster, namespace: str, name: str, job_name: str | None = None) -> Obj:
    """Run the CronJob now: create its Job (named `job_name`, or `<cronjob>-manual-<suffix>`).

    A name already taken is a 409 from the cluster. Works on a suspended CronJob too, as kubectl's does.
    Returns the created Job as the API server answered it.
    """
    cronjob = workload_get(cluster=cluster, kind=CRONJOB, namespace=namespace, name=name)
    body = job_from_cronjob(cronjob, job_name or manual_job_name(name))
    with missing_as(cluster, "CronJob", namespace, name):
        return read_json(cluster, CRONJOB.api(cluster).create_namespaced_job, namespace, body)


def delete(*, cluster: Cluster, kind: ActionKind, namespace: str, name: str, propagation: str = "Background") -> None:
    """Delete with a propagation policy: Background (the default: dependents go after it), Foreground (the
    object stays, being deleted, until its dependents are gone) or Orphan (its dependents stay)."""
    if propagation not in PROPAGATION_POLICIES:
        raise errors.InvalidRequest(f"propagationPolicy must be one of {', '.join(PROPAGATION_POLICIES)}")
    with missing_as(cluster, kind.kind, namespace, name):
        read_json(cluster, getattr(kind.api(cluster), kind.delete), name, namespace, propagation_policy=propagation)
