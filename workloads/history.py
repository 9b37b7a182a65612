"""Reads of a Deployment's rollout history: its revisions, as `kubectl rollout history` finds them.

A revision is a ReplicaSet the Deployment controls (ownerReference uid, not just the selector: another
Deployment's ReplicaSets may match it), numbered by `deployment.kubernetes.io/revision`. Its change cause is
the ReplicaSet's `kubernetes.io/change-cause`, which the controller copied from the Deployment.
"""
from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml

from clusters.models import Cluster
from common import errors
from kube import gateway
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


def owned_replicasets(*, cluster: Cluster, deployment: Obj) -> list[Obj]:
    """The ReplicaSets this Deployment controls that carry a revision, oldest revision first."""
    metadata = deployment.get("metadata") or {}
    selector = label_selector_string((deployment.get("spec") or {}).get("selector"))
    if not selector:  # an empty selector would match every ReplicaSet of the namespace
        return []
    body = read_json(cluster, gateway.apps_v1(cluster).list_namespaced_replica_set, metadata.get("namespace"),
                     label_selector=selector)
    uid = metadata.get("uid")
    owned = [rs for rs in (body or {}).get("items") or []
             if revision_of(rs) is not None
             and any(ref.get("controller") and ref.get("uid") == uid
                     for ref in (rs.get("metadata") or {}).get("ownerReferences") or [])]
    owned.sort(key=lambda rs: (revision_of(rs) or 0, (rs.get("metadata") or {}).get("creationTimestamp") or ""))
    return owned


def _current_uid(deployment: Obj, replicasets: list[Obj]) -> str | None:
    """The controller's new ReplicaSet: the oldest one whose template equals the Deployment's (FindNewReplicaSet)."""
    template = (deployment.get("spec") or {}).get("template")
    matches = [rs for rs in replicasets if same_template((rs.get("spec") or {}).get("template"), template)]
    matches.sort(key=lambda rs: (rs.get("metadata") or {}).get("creationTimestamp") or "")
    return (matches[0].get("metadata") or {}).get("uid") if matches else None


def revision_item(rs: Obj, *, current: bool) -> Obj:
    metadata, spec = rs.get("metadata") or {}, rs.get("spec") or {}
    images: list[str] = []
    for container in ((spec.get("template") or {}).get("spec") or {}).get("containers") or []:
        if container.get("image") and container["image"] not in images:
            images.append(container["image"])
    return {
        "revision": revision_of(rs),
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
        "changeCause": (metadata.get("annotations") or {}).get(CHANGE_CAUSE) or None,
        "images": images,
        "replicas": int(spec.get("replicas") or 0),
        "current": current,
    }


def deployment_history(*, cluster: Cluster, deployment: Obj) -> list[Obj]:
    """Revision items, oldest first (as `kubectl rollout history` lists them)."""
    replicasets = owned_replicasets(cluster=cluster, deployment=deployment)
    current = _current_uid(deployment, replicasets)
    return [revision_item(rs, current=(rs.get("metadata") or {}).get("uid") == current) for rs in replicasets]


def find_revision(replicasets: list[Obj], revision: int, *, deployment_name: str) -> Obj:
    """The ReplicaSet of `revision`; 0 means the previous one (the second-highest revision), as kubectl does."""
    if revision == 0:
        if len(replicasets) < 2:
            raise errors.NotFound(f"Deployment '{deployment_name}' has no previous revision to roll back to")
        return replicasets[-2]
    found = [rs for rs in replicasets if revision_of(rs) == revision]
    if not found:
        known = ", ".join(str(revision_of(rs)) for rs in replicasets) or "none"
        raise errors.NotFound(f"Revision {revision} of Deployment '{deployment_name}' not found "
                              f"(its revisions: {known})")
    return found[-1]


def template_yaml(template: Obj) -> str:
    return yaml.safe_dump(template, sort_keys=True, default_flow_style=False)


def template_diff(current: Obj, revision_template: Obj, revision: int) -> str:
    """A unified diff from the current template to the revision's: what rolling back to it would change."""
    lines = difflib.unified_diff(template_yaml(current).splitlines(keepends=True),
                                 template_yaml(revision_template).splitlines(keepends=True),
                                 fromfile="current", tofile=f"revision {revision}")
    return "".join(lines)


def deployment_revision(*, cluster: Cluster, deployment: Obj, revision: int) -> Obj:
    """One revision: its item, its clean pod template and a diff against the Deployment's current template."""
    name = (deployment.get("metadata") or {}).get("name") or ""
    replicasets = owned_replicasets(cluster=cluster, deployment=deployment)
    if revision <= 0:
        raise errors.NotFound(f"Revision {revision} of Deployment '{name}' not found (revisions start at 1)")
    rs = find_revision(replicasets, revision, deployment_name=name)
    current_uid = _current_uid(deployment, replicasets)
    template = clean_template((rs.get("spec") or {}).get("template"))
    current = clean_template((deployment.get("spec") or {}).get("template"))
    return {
        **revision_item(rs, current=(rs.get("metadata") or {}).get("uid") == current_uid),
        "template": template,
        "diff": template_diff(current, template, revision),
    }
