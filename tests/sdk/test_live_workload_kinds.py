"""The SDK's StatefulSet, DaemonSet, Job and CronJob methods against a real server and a private simulator."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from kubepolaris import Client
from kubepolaris.client import BadRequestError, ConflictError, NotFoundError


@pytest.fixture
def private_cluster(admin: Client, fresh_kubesim: Callable[..., Any]) -> int:
    """A private demo simulator registered through the SDK (tests may change it)."""
    sim = fresh_kubesim()
    cluster = admin.clusters.create(f"kinds-{secrets.token_hex(3)}", api_server=sim.url, kubeconfig=sim.kubeconfig())
    return int(cluster["id"])


def names(client: Client, cluster_id: int, kind: str, namespace: str) -> set[str]:
    return {w["name"] for w in client.workloads(cluster_id).iter_all(namespace=namespace, type=kind)}


def test_statefulset_and_daemonset_methods(admin: Client, private_cluster: int) -> None:
    statefulsets = admin.statefulsets(private_cluster, "shop")
    detail = statefulsets.get("redis")
    assert detail["kind"] == "StatefulSet" and detail["serviceName"] == "redis" and len(detail["pods"]) == 3
    assert statefulsets.scale("redis", 1) == {"name": "redis", "namespace": "shop", "replicas": 1}
    assert statefulsets.get("redis")["replicas"] == 1
    assert statefulsets.restart("redis")["restartedAt"].endswith("Z")
    with pytest.raises(BadRequestError):
        statefulsets.delete("redis", propagation_policy="sideways")
    statefulsets.delete("redis", propagation_policy="Background")
    assert "redis" not in names(admin, private_cluster, "statefulset", "shop")
    with pytest.raises(NotFoundError):
        statefulsets.get("redis")

    daemonsets = admin.daemonsets(private_cluster, "monitoring")
    assert daemonsets.get("node-exporter")["strategy"]["type"] == "RollingUpdate"
    assert daemonsets.restart("node-exporter")["name"] == "node-exporter"
    daemonsets.delete("node-exporter")
    assert "node-exporter" not in names(admin, private_cluster, "daemonset", "monitoring")


def test_job_and_cronjob_methods(admin: Client, private_cluster: int) -> None:
    cronjobs, jobs = admin.cronjobs(private_cluster, "batch"), admin.jobs(private_cluster, "batch")
    assert cronjobs.get("cleanup")["schedule"] == "*/5 * * * *"
    assert cronjobs.suspend("cleanup")["suspend"] is True
    assert cronjobs.get("cleanup")["status"] == "Suspended"
    assert cronjobs.resume("cleanup")["suspend"] is False
    made = cronjobs.trigger("cleanup")
    assert made["cronJob"] == "cleanup" and made["name"].startswith("cleanup-manual-")
    assert made["name"] in names(admin, private_cluster, "job", "batch")
    assert jobs.get(made["name"])["cronJob"] == "cleanup"
    assert cronjobs.trigger("cleanup", job_name="cleanup-now")["name"] == "cleanup-now"
    with pytest.raises(ConflictError):
        cronjobs.trigger("cleanup", job_name="cleanup-now")
    jobs.delete("cleanup-now", propagation_policy="Foreground")
    jobs.delete(made["name"])
    assert made["name"] not in names(admin, private_cluster, "job", "batch")
    with pytest.raises(NotFoundError):
        cronjobs.trigger("ghost")
    cronjobs.delete("cleanup")
    with pytest.raises(NotFoundError):
        cronjobs.get("cleanup")
