"""Changes to Deployments: update, delete, scale and `kubectl rollout restart`."""
from __future__ import annotations

import copy
from typing import Any

from clusters.models import Cluster
from common import errors
from kube import gateway
from kube.objects import missing_as
from kube.raw import read_json
from kube.times import now_rfc3339
from workloads.selectors import deployment_get

Obj = dict[str, Any]

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"


def deployment_update(*, cluster: Cluster, namespace: str, name: str, manifest: Obj) -> Obj:
    """Replace the Deployment with `manifest` (already validated against the path).

    A `metadata.resourceVersion` in the manifest makes the update conditional (a stale one is a 409);
    without one, the manifest overwrites whatever is there.
    """
    current = deployment_get(cluster=cluster, namespace=namespace, name=name)
    body = copy.deepcopy(manifest)
    metadata = body.setdefault("metadata", {})
    metadata["name"], metadata["namespace"] = name, namespace
    if not metadata.get("resourceVersion"):
        metadata["resourceVersion"] = (current.get("metadata") or {}).get("resourceVersion")
    with missing_as(cluster, "Deployment", namespace, name):
        return read_json(cluster, gateway.apps_v1(cluster).replace_namespaced_deployment, name, namespace, body)


def deployment_delete(*, cluster: Cluster, namespace: str, name: str) -> None:
    """Delete the Deployment; its ReplicaSets and pods are garbage-collected in the background (kubectl's default)."""
    with missing_as(cluster, "Deployment", namespace, name):
        read_json(cluster, gateway.apps_v1(cluster).delete_namespaced_deployment, name, namespace)


def deployment_scale(*, cluster: Cluster, namespace: str, name: str, replicas: int) -> int:
    """Set the replica count through the scale subresource (as `kubectl scale`); returns the new desired count."""
    patch = {"spec": {"replicas": replicas}}
    with missing_as(cluster, "Deployment", namespace, name):
        scale = read_json(cluster, gateway.apps_v1(cluster).patch_namespaced_deployment_scale, name, namespace,
                          patch, _content_type=MERGE_PATCH)
    return int(((scale or {}).get("spec") or {}).get("replicas") or 0)


def deployment_restart(*, cluster: Cluster, namespace: str, name: str) -> str:
    """`kubectl rollout restart`: stamp the pod template with `kubectl.kubernetes.io/restartedAt` (RFC 3339).

    Like kubectl, a paused Deployment is refused. The patch is the strategic merge patch kubectl sends.
    Returns the timestamp written.
    """
    deployment = deployment_get(cluster=cluster, namespace=namespace, name=name)
    if (deployment.get("spec") or {}).get("paused"):
        raise errors.Conflict(f"Deployment '{name}' is paused: can't restart a paused deployment (resume it first)")
    restarted_at = now_rfc3339()
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: restarted_at}}}}}
    with missing_as(cluster, "Deployment", namespace, name):
        read_json(cluster, gateway.apps_v1(cluster).patch_namespaced_deployment, name, namespace, patch,
                  _content_type=STRATEGIC_MERGE_PATCH)
    return restarted_at
