"""The cluster behaves: scheduler, workload controllers, garbage collection, events."""

from __future__ import annotations

import kubernetes
import pytest
from kubernetes.client import AppsV1Api, BatchV1Api, CoreV1Api

from kubesim import KubeSim

from .conftest import wait_for

NS = "ctl"


@pytest.fixture(scope="module")
def core(api: kubernetes.client.ApiClient) -> CoreV1Api:
    v1 = CoreV1Api(api)
    v1.create_namespace({"metadata": {"name": NS}})
    return v1


@pytest.fixture(scope="module")
def apps(api: kubernetes.client.ApiClient, core: CoreV1Api) -> AppsV1Api:
    return AppsV1Api(api)


def _deploy(name: str, replicas: int, image: str = "nginx:1.25", **spec: object) -> dict:
    return {"metadata": {"name": name}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": image}], **spec}}}}


def _pods(core: CoreV1Api, selector: str, ns: str = NS) -> list:
    return [p for p in core.list_namespaced_pod(ns, label_selector=selector).items
            if not p.metadata.deletion_timestamp]


def _ready_deploy(apps: AppsV1Api, name: str, want: int) -> bool:
    d = apps.read_namespaced_deployment(name, NS)
    st = d.status
    conds = {c.type: c.reason for c in st.conditions or []}
    return (st.observed_generation == d.metadata.generation and st.updated_replicas == want
            and st.ready_replicas == want and st.available_replicas == want and st.replicas == want
            and conds.get("Progressing") == "NewReplicaSetAvailable"
            and conds.get("Available") == "MinimumReplicasAvailable")


def test_deployment_creates_replicaset_and_pods(core: CoreV1Api, apps: AppsV1Api) -> None:
    apps.create_namespaced_deployment(NS, _deploy("web", 3))
    wait_for(lambda: _ready_deploy(apps, "web", 3), what="deployment available")
    rs = apps.list_namespaced_replica_set(NS, label_selector="app=web").items
    assert len(rs) == 1
    h = rs[0].metadata.labels["pod-template-hash"]
    assert rs[0].metadata.name == f"web-{h}"
    assert rs[0].metadata.owner_references[0].kind == "Deployment"
    assert rs[0].metadata.annotations["deployment.kubernetes.io/revision"] == "1"
    pods = _pods(core, "app=web")
    assert len(pods) == 3
    for p in pods:
        assert p.metadata.name.startswith(f"web-{h}-") and p.metadata.labels["pod-template-hash"] == h
        ref = p.metadata.owner_references[0]
        assert (ref.kind, ref.name, ref.controller) == ("ReplicaSet", rs[0].metadata.name, True)
        assert p.status.phase == "Running" and p.status.pod_ip and p.spec.node_name


def test_scale_subresource_up_and_down(core: CoreV1Api, apps: AppsV1Api) -> None:
    scale = apps.read_namespaced_deployment_scale("web", NS)
    assert scale.spec.replicas == 3 and scale.status.selector == "app=web"
    apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 5}})
    wait_for(lambda: _ready_deploy(apps, "web", 5), what="scale up")
    assert len(_pods(core, "app=web")) == 5
    apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 2}})
    wait_for(lambda: _ready_deploy(apps, "web", 2) and len(core.list_namespaced_pod(
        NS, label_selector="app=web").items) == 2, what="scale down, pods gone")


def test_restart_replaces_every_pod(core: CoreV1Api, apps: AppsV1Api) -> None:
    before = {p.metadata.name for p in _pods(core, "app=web")}
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}})
    wait_for(lambda: _ready_deploy(apps, "web", 2), what="rollout")
    wait_for(lambda: len(core.list_namespaced_pod(NS, label_selector="app=web").items) == 2, what="old pods gone")
    after = {p.metadata.name for p in _pods(core, "app=web")}
    assert not before & after
    rss = {r.metadata.annotations["deployment.kubernetes.io/revision"]: r.spec.replicas
           for r in apps.list_namespaced_replica_set(NS, label_selector="app=web").items}
    assert rss == {"1": 0, "2": 2}
    assert apps.read_namespaced_deployment("web", NS).metadata.annotations["deployment.kubernetes.io/revision"] == "2"


