"""pods/log and pods/eviction through the official client."""

from __future__ import annotations

import json
import re
import time

import kubernetes
import pytest
from kubernetes.client import ApiException, AppsV1Api, CoreV1Api, PolicyV1Api

from .conftest import wait_for

NS = "le"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z ")


@pytest.fixture(scope="module")
def core(api: kubernetes.client.ApiClient) -> CoreV1Api:
    v1 = CoreV1Api(api)
    v1.create_namespace({"metadata": {"name": NS}})
    v1.create_namespaced_pod(NS, {"metadata": {"name": "talker"}, "spec": {"containers": [
        {"name": "web", "image": "nginx:1.25"}, {"name": "side", "image": "ghcr.io/x/side:1"}]}})
    wait_for(lambda: v1.read_namespaced_pod("talker", NS).status.phase == "Running", what="running")
    return v1


def _status(e: ApiException) -> dict:
    return json.loads(e.body)


def test_tail_and_timestamps(core: CoreV1Api) -> None:
    time.sleep(2.2)
    before = core.read_namespaced_pod_log("talker", NS, container="web").splitlines()
    text = core.read_namespaced_pod_log("talker", NS, container="web", tail_lines=2, timestamps=True)
    lines = text.splitlines()
    assert len(lines) == 2 and all(STAMP.match(ln) for ln in lines)
    assert text.endswith("\n")
    full = core.read_namespaced_pod_log("talker", NS, container="web")
    assert "Configuration complete; ready for start up" in full
    # The log grows while we read: the tail must be the last two lines as of some moment between the reads.
    after, tail = full.splitlines(), [ln.split(" ", 1)[1] for ln in lines]
    starts = [i for i in range(len(after) - 1) if after[i:i + 2] == tail]
    assert starts and starts[-1] >= len(before) - 2, (tail, before[-2:], after[-4:])
    assert len(core.read_namespaced_pod_log("talker", NS, container="web", limit_bytes=10)) == 10


def test_logs_keep_growing(core: CoreV1Api) -> None:
    before = core.read_namespaced_pod_log("talker", NS, container="side").count("\n")
    time.sleep(3.2)
    after = core.read_namespaced_pod_log("talker", NS, container="side").count("\n")
    assert after > before


def test_since_seconds(core: CoreV1Api) -> None:
    text = core.read_namespaced_pod_log("talker", NS, container="web", since_seconds=1, timestamps=True)
    for ln in text.splitlines():
        ts = ln.split(" ", 1)[0]
        assert ts >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 3))


def test_log_errors_have_real_messages(core: CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod_log("talker", NS)
    assert e.value.status == 400
    assert _status(e.value)["message"] == "a container name must be specified for pod talker, choose one of: [web side]"
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod_log("talker", NS, container="nope")
    assert _status(e.value)["message"] == "container nope is not valid for pod talker"
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod_log("talker", NS, container="web", previous=True)
    assert _status(e.value)["message"] == 'previous terminated container "web" in pod "talker" not found'
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod_log("ghost", NS)
    assert e.value.status == 404


def test_previous_log_of_a_restarted_container(core: CoreV1Api) -> None:
    core.create_namespaced_pod(NS, {"metadata": {"name": "crashy"}, "spec": {"containers": [{
        "name": "c", "image": "busybox", "command": ["sh", "-c", "exit 2"]}]}})
    wait_for(lambda: (core.read_namespaced_pod("crashy", NS).status.container_statuses or [None])[0]
             and core.read_namespaced_pod("crashy", NS).status.container_statuses[0].restart_count >= 1,
             what="restart")
    prev = core.read_namespaced_pod_log("crashy", NS, previous=True)
    assert prev.rstrip().endswith("(exit code 2)")


def test_follow_streams_new_lines(core: CoreV1Api) -> None:
    resp = core.read_namespaced_pod_log("talker", NS, container="side", follow=True, tail_lines=0,
                                        _preload_content=False)
    t0 = time.monotonic()
    got = b""
    for chunk in resp.stream(64):
        got += chunk
        if got.count(b"\n") >= 2 or time.monotonic() - t0 > 10:
            break
    resp.release_conn()
    assert got.count(b"\n") >= 2
    assert time.monotonic() - t0 >= 0.9  # the lines arrived over time, not from a stored buffer


def _eviction(name: str) -> dict:
    return {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": NS}}


def test_eviction_honours_disruption_budgets(api: kubernetes.client.ApiClient, core: CoreV1Api) -> None:
    apps, policy = AppsV1Api(api), PolicyV1Api(api)
    apps.create_namespaced_deployment(NS, {"metadata": {"name": "guarded"}, "spec": {
        "replicas": 3, "selector": {"matchLabels": {"app": "guarded"}}, "template": {
            "metadata": {"labels": {"app": "guarded"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    policy.create_namespaced_pod_disruption_budget(NS, {"metadata": {"name": "guarded"}, "spec": {
        "maxUnavailable": "34%", "selector": {"matchLabels": {"app": "guarded"}}}})

    def ready_pods() -> list:
        return [p for p in core.list_namespaced_pod(NS, label_selector="app=guarded").items
                if not p.metadata.deletion_timestamp and any(c.type == "Ready" and c.status == "True"
                                                             for c in p.status.conditions or [])]

    wait_for(lambda: len(ready_pods()) == 3, what="3 ready")
    pdb = wait_for(lambda: (lambda p: p if p.status.expected_pods == 3 else None)(
        policy.read_namespaced_pod_disruption_budget("guarded", NS)), what="pdb status")
    # 34% of 3 rounds up to 2 unavailable → desired healthy 1
    assert (pdb.status.desired_healthy, pdb.status.current_healthy, pdb.status.disruptions_allowed) == (1, 3, 2)
    policy.patch_namespaced_pod_disruption_budget("guarded", NS, {"spec": {"maxUnavailable": None,
                                                                            "minAvailable": 3}})
    victim = ready_pods()[0].metadata.name
    with pytest.raises(ApiException) as e:
        core.create_namespaced_pod_eviction(victim, NS, _eviction(victim))
    body = _status(e.value)
    assert e.value.status == 429 and body["reason"] == "TooManyRequests"
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"] == [{"reason": "DisruptionBudget", "message":
                                          "The disruption budget guarded needs 3 healthy pods and has 3 currently"}]
    policy.patch_namespaced_pod_disruption_budget("guarded", NS, {"spec": {"minAvailable": 2}})
    core.create_namespaced_pod_eviction(victim, NS, _eviction(victim))
    try:  # terminating, or already gone: this fleet's grace is 0.2 s, shorter than one read on a busy machine
        assert core.read_namespaced_pod(victim, NS).metadata.deletion_timestamp is not None
    except ApiException as exc:
        assert exc.status == 404, exc
    wait_for(lambda: len(ready_pods()) == 3 and victim not in {p.metadata.name for p in ready_pods()},
             what="evicted pod replaced by its controller")


def test_terminal_pods_are_always_evictable(api: kubernetes.client.ApiClient, core: CoreV1Api) -> None:
    core.create_namespaced_pod(NS, {"metadata": {"name": "finished", "labels": {"app": "guarded"}}, "spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox", "command": ["true"]}]}})
    wait_for(lambda: core.read_namespaced_pod("finished", NS).status.phase == "Succeeded", what="succeeded")
    PolicyV1Api(api).patch_namespaced_pod_disruption_budget("guarded", NS, {"spec": {"minAvailable": "100%"}})
    core.create_namespaced_pod_eviction("finished", NS, _eviction("finished"))
    wait_for(lambda: "finished" not in {p.metadata.name for p in core.list_namespaced_pod(NS).items}, what="gone")
