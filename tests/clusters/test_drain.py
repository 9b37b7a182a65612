"""Drain (contract §4) like `kubectl drain`, against private simulated clusters over HTTPS."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from common.permissions import Role
from kube import gateway
from tests.api_mixins import assert_envelope
from tests.clusters.helpers import register_through_api

pytestmark = pytest.mark.django_db
MERGE = "application/merge-patch+json"
REFUSED_ONLY = {"force": True, "deleteEmptyDirData": True}


def pods_on(sim: Any, node: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in sim.store.list("pods")
            if p["spec"].get("nodeName") == node}


def refs(entries: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["namespace"], e["name"]) for e in entries}


def owner_kind(pod: dict[str, Any]) -> str | None:
    owner = next((o for o in pod["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
    return owner["kind"] if owner else None


def is_terminal(pod: dict[str, Any]) -> bool:
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


def node_of_a_web_pod(sim: Any) -> str:
    return next(p["spec"]["nodeName"] for p in sim.store.list("pods", "shop")
                if p["metadata"]["name"].startswith("web-") and not is_terminal(p))


def drain(client: APIClient, cluster_id: int, node: str, **body: Any) -> Any:
    return client.post(f"/api/clusters/{cluster_id}/nodes/{node}/drain", body, format="json")


def test_pdb_blocks_the_drain_until_it_is_lifted(admin_api: APIClient, api: Any, fresh_kubesim: Any,
                                                  fast_drain: Any) -> None:
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    cluster = Cluster.objects.get(pk=cluster_id)
    gateway.policy_v1(cluster).patch_namespaced_pod_disruption_budget(
        "web-pdb", "shop", {"spec": {"minAvailable": 4}}, _content_type=MERGE)  # no disruption allowed now
    node = node_of_a_web_pod(sim)
    before = pods_on(sim, node)
    web = {key for key in before if key[0] == "shop" and key[1].startswith("web-") and not is_terminal(before[key])}
    evictable = {key for key, pod in before.items()
                 if not is_terminal(pod) and owner_kind(pod) != "DaemonSet" and key not in web}
    operator = api(Role.OPERATOR)

    started = time.monotonic()
    blocked = assert_envelope(drain(operator, cluster_id, node, timeoutSeconds=6, **REFUSED_ONLY), 200)
    elapsed = time.monotonic() - started
    assert 6 <= elapsed < 12, elapsed
    result = blocked["data"]
    assert refs(result["failed"]) == web, result["failed"]
    for entry in result["failed"]:
        assert "disruption budget" in entry["reason"] and "web-pdb" in entry["reason"], entry["reason"]
    assert refs(result["evicted"]) == evictable
    assert "not fully drained" in blocked["message"]
    assert sim.store.get("nodes", "", node)["spec"].get("unschedulable") is True
    remaining = pods_on(sim, node)
    assert web <= set(remaining) and not (evictable & set(remaining))

    lift = threading.Timer(1.5, lambda: gateway.policy_v1(cluster).delete_namespaced_pod_disruption_budget(
        "web-pdb", "shop"))
    lift.start()
    try:
        done = assert_envelope(drain(operator, cluster_id, node, timeoutSeconds=30, **REFUSED_ONLY), 200)
    finally:
        lift.join()
    assert done["data"]["failed"] == []
    assert refs(done["data"]["evicted"]) == web
    assert not (web & set(pods_on(sim, node)))
    assert "drained" in done["message"]


def test_refused_pods_stop_the_drain_like_kubectl(admin_api: APIClient, fresh_kubesim: Any) -> None:
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    node = "worker-1"  # the demo fleet pins unmanaged pods with emptyDir volumes here
    before = pods_on(sim, node)
    empty_dir = {key for key, pod in before.items() if not is_terminal(pod) and owner_kind(pod) != "DaemonSet"
                 and any("emptyDir" in v for v in pod["spec"].get("volumes") or [])}
    unmanaged = {key for key, pod in before.items() if not is_terminal(pod) and owner_kind(pod) is None}
    assert unmanaged and empty_dir - unmanaged, "the demo fleet has both kinds on worker-1"

    result = assert_envelope(drain(admin_api, cluster_id, node), 200)["data"]
    assert refs(result["failed"]) == empty_dir
    assert all("deleteEmptyDirData" in e["reason"] for e in result["failed"])
    assert result["evicted"] == []
    assert set(pods_on(sim, node)) == set(before)  # nothing evicted...
    assert sim.store.get("nodes", "", node)["spec"].get("unschedulable") is True  # ...but cordoned, as kubectl does
    assert all("stopped" in e["reason"] or "DaemonSet" in e["reason"] or "terminated" in e["reason"]
               for e in result["skipped"])

    result = assert_envelope(drain(admin_api, cluster_id, node, deleteEmptyDirData=True, dryRun=True), 200)["data"]
    assert refs(result["failed"]) == unmanaged
    assert all("force" in e["reason"] for e in result["failed"])

    result = assert_envelope(drain(admin_api, cluster_id, node, ignoreDaemonSets=False, dryRun=True,
                                   **REFUSED_ONLY), 200)["data"]
    daemon_pods = {key for key, pod in before.items() if owner_kind(pod) == "DaemonSet" and not is_terminal(pod)}
    assert daemon_pods and refs(result["failed"]) == daemon_pods
    assert all("ignoreDaemonSets" in e["reason"] for e in result["failed"])


def test_dry_run_changes_nothing(admin_api: APIClient, fresh_kubesim: Any) -> None:
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    node = "worker-1"
    before = {key: pod["metadata"]["uid"] for key, pod in pods_on(sim, node).items()}
    body = assert_envelope(drain(admin_api, cluster_id, node, dryRun=True, **REFUSED_ONLY), 200)
    result = body["data"]
    assert "Dry run" in body["message"] and result["failed"] == []
    assert refs(result["evicted"]) | refs(result["skipped"]) == set(before)
    assert refs(result["evicted"]) and not (refs(result["evicted"]) & refs(result["skipped"]))
    assert {key: pod["metadata"]["uid"] for key, pod in pods_on(sim, node).items()} == before
    assert not sim.store.get("nodes", "", node)["spec"].get("unschedulable")


def test_full_drain_skips_daemonset_mirror_and_finished_pods(admin_api: APIClient, fresh_kubesim: Any,
                                                             fast_drain: Any) -> None:
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    cluster = Cluster.objects.get(pk=cluster_id)
    finished = next(p for p in sim.store.list("pods") if is_terminal(p) and p["spec"].get("nodeName"))
    node = finished["spec"]["nodeName"]
    gateway.core_v1(cluster).create_namespaced_pod("kube-system", {
        "metadata": {"name": f"etcd-{node}", "annotations": {"kubernetes.io/config.mirror": "abc123"}},
        "spec": {"nodeName": node, "containers": [{"name": "etcd", "image": "registry.k8s.io/etcd:3.5.15-0"}]},
    })
    before = pods_on(sim, node)
    result = assert_envelope(drain(admin_api, cluster_id, node, timeoutSeconds=60, **REFUSED_ONLY), 200)["data"]
    skipped = {(e["namespace"], e["name"]): e["reason"] for e in result["skipped"]}
    assert "mirror" in skipped[("kube-system", f"etcd-{node}")]
    assert "terminated" in skipped[(finished["metadata"]["namespace"], finished["metadata"]["name"])]
    assert {key for key, reason in skipped.items() if "DaemonSet" in reason} == {
        key for key, pod in before.items() if owner_kind(pod) == "DaemonSet" and not is_terminal(pod)}
    assert result["failed"] == []
    assert refs(result["evicted"]) == set(before) - set(skipped)
    left = pods_on(sim, node)
    assert not (refs(result["evicted"]) & {key for key, pod in left.items()
                                          if pod["metadata"]["uid"] == before[key]["metadata"]["uid"]})


def test_grace_period_is_passed_to_the_eviction(admin_api: APIClient, fresh_kubesim: Any, fast_drain: Any) -> None:
    """A pod that ignores SIGTERM lives out its 30 s grace period, unless the drain asks for less."""
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    cluster = Cluster.objects.get(pk=cluster_id)
    gateway.core_v1(cluster).create_namespaced_pod("default", {
        "metadata": {"name": "stubborn", "annotations": {"kubesim.io/ignore-sigterm": "true"}},
        "spec": {"nodeName": "worker-3", "terminationGracePeriodSeconds": 30,
                 "containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "infinity"]}]},
    })
    deadline = time.monotonic() + 15
    while sim.store.get("pods", "default", "stubborn")["status"].get("phase") != "Running":
        assert time.monotonic() < deadline, "the pod never started"
        time.sleep(0.2)

    slow = assert_envelope(drain(admin_api, cluster_id, "worker-3", timeoutSeconds=3, **REFUSED_ONLY), 200)["data"]
    assert ("default", "stubborn") in refs(slow["failed"])
    assert "still present" in next(e["reason"] for e in slow["failed"] if e["name"] == "stubborn")

    fast = assert_envelope(drain(admin_api, cluster_id, "worker-3", timeoutSeconds=20, gracePeriodSeconds=0,
                                 **REFUSED_ONLY), 200)["data"]
    assert ("default", "stubborn") in refs(fast["evicted"])
    assert sim.store.get("pods", "default", "stubborn") is None


@pytest.mark.parametrize(("body", "field"), [
    ({"timeoutSeconds": 601}, "timeoutSeconds"),
    ({"timeoutSeconds": 0}, "timeoutSeconds"),
    ({"timeoutSeconds": "60"}, "timeoutSeconds"),
    ({"gracePeriodSeconds": -1}, "gracePeriodSeconds"),
    ({"gracePeriodSeconds": 1.5}, "gracePeriodSeconds"),
    ({"force": "yes"}, "force"),
    ({"dryRun": 1}, "dryRun"),
    ({"ignoreDaemonSets": None}, "ignoreDaemonSets"),
    ({"deleteEmptydirData": True}, "deleteEmptydirData"),
])
def test_bad_drain_options_are_400_naming_the_field(admin_api: APIClient, body: dict, field: str) -> None:
    cluster = Cluster(name="offline", api_server="https://127.0.0.1:9")
    cluster.set_kubeconfig("{}")
    cluster.save()
    result = assert_envelope(drain(admin_api, cluster.pk, "worker-1", **body), 400)
    assert field in result["data"]["errors"] and result["message"].startswith(field)


def test_drain_unknown_node_or_cluster_is_404_and_changes_nothing(admin_api: APIClient, kubesim: Any) -> None:
    cluster_id = register_through_api(admin_api, kubesim)
    body = assert_envelope(drain(admin_api, cluster_id, "ghost-node"), 404)
    assert "ghost-node" in body["message"]
    assert_envelope(drain(admin_api, 987654, "worker-1"), 404)
    assert_envelope(admin_api.post("/api/clusters/abc/nodes/worker-1/drain", {}, format="json"), 404)