def test_deleted_pod_is_recreated_and_cordoned_node_gets_none(sim: KubeSim, core: CoreV1Api) -> None:
    victim = _pods(core, "app=web")[0]
    node = victim.spec.node_name
    core.patch_node(node, {"spec": {"unschedulable": True}})
    try:
        taints = wait_for(lambda: core.read_node(node).spec.taints, what="unschedulable taint")
        assert {(t.key, t.effect) for t in taints} == {("node.kubernetes.io/unschedulable", "NoSchedule")}
        # The pods before the delete, by uid: a sibling created later (in another second) may sit on the node.
        before = {p.metadata.uid for p in _pods(core, "app=web")}
        core.delete_namespaced_pod(victim.metadata.name, NS)
        wait_for(lambda: len([p for p in _pods(core, "app=web") if p.status.phase == "Running"]) == 2
                 and victim.metadata.name not in {p.metadata.name for p in _pods(core, "app=web")},
                 what="replacement")
        replacement = [p for p in _pods(core, "app=web") if p.metadata.uid not in before]
        assert len(replacement) == 1 and replacement[0].spec.node_name != node
    finally:
        core.patch_node(node, {"spec": {"unschedulable": None}})
    wait_for(lambda: not core.read_node(node).spec.taints, what="taint removed")


def test_unschedulable_pod_stays_pending_with_event(core: CoreV1Api) -> None:
    core.create_namespaced_pod(NS, {"metadata": {"name": "picky"}, "spec": {
        "nodeSelector": {"disk": "nvme"}, "containers": [{"name": "c", "image": "nginx"}]}})

    def failed() -> list:
        return core.list_namespaced_event(NS, field_selector="involvedObject.name=picky,reason=FailedScheduling").items

    ev = wait_for(failed, what="FailedScheduling")[0]
    assert ev.type == "Warning" and ev.source.component == "default-scheduler"
    assert ev.message.startswith("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")
    pod = core.read_namespaced_pod("picky", NS)
    assert pod.status.phase == "Pending" and pod.spec.node_name is None
    cond = {c.type: c for c in pod.status.conditions}["PodScheduled"]
    assert (cond.status, cond.reason) == ("False", "Unschedulable")


def test_lifecycle_events_for_a_pod(core: CoreV1Api) -> None:
    pod = _pods(core, "app=web")[0]
    evs = core.list_namespaced_event(NS, field_selector=f"involvedObject.name={pod.metadata.name},"
                                                        f"involvedObject.uid={pod.metadata.uid}").items
    reasons = [e.reason for e in evs]
    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= set(reasons)
    sched = next(e for e in evs if e.reason == "Scheduled")
    assert sched.message == f"Successfully assigned {NS}/{pod.metadata.name} to {pod.spec.node_name}"
    assert sched.count == 1 and sched.first_timestamp and sched.last_timestamp
    started = next(e for e in evs if e.reason == "Started")
    assert started.involved_object.field_path == "spec.containers{app}" and started.source.host == pod.spec.node_name


