"""The SDK against a real server and the simulated cluster: clusters, nodes, workloads, pods, sockets.

Read-only tests share `live_cluster`; tests that change the cluster register a private simulator.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from kubepolaris import Client
from kubepolaris.client import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from scripts.liveserver import LiveServer


@pytest.fixture
def private_cluster(admin: Client, fresh_kubesim: Callable[..., Any]) -> int:
    """A private demo simulator registered through the SDK (tests may change it)."""
    sim = fresh_kubesim()
    cluster = admin.clusters.create(f"private-{secrets.token_hex(3)}", api_server=sim.url,
                                    kubeconfig=sim.kubeconfig())
    return int(cluster["id"])


def a_running_pod(client: Client, cluster_id: int) -> dict[str, Any]:
    pods = client.pods(cluster_id).list(namespace="default", status="Running")
    assert pods, "the demo fleet has running pods in default"
    return pods[0]


def test_clusters_read_and_test(admin: Client, live: LiveServer, live_cluster: int) -> None:
    cluster = admin.clusters.get(live_cluster)
    assert cluster["name"] == live.cluster_name and "kubeConfig" not in cluster
    assert live_cluster in [c["id"] for c in admin.clusters.list(search=live.cluster_name)]
    result = admin.clusters.test(live_cluster)
    assert result["connected"] is True
    assert result["nodeCount"] == admin.clusters.nodes(live_cluster).list().total


def test_cluster_create_update_delete_and_errors(admin: Client, live: LiveServer, live_cluster: int) -> None:
    with pytest.raises(BadRequestError) as caught:
        admin.clusters.create(f"bad-{secrets.token_hex(3)}", "https://127.0.0.1:1", kubeconfig="not: [yaml")
    assert caught.value.code == 400
    with pytest.raises(ConflictError):
        admin.clusters.create(live.cluster_name, live.sim.url, kubeconfig=live.sim.kubeconfig())
    extra = admin.clusters.create(f"extra-{secrets.token_hex(3)}", live.sim.url, kubeconfig=live.sim.kubeconfig())
    assert admin.clusters.update(extra["id"], description="changed")["description"] == "changed"
    admin.clusters.delete(extra["id"])
    with pytest.raises(NotFoundError):
        admin.clusters.get(extra["id"])
    with pytest.raises(NotFoundError):
        admin.clusters.get("not-a-number")


def test_nodes(admin: Client, live_cluster: int) -> None:
    nodes = admin.clusters.nodes(live_cluster)
    every = list(nodes.iter_all(page_size=2))
    assert len(every) == nodes.list().total == len({n["name"] for n in every})
    not_ready = nodes.list(status="NotReady")
    assert not_ready.total >= 1 and all(n["status"] == "NotReady" for n in not_ready)
    detail = nodes.get(every[0]["name"])
    assert detail["name"] == every[0]["name"] and isinstance(detail["conditions"], list)
    with pytest.raises(NotFoundError):
        nodes.get("no-such-node")


def test_cordon_uncordon_and_dry_run_drain(admin: Client, private_cluster: int) -> None:
    nodes = admin.clusters.nodes(private_cluster)
    worker = next(n["name"] for n in nodes.iter_all() if n["status"] == "Ready" and not n["unschedulable"])
    nodes.cordon(worker)
    assert nodes.get(worker)["unschedulable"] is True
    result = nodes.drain(worker, dry_run=True, force=True, delete_empty_dir_data=True)
    assert set(result) >= {"evicted", "skipped", "failed"}
    nodes.uncordon(worker)
    assert nodes.get(worker)["unschedulable"] is False


def test_workloads_and_deployment_detail(admin: Client, live_cluster: int) -> None:
    deployments = list(admin.workloads(live_cluster).iter_all(namespace="default", type="deployment"))
    assert deployments and all(w["kind"].lower() == "deployment" for w in deployments)
    name = deployments[0]["name"]
    detail = admin.deployments(live_cluster, "default").get(name)
    assert detail["name"] == name and detail["resourceVersion"]
    with pytest.raises(NotFoundError):
        admin.deployments(live_cluster, "default").get("no-such-deployment")


def test_scale_restart_update_delete_deployment(admin: Client, private_cluster: int) -> None:
    deployments = admin.deployments(private_cluster, "default")
    admin_deployment = next(iter(admin.workloads(private_cluster).iter_all(namespace="default", type="deployment")))
    name = admin_deployment["name"]
    deployments.scale(name, 0)
    assert deployments.get(name)["replicas"] == 0
    deployments.restart(name)
    stale = {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": name, "namespace": "default", "resourceVersion": "1"},
             "spec": {"replicas": 1, "selector": deployments.get(name)["selector"],
                      "template": {"metadata": {"labels": deployments.get(name)["selector"].get("matchLabels", {})},
                                   "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}
    with pytest.raises(ConflictError):
        deployments.update(name, stale)
    deployments.delete(name)
    with pytest.raises(NotFoundError):
        deployments.get(name)


def test_pods_read(admin: Client, live_cluster: int) -> None:
    pods = admin.pods(live_cluster)
    pod = a_running_pod(admin, live_cluster)
    detail = pods.get("default", pod["name"])
    assert detail["name"] == pod["name"] and detail["namespace"] == "default"
    assert isinstance(pods.events("default", pod["name"]), list)
    assert isinstance(pods.logs("default", pod["name"], tail_lines=5), str)
    with pytest.raises(NotFoundError):
        pods.get("default", "no-such-pod")
    with pytest.raises(BadRequestError):
        pods.logs("default", pod["name"], container="no-such-container")


def test_delete_pod(admin: Client, private_cluster: int) -> None:
    pods = admin.pods(private_cluster)
    pod = a_running_pod(admin, private_cluster)
    pods.delete("default", pod["name"], force=True, grace_period=0)
    with pytest.raises(NotFoundError):
        pods.get("default", pod["name"])


def test_follow_logs_matches_the_rest_log(admin: Client, live_cluster: int) -> None:
    pods = admin.pods(live_cluster)
    pod = a_running_pod(admin, live_cluster)
    with pods.follow_logs("default", pod["name"], follow=False, tail_lines=5, timeout=20) as stream:
        streamed = list(stream)
    assert streamed and len(streamed) <= 5
    assert all(line in pods.logs("default", pod["name"], tail_lines=200) for line in streamed)


def test_follow_logs_follows(admin: Client, live_cluster: int) -> None:
    pod = a_running_pod(admin, live_cluster)
    with admin.pods(live_cluster).follow_logs("default", pod["name"], tail_lines=1, timeout=20) as stream:
        lines = [next(stream), next(stream)]
    assert all(isinstance(line, str) and line for line in lines)


def test_exec_runs_a_command_and_reports_its_exit_code(admin: Client, live_cluster: int) -> None:
    pod = a_running_pod(admin, live_cluster)
    word = secrets.token_hex(4)
    with admin.pods(live_cluster).exec("default", pod["name"], command=["echo", word]) as session:
        output = session.read_all(timeout=20)
    assert word in output and session.exit_code == 0


def test_exec_shell_input_and_resize(admin: Client, live_cluster: int) -> None:
    pod = a_running_pod(admin, live_cluster)
    with admin.pods(live_cluster).exec("default", pod["name"]) as session:
        session.resize(132, 43)
        session.send("stty size\n")
        assert "43 132" in session.read_until("43 132", timeout=20)
        session.send("exit 3\n")
        session.read_all(timeout=20)
    assert session.exit_code == 3


def test_socket_errors_raise_like_rest_errors(admin: Client, live: LiveServer, live_cluster: int,
                                              make_client: Any) -> None:
    with pytest.raises(NotFoundError) as caught:
        list(admin.pods(live_cluster).follow_logs("default", "no-such-pod", follow=False, timeout=20))
    assert caught.value.code == 404
    with pytest.raises(AuthenticationError):
        list(Client(live.url, token="not.a.jwt").pods(live_cluster).follow_logs("default", "x", timeout=20))
    viewer, _ = make_client("viewer")
    pod = a_running_pod(admin, live_cluster)
    with pytest.raises(PermissionDeniedError):
        viewer.pods(live_cluster).exec("default", pod["name"], command="true").read(timeout=20)
