"""The demo fleet shows every status kubectl shows; the bench fleet is big and quick to build."""

from __future__ import annotations

import json
import time

import kubernetes
from kubernetes.client import AppsV1Api, CoreV1Api, PolicyV1Api

from kubesim import KubeSim
from kubesim.tables import pod_status_summary

from .conftest import Kubectl

REQUIRED = {"Running", "Pending", "Completed", "CrashLoopBackOff", "ImagePullBackOff", "Error", "Terminating",
            "Init:0/1"}


def _kubectl_statuses(demo_kubectl: Kubectl) -> dict[tuple[str, str], str]:
    text = demo_kubectl("get", "pods", "-A").stdout
    lines = text.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    return {(r.split()[0], r.split()[1]): r.split()[3] for r in lines[1:]}


def test_demo_covers_every_status(demo_kubectl: Kubectl) -> None:
    statuses = _kubectl_statuses(demo_kubectl)
    assert set(statuses.values()) >= REQUIRED, set(statuses.values())


def test_kubectl_status_matches_the_pod_status_fields(demo_kubectl: Kubectl) -> None:
    for _ in range(3):  # a crash-looping pod may move between the two reads; retry rather than flake
        raw = json.loads(demo_kubectl("get", "pods", "-A", "-o", "json").stdout)["items"]
        shown = _kubectl_statuses(demo_kubectl)
        derived = {(p["metadata"]["namespace"], p["metadata"]["name"]): pod_status_summary(p)[0] for p in raw}
        if derived == shown:
            break
        time.sleep(0.5)
    assert derived == shown
    by_status = {}
    for p in raw:
        by_status.setdefault(pod_status_summary(p)[0], p)
    # spot-check the fields behind each status, independent of the printer
    assert by_status["Completed"]["status"]["phase"] == "Succeeded"
    assert by_status["Error"]["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"
    cs = by_status["CrashLoopBackOff"]["status"]["containerStatuses"][0]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" and cs["restartCount"] > 0
    assert by_status["Terminating"]["metadata"]["deletionTimestamp"]
    assert by_status["Pending"]["status"]["phase"] == "Pending"
    init = by_status["Init:0/1"]["status"]["initContainerStatuses"][0]
    assert "running" in init["state"]


def test_demo_topology(demo_api: kubernetes.client.ApiClient, demo_kubectl: Kubectl) -> None:
    core, apps = CoreV1Api(demo_api), AppsV1Api(demo_api)
    nodes = {n.metadata.name: n for n in core.list_node().items}
    ready = {name: next(c.status for c in n.status.conditions if c.type == "Ready") for name, n in nodes.items()}
    assert sorted(ready.values()).count("True") == len(nodes) - 1
    cp = [n for n in nodes.values() if "node-role.kubernetes.io/control-plane" in n.metadata.labels]
    assert cp and any(t.key == "node-role.kubernetes.io/control-plane" and t.effect == "NoSchedule"
                      for t in cp[0].spec.taints)
    nginx = apps.read_namespaced_deployment("nginx", "default")
    assert nginx.spec.replicas == 3 and nginx.spec.template.spec.containers[0].image == "nginx:1.21"
    assert apps.list_daemon_set_for_all_namespaces().items
    assert apps.list_stateful_set_for_all_namespaces().items
    assert PolicyV1Api(demo_api).list_pod_disruption_budget_for_all_namespaces().items
    pods = core.list_pod_for_all_namespaces().items
    assert any(len(p.spec.containers) > 1 for p in pods)
    assert any(p.spec.init_containers for p in pods)
    assert any(not p.metadata.owner_references for p in pods)
    assert any(any(v.empty_dir is not None for v in p.spec.volumes or []) for p in pods)
    # no pod lands on the NotReady node or (unless tolerated) on the control plane
    notready = next(name for name, s in ready.items() if s != "True")
    assert not [p for p in pods if p.spec.node_name == notready and p.metadata.owner_references
                and p.metadata.owner_references[0].kind == "ReplicaSet"]
    header = demo_kubectl("get", "nodes").stdout.splitlines()
    assert any(f"{notready} " in ln and "NotReady" in ln for ln in header)


def test_bench_fleet_builds_fast() -> None:
    t0 = time.monotonic()
    with KubeSim(fleet="bench", pods=20000, nodes=200, tick=1.0) as sim:
        built = time.monotonic() - t0
        client = kubernetes.config.new_client_from_config_dict(sim.kubeconfig())
        core = CoreV1Api(client)
        page = core.list_pod_for_all_namespaces(limit=500)
        assert len(page.items) == 500 and page.metadata.remaining_item_count == 19500
        assert len(core.list_node().items) == 200
        running = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-0007", limit=1000).items
        assert len(running) == 100 and {p.status.phase for p in running} == {"Running"}
        client.close()
    assert built < 30, built


def test_stuck_rollout_exceeds_its_progress_deadline(demo_kubectl: Kubectl) -> None:
    out = demo_kubectl("rollout", "status", "deployment/checkout", "-n", "shop", "--timeout=10s", check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == 'error: deployment "checkout" exceeded its progress deadline'
    conds = json.loads(demo_kubectl("get", "deployment", "checkout", "-n", "shop", "-o", "json").stdout)[
        "status"]["conditions"]
    progressing = next(c for c in conds if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    ok = demo_kubectl("rollout", "status", "deployment/nginx", "-n", "default", "--timeout=10s")
    assert ok.stdout.strip() == 'deployment "nginx" successfully rolled out'
