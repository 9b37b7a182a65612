"""Reads of a workload's rollout history: its revisions, as `kubectl rollout history` finds them.

A Deployment's revision is a ReplicaSet it controls (ownerReference uid, not just the selector: another
Deployment's ReplicaSets may match it), numbered by `deployment.kubernetes.io/revision`, its template the
ReplicaSet's. A StatefulSet's or DaemonSet's revision is a ControllerRevision it controls, numbered by its
`revision`, its template the one in `data` (the strategic merge patch `{"spec": {"template": {..., "$patch":
"replace"}}}` the controllers store). Either way the change cause is the revision's `kubernetes.io/change-cause`:
the deployment controller keeps copying it from the Deployment, the other two copy the owner's annotations only
when they create a revision (a reused one keeps its own, as kubectl then shows it).
"""
from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from clusters.models import Cluster
from common import errors
from kube import gateway
from kube.objects import missing_as
from kube.raw import read_json
from kube.times import rfc3339
from workloads.selectors import label_selector_string

Obj = dict[str, Any]

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"


def revision_of(rs: Obj) -> int | None:
    """The ReplicaSet's revision number, or None when it has none (kubectl skips those too)."""
    text = ((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def clean_template(template: Obj | None) -> Obj:
    """A pod template without the controller's `pod-template-hash` label and the API server's null timestamp,
    i.e. what the Deployment's own spec.template would hold."""
    out = copy.deepcopy(template or {})
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        if metadata.get("creationTimestamp") is None:
            metadata.pop("creationTimestamp", None)
        labels = metadata.get("labels")
        if isinstance(labels, dict):
            labels.pop(HASH_LABEL, None)
            if not labels:
                metadata.pop("labels")
        if not metadata:
            out.pop("metadata")
    return out


def same_template(a: Obj | None, b: Obj | None) -> bool:
    """kubectl's equalIgnoreHash: equal once the pod-template-hash label is left out."""
    return clean_template(a) == clean_template(b)


@dataclass(frozen=True)
class Kind:
    """How to read one workload kind and its revisions (apps/v1 method names of the Kubernetes client)."""

    kind: str                      # "Deployment"
    read: str                      # read_namespaced_deployment
    patch: str                     # patch_namespaced_deployment
    list_revisions: str            # list_namespaced_replica_set / list_namespaced_controller_revision
    number: Callable[[Obj], int | None]
    raw_template: Callable[[Obj], Obj | None]
    # The revision's pod count now, or None when the kind has none per revision (DaemonSets).
    replicas: Callable[[Obj, Obj], int | None]
    current_is_oldest: bool        # of several revisions with the owner's template, the current one is the oldest


def _rs_template(rs: Obj) -> Obj | None:
    return (rs.get("spec") or {}).get("template")


def controller_revision_number(cr: Obj) -> int | None:
    value = cr.get("revision")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cr_template(cr: Obj) -> Obj | None:
    """The pod template in a ControllerRevision's data patch, without the patch's `$patch` directive."""
    data = cr.get("data")
    template = ((data.get("spec") or {}).get("template") if isinstance(data, dict) else None)
    if not isinstance(template, dict):
        return None
    return {k: v for k, v in template.items() if k != "$patch"}


def _statefulset_replicas(owner: Obj, cr: Obj) -> int:
    """Pods of the StatefulSet at this revision, from its status (update and current revision counts)."""
    status, name = owner.get("status") or {}, (cr.get("metadata") or {}).get("name")
    if name == status.get("updateRevision"):
        return int(status.get("updatedReplicas") or 0)
    if name == status.get("currentRevision"):
        return int(status.get("currentReplicas") or 0)
    return 0


DEPLOYMENT = Kind("Deployment", "read_namespaced_deployment", "patch_namespaced_deployment",
                  "list_namespaced_replica_set", revision_of, _rs_template,
                  lambda owner, rs: int((rs.get("spec") or {}).get("replicas") or 0), True)
STATEFULSET = Kind("StatefulSet", "read_namespaced_stateful_set", "patch_namespaced_stateful_set",
                   "list_namespaced_controller_revision", controller_revision_number, _cr_template,
                   _statefulset_replicas, False)
DAEMONSET = Kind("DaemonSet", "read_namespaced_daemon_set", "patch_namespaced_daemon_set",
                 "list_namespaced_controller_revision", controller_revision_number, _cr_template,
                 lambda owner, cr: None, False)
KINDS = {"deployments": DEPLOYMENT, "statefulsets": STATEFULSET, "daemonsets": DAEMONSET}


def owner_get(*, cluster: Cluster, kind: Kind, namespace: str, name: str) -> Obj:
    """The workload as the API server sent it; 404 naming the namespace or the object."""
    with missing_as(cluster, kind.kind, namespace, name):
        return read_json(cluster, getattr(gateway.apps_v1(cluster), kind.read), name, namespace)


def owned_revisions(*, cluster: Cluster, kind: Kind, owner: Obj) -> list[Obj]:
    """The revisions (ReplicaSets or ControllerRevisions) the owner controls that carry a number, oldest first."""
    metadata = owner.get("metadata") or {}
    selector = label_selector_string((owner.get("spec") or {}).get("selector"))
    if not selector:  # an empty selector would match every revision of the namespace
        return []
    body = read_json(cluster, getattr(gateway.apps_v1(cluster), kind.list_revisions), metadata.get("namespace"),
                     label_selector=selector)
    uid = metadata.get("uid")
    owned = [r for r in (body or {}).get("items") or []
             if kind.number(r) is not None
             and any(ref.get("controller") and ref.get("uid") == uid
                     for ref in (r.get("metadata") or {}).get("ownerReferences") or [])]
    owned.sort(key=lambda r: (kind.number(r) or 0, (r.get("metadata") or {}).get("creationTimestamp") or "",
                              (r.get("metadata") or {}).get("name") or ""))
    return owned


def owned_replicasets(*, cluster: Cluster, deployment: Obj) -> list[Obj]:
    return owned_revisions(cluster=cluster, kind=DEPLOYMENT, owner=deployment)


def revision_template(kind: Kind, revision: Obj) -> Obj:
    """The revision's pod template, clean (as the owner's spec.template would hold it)."""
    return clean_template(kind.raw_template(revision))


def _current_uid(kind: Kind, owner: Obj, revisions: list[Obj]) -> str | None:
    """The revision the owner runs: for a Deployment the oldest ReplicaSet with its template (FindNewReplicaSet),
    for the others the highest ControllerRevision with it (the controllers bump a reused one to the top)."""
    template = (owner.get("spec") or {}).get("template")
    matches = [r for r in revisions if same_template(kind.raw_template(r), template)]
    if not matches:
        return None
    if kind.current_is_oldest:
        matches.sort(key=lambda r: (r.get("metadata") or {}).get("creationTimestamp") or "")
        return (matches[0].get("metadata") or {}).get("uid")
    return (matches[-1].get("metadata") or {}).get("uid")


def revision_item(kind: Kind, owner: Obj, revision: Obj, *, current: bool) -> Obj:
    metadata = revision.get("metadata") or {}
    images: list[str] = []
    for container in ((kind.raw_template(revision) or {}).get("spec") or {}).get("containers") or []:
        if container.get("image") and container["image"] not in images:
            images.append(container["image"])
    return {
        "revision": kind.number(revision),
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
        "changeCause": (metadata.get("annotations") or {}).get(CHANGE_CAUSE) or None,
        "images": images,
        "replicas": kind.replicas(owner, revision),
        "current": current,
    }


def history(*, cluster: Cluster, kind: Kind, owner: Obj) -> list[Obj]:
    """Revision items, oldest first (as `kubectl rollout history` lists them)."""
    revisions = owned_revisions(cluster=cluster, kind=kind, owner=owner)
    current = _current_uid(kind, owner, revisions)
    return [revision_item(kind, owner, r, current=(r.get("metadata") or {}).get("uid") == current)
            for r in revisions]


def find_revision(revisions: list[Obj], revision: int, *, kind: Kind, name: str) -> Obj:
    """The revision numbered `revision`; 0 means the previous one (the second-highest), as kubectl does."""
    if revision == 0:
        if len(revisions) < 2:
            raise errors.NotFound(f"{kind.kind} '{name}' has no previous revision to roll back to")
        return revisions[-2]
    found = [r for r in revisions if kind.number(r) == revision]
    if not found:
        known = ", ".join(str(kind.number(r)) for r in revisions) or "none"
        raise errors.NotFound(f"Revision {revision} of {kind.kind} '{name}' not found (its revisions: {known})")
    return found[-1]


def template_yaml(template: Obj) -> str:
    return yaml.safe_dump(template, sort_keys=True, default_flow_style=False)


def template_diff(current: Obj, revision_template: Obj, revision: int) -> str:
    """A unified diff from the current template to the revision's: what rolling back to it would change."""
    lines = difflib.unified_diff(template_yaml(current).splitlines(keepends=True),
                                 template_yaml(revision_template).splitlines(keepends=True),
                                 fromfile="current", tofile=f"revision {revision}")
    return "".join(lines)


def revision_detail(*, cluster: Cluster, kind: Kind, owner: Obj, revision: int) -> Obj:
    """One revision: its item, its clean pod template and a diff against the owner's current template."""
    name = (owner.get("metadata") or {}).get("name") or ""
    if revision <= 0:
        raise errors.NotFound(f"Revision {revision} of {kind.kind} '{name}' not found (revisions start at 1)")
    revisions = owned_revisions(cluster=cluster, kind=kind, owner=owner)
    found = find_revision(revisions, revision, kind=kind, name=name)
    current_uid = _current_uid(kind, owner, revisions)
    template = revision_template(kind, found)
    current = clean_template((owner.get("spec") or {}).get("template"))
    return {
        **revision_item(kind, owner, found, current=(found.get("metadata") or {}).get("uid") == current_uid),
        "template": template,
        "diff": template_diff(current, template, revision),
    }
