"""Changes to Deployments: update, delete, scale, `kubectl rollout restart`; `kubectl rollout undo` of
Deployments, StatefulSets and DaemonSets.

Update, scale, restart and rollback record who did what in `kubernetes.io/change-cause` on the Deployment,
as `kubectl --record` did: the deployment controller copies it onto the ReplicaSet of the revision, so it
shows in `kubectl rollout history` and in our history endpoint.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

from clusters.models import Cluster
from common import errors
from kube import gateway
from kube.objects import missing_as
from kube.raw import read_json
from kube.times import now_rfc3339
from workloads import history
from workloads.selectors import deployment_get

Obj = dict[str, Any]
log = logging.getLogger(__name__)

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
CHANGE_CAUSE = history.CHANGE_CAUSE
# Annotations a rollback keeps from the Deployment and never copies from the ReplicaSet (kubectl's
# annotationsToSkip in pkg/polymorphichelpers/rollback.go).
ROLLBACK_KEEPS = ("kubectl.kubernetes.io/last-applied-configuration", history.REVISION,
                  "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                  "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to")


def change_cause(action: str, actor: str | None) -> str:
    """The change-cause text: `kubepolaris: <action> by <user>` (the user is left out when unknown)."""
    return f"kubepolaris: {action} by {actor}" if actor else f"kubepolaris: {action}"


def deployment_update(*, cluster: Cluster, namespace: str, name: str, manifest: Obj,
                      actor: str | None = None) -> Obj:
    """Replace the Deployment with `manifest` (already validated against the path).

    A `metadata.resourceVersion` in the manifest makes the update conditional (a stale one is a 409);
    without one, the manifest overwrites whatever is there. The change cause records the update, unless the
    manifest brings a change cause of its own that differs from the live one (the user wrote it).
    """
    current = deployment_get(cluster=cluster, namespace=namespace, name=name)
    body = copy.deepcopy(manifest)
    metadata = body.setdefault("metadata", {})
    metadata["name"], metadata["namespace"] = name, namespace
    if not metadata.get("resourceVersion"):
        metadata["resourceVersion"] = (current.get("metadata") or {}).get("resourceVersion")
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        annotations = metadata["annotations"] = {}
    live_cause = ((current.get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE)
    if annotations.get(CHANGE_CAUSE) in (None, live_cause):
        annotations[CHANGE_CAUSE] = change_cause("update", actor)
    with missing_as(cluster, "Deployment", namespace, name):
        return read_json(cluster, gateway.apps_v1(cluster).replace_namespaced_deployment, name, namespace, body)


def deployment_restart(*, cluster: Cluster, namespace: str, name: str, actor: str | None = None) -> str:
    """`kubectl rollout restart`: stamp the pod template with `kubectl.kubernetes.io/restartedAt` (RFC 3339).

    Like kubectl, a paused Deployment is refused. The patch is the strategic merge patch kubectl sends.
    Returns the timestamp written.
    """
    deployment = deployment_get(cluster=cluster, namespace=namespace, name=name)
    if (deployment.get("spec") or {}).get("paused"):
        raise errors.Conflict(f"Deployment '{name}' is paused: can't restart a paused deployment (resume it first)")
    restarted_at = now_rfc3339()
    patch = {"metadata": {"annotations": {CHANGE_CAUSE: change_cause("restart", actor)}},
             "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: restarted_at}}}}}
    with missing_as(cluster, "Deployment", namespace, name):
        read_json(cluster, gateway.apps_v1(cluster).patch_namespaced_deployment, name, namespace, patch,
                  _content_type=STRATEGIC_MERGE_PATCH)
    return restarted_at


def deployment_rollback(*, cluster: Cluster, namespace: str, name: str, revision: int,
                        actor: str | None = None) -> Obj:
    return rollback(cluster=cluster, kind=history.DEPLOYMENT, namespace=namespace, name=name, revision=revision,
                    actor=actor)


def rollback(*, cluster: Cluster, kind: history.Kind, namespace: str, name: str, revision: int,
             actor: str | None = None) -> Obj:
    """`kubectl rollout undo --to-revision=N` (0: the previous revision) of a Deployment, StatefulSet or DaemonSet.

    A template that already matches the revision's is a no-op. Unlike kubectl, the change cause names the
    rollback and its user. Returns `{name, namespace, revision, rolledBack}`, `revision` being the one rolled
    back to.

    Deployments, as kubectl: a paused one is refused (409); the ReplicaSet's template, without its
    pod-template-hash label, replaces spec.template, and the Deployment's annotations become the ReplicaSet's
    (but for the controller's bookkeeping ones, which stay the Deployment's), in one JSON patch.
    StatefulSets and DaemonSets, as kubectl: the ControllerRevision's `data` (a strategic merge patch replacing
    spec.template) is applied as it is, here with the change cause added to it; annotations are not restored.
    """
    owner = history.owner_get(cluster=cluster, kind=kind, namespace=namespace, name=name)
    if kind is history.DEPLOYMENT and (owner.get("spec") or {}).get("paused"):
        raise errors.Conflict(f"Deployment '{name}' is paused: you cannot roll back a paused deployment "
                              "(resume it first)")
    revisions = history.owned_revisions(cluster=cluster, kind=kind, owner=owner)
    target = history.find_revision(revisions, revision, kind=kind, name=name)
    number = kind.number(target) or revision
    result = {"name": name, "namespace": namespace, "revision": number, "rolledBack": False}
    template = history.revision_template(kind, target)
    if history.same_template(template, (owner.get("spec") or {}).get("template")):
        return result
    cause = change_cause(f"rollback to revision {number}", actor)
    if kind is history.DEPLOYMENT:
        live = (owner.get("metadata") or {}).get("annotations") or {}
        annotations = {key: live[key] for key in ROLLBACK_KEEPS if key in live}
        annotations.update({key: value for key, value in
                            ((target.get("metadata") or {}).get("annotations") or {}).items()
                            if key not in ROLLBACK_KEEPS})
        annotations[CHANGE_CAUSE] = cause
        patch: Any = [{"op": "replace", "path": "/spec/template", "value": template},
                      {"op": "add", "path": "/metadata/annotations", "value": annotations}]
        content_type = JSON_PATCH
    else:
        patch = copy.deepcopy(target["data"])
        patch["metadata"] = {"annotations": {CHANGE_CAUSE: cause}}
        content_type = STRATEGIC_MERGE_PATCH
    with missing_as(cluster, kind.kind, namespace, name):
        read_json(cluster, getattr(gateway.apps_v1(cluster), kind.patch), name, namespace, patch,
                  _content_type=content_type)
    return {**result, "rolledBack": True}
