"""Changes to pods."""
from __future__ import annotations

from clusters.models import Cluster
from kube import gateway
from kube.objects import missing_as
from kube.raw import read_json


def pod_delete(*, cluster: Cluster, namespace: str, name: str, force: bool = False,
               grace_period: int | None = None) -> None:
    """Delete a pod. `force` deletes at once (grace period 0, like `kubectl delete --force --grace-period=0`);
    otherwise `grace_period` seconds, or the pod's own terminationGracePeriodSeconds when not given."""
    options = {}
    if force:
        options["grace_period_seconds"] = 0
    elif grace_period is not None:
        options["grace_period_seconds"] = grace_period
    with missing_as(cluster, "Pod", namespace, name):
        read_json(cluster, gateway.core_v1(cluster).delete_namespaced_pod, name, namespace, **options)