def test_crashing_container_backs_off(core: CoreV1Api) -> None:
    core.create_namespaced_pod(NS, {"metadata": {"name": "crasher"}, "spec": {"containers": [{
        "name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}})
    pod = wait_for(lambda: (lambda p: p if p.status.container_statuses and p.status.container_statuses[0]
                            .restart_count >= 1 else None)(core.read_namespaced_pod("crasher", NS)),
                   what="first crash")
    cs = pod.status.container_statuses[0]
    assert cs.state.waiting.reason == "CrashLoopBackOff"
    assert (cs.last_state.terminated.reason, cs.last_state.terminated.exit_code) == ("Error", 1)
    evs = core.list_namespaced_event(NS, field_selector="involvedObject.name=crasher,reason=BackOff").items
    assert evs and evs[0].message.startswith("Back-off restarting failed container c in pod crasher_ctl(")


def test_statefulset_ordinal_pods_in_order(core: CoreV1Api, apps: AppsV1Api) -> None:
    sts = _deploy("db", 3)
    sts["spec"]["serviceName"] = "db"
    apps.create_namespaced_stateful_set(NS, sts)
    wait_for(lambda: apps.read_namespaced_stateful_set("db", NS).status.ready_replicas == 3, what="sts ready")
    pods = sorted(_pods(core, "app=db"), key=lambda p: p.metadata.creation_timestamp)
    assert [p.metadata.name for p in pods] == ["db-0", "db-1", "db-2"]
    assert pods[1].metadata.labels["statefulset.kubernetes.io/pod-name"] == "db-1"
    assert pods[1].spec.hostname == "db-1" and pods[1].spec.subdomain == "db"
    apps.patch_namespaced_stateful_set_scale("db", NS, {"spec": {"replicas": 1}})
    wait_for(lambda: sorted(p.metadata.name for p in core.list_namespaced_pod(NS, label_selector="app=db").items)
             == ["db-0"], what="scale down from the highest ordinal")


def test_daemonset_one_pod_per_schedulable_node(core: CoreV1Api, apps: AppsV1Api) -> None:
    ds = _deploy("agent", 0)
    ds["spec"].pop("replicas")
    apps.create_namespaced_daemon_set(NS, ds)
    nodes = [n.metadata.name for n in core.list_node().items]
    wait_for(lambda: apps.read_namespaced_daemon_set("agent", NS).status.number_ready == len(nodes), what="ds")
    pods = _pods(core, "app=agent")
    assert sorted(p.spec.node_name for p in pods) == sorted(nodes)
    st = apps.read_namespaced_daemon_set("agent", NS).status
    assert (st.desired_number_scheduled, st.current_number_scheduled) == (len(nodes), len(nodes))


def test_job_runs_to_completion(api: kubernetes.client.ApiClient, core: CoreV1Api) -> None:
    batch = BatchV1Api(api)
    batch.create_namespaced_job(NS, {"metadata": {"name": "once"}, "spec": {"completions": 2, "template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox", "command": ["echo", "hi"]}]}}}})

    def done() -> object:
        j = batch.read_namespaced_job("once", NS)
        return j if any(c.type == "Complete" and c.status == "True" for c in j.status.conditions or []) else None

    job = wait_for(done, timeout=15, what="job completion")
    assert job.status.succeeded == 2 and not job.status.active and job.status.completion_time
    pods = core.list_namespaced_pod(NS, label_selector="job-name=once").items
    assert len(pods) == 2 and {p.status.phase for p in pods} == {"Succeeded"}
    assert pods[0].status.container_statuses[0].state.terminated.reason == "Completed"
    assert core.read_namespaced_pod_log(pods[0].metadata.name, NS) == "hi\n"


def test_background_and_orphan_deletion(core: CoreV1Api, apps: AppsV1Api) -> None:
    apps.create_namespaced_deployment(NS, _deploy("cascade", 2))
    apps.create_namespaced_deployment(NS, _deploy("orphaned", 1))
    wait_for(lambda: _ready_deploy(apps, "cascade", 2) and _ready_deploy(apps, "orphaned", 1), what="ready")
    apps.delete_namespaced_deployment("cascade", NS)
    wait_for(lambda: not core.list_namespaced_pod(NS, label_selector="app=cascade").items
             and not apps.list_namespaced_replica_set(NS, label_selector="app=cascade").items, what="cascade")
    apps.delete_namespaced_deployment("orphaned", NS, propagation_policy="Orphan")
    wait_for(lambda: not [d for d in apps.list_namespaced_deployment(NS).items if d.metadata.name == "orphaned"],
             what="owner gone")
    rs = apps.list_namespaced_replica_set(NS, label_selector="app=orphaned").items
    assert len(rs) == 1 and not rs[0].metadata.owner_references
    assert len(_pods(core, "app=orphaned")) == 1


def test_not_ready_node_gets_no_new_pods(sim: KubeSim, core: CoreV1Api) -> None:
    sim.set_node_ready("node-2", False)
    try:
        wait_for(lambda: any(t.key == "node.kubernetes.io/unreachable" for t in core.read_node("node-2").spec.taints
                             or []), what="unreachable taint")
        for i in range(4):
            sim.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"spread-{i}", "namespace": NS,
                                                                        "labels": {"spread": "y"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        pods = wait_for(lambda: (lambda ps: ps if all(p.spec.node_name for p in ps) else None)(
            core.list_namespaced_pod(NS, label_selector="spread=y").items), what="scheduling")
        assert "node-2" not in {p.spec.node_name for p in pods}
        assert len({p.spec.node_name for p in pods}) == 2
    finally:
        sim.set_node_ready("node-2", True)
    wait_for(lambda: not core.read_node("node-2").spec.taints, what="taints cleared")
