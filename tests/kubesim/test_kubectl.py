"""kubectl against kubesim gives the answers a real cluster gives."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
import yaml

from kubesim import KubeSim

from .conftest import Kubectl, wait_for

NS = "kc"


@pytest.fixture(scope="module", autouse=True)
def namespace(kubectl: Kubectl) -> None:
    out = kubectl("create", "namespace", NS).stdout
    assert out.strip() == f"namespace/{NS} created"


def _columns(text: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[0].split(), [ln.split() for ln in lines[1:]]


def test_get_nodes(kubectl: Kubectl) -> None:
    header, rows = _columns(kubectl("get", "nodes").stdout)
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [r[0] for r in rows] == ["node-1", "node-2", "node-3"]
    assert all(r[1] == "Ready" and r[2] == "<none>" and r[4] == "v1.32.4" for r in rows)
    header, rows = _columns(kubectl("get", "nodes", "-o", "wide").stdout)
    assert header[5:] == ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert rows[0][5].startswith("172.18.") and rows[0][6] == "<none>" and rows[0][-1].startswith("containerd://")


def test_create_deployment_rollout_and_scale(kubectl: Kubectl) -> None:
    assert kubectl("create", "deployment", "nginx", "-n", NS, "--image=nginx:1.21", "--replicas=3").stdout.strip() \
        == "deployment.apps/nginx created"
    out = kubectl("rollout", "status", "deployment/nginx", "-n", NS, "--timeout=30s").stdout
    assert out.strip().endswith('deployment "nginx" successfully rolled out')
    assert kubectl("scale", "deployment/nginx", "-n", NS, "--replicas=5").stdout.strip() == \
        "deployment.apps/nginx scaled"
    kubectl("rollout", "status", "deployment/nginx", "-n", NS, "--timeout=30s")
    header, rows = _columns(kubectl("get", "deployment", "nginx", "-n", NS).stdout)
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert rows[0][:4] == ["nginx", "5/5", "5", "5"]
    header, rows = _columns(kubectl("get", "pods", "-n", NS, "-l", "app=nginx").stdout)
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(rows) == 5 and all(r[1:4] == ["1/1", "Running", "0"] for r in rows)


def test_rollout_restart_replaces_pods(kubectl: Kubectl) -> None:
    before = set(kubectl("get", "pods", "-n", NS, "-l", "app=nginx", "-o", "name").stdout.split())
    assert kubectl("rollout", "restart", "deployment/nginx", "-n", NS).stdout.strip() == \
        "deployment.apps/nginx restarted"
    out = kubectl("rollout", "status", "deployment/nginx", "-n", NS, "--timeout=60s").stdout
    assert 'deployment "nginx" successfully rolled out' in out
    wait_for(lambda: len(kubectl("get", "pods", "-n", NS, "-l", "app=nginx", "-o", "name").stdout.split()) == 5,
             what="old pods gone")
    after = set(kubectl("get", "pods", "-n", NS, "-l", "app=nginx", "-o", "name").stdout.split())
    assert not before & after


def test_output_json_and_yaml(kubectl: Kubectl) -> None:
    pods = json.loads(kubectl("get", "pods", "-n", NS, "-o", "json").stdout)
    assert pods["kind"] == "List" and pods["items"] and pods["items"][0]["kind"] == "Pod"
    name = pods["items"][0]["metadata"]["name"]
    pod = yaml.safe_load(kubectl("get", "pod", name, "-n", NS, "-o", "yaml").stdout)
    assert pod["metadata"]["name"] == name and pod["status"]["phase"] == "Running"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_describe_pod_shows_events(kubectl: Kubectl) -> None:
    name = kubectl("get", "pods", "-n", NS, "-l", "app=nginx", "-o", "jsonpath={.items[0].metadata.name}").stdout
    out = kubectl("describe", "pod", name, "-n", NS).stdout
    assert f"Name:             {name}" in out
    assert "Status:           Running" in out
    assert "Controlled By:  ReplicaSet/nginx-" in out
    events = out.split("Events:", 1)[1]
    for reason in ("Scheduled", "Pulling", "Pulled", "Created", "Started"):
        assert reason in events
    assert f"Successfully assigned {NS}/{name} to node-" in events


def test_get_events(kubectl: Kubectl) -> None:
    header, rows = _columns(kubectl("get", "events", "-n", NS).stdout)
    assert header == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    # LAST SEEN is one column of two words
    assert any(r[1:4] == ["Normal", "ScalingReplicaSet", "deployment/nginx"] for r in rows)
    assert any(r[2] == "Scheduled" and r[3].startswith("pod/nginx-") for r in rows)


def test_logs_tail_and_follow(kubectl: Kubectl) -> None:
    name = kubectl("get", "pods", "-n", NS, "-l", "app=nginx", "-o", "jsonpath={.items[0].metadata.name}").stdout
    time.sleep(2.5)
    tail = kubectl("logs", name, "-n", NS, "--tail=2").stdout
    assert len(tail.splitlines()) == 2
    proc = kubectl.popen("logs", "-f", name, "-n", NS, "--tail=1")
    try:
        out, _ = proc.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    assert proc.returncode != 0  # still following when we stopped it
    assert len(out.splitlines()) >= 2  # the tail line plus lines written while following


def test_get_pods_watch(kubectl: Kubectl) -> None:
    kubectl("create", "deployment", "watched", "-n", NS, "--image=nginx:1.25")
    kubectl("rollout", "status", "deployment/watched", "-n", NS, "--timeout=30s")
    proc = kubectl.popen("get", "pods", "-n", NS, "-l", "app=watched", "-w")
    time.sleep(1.0)
    name = kubectl("get", "pods", "-n", NS, "-l", "app=watched", "-o", "jsonpath={.items[0].metadata.name}").stdout
    out = kubectl("delete", "pod", name, "-n", NS).stdout
    assert out.strip() == f'pod "{name}" deleted'
    time.sleep(1.5)
    proc.terminate()
    text, _ = proc.communicate(timeout=5)
    lines = text.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert any(ln.startswith(name) and "Terminating" in ln for ln in lines)
    assert any(not ln.startswith(name) and "Running" in ln for ln in lines[2:])  # the replacement


def test_cordon_uncordon(kubectl: Kubectl) -> None:
    assert kubectl("cordon", "node-3").stdout.strip() == "node/node-3 cordoned"
    _, rows = _columns(kubectl("get", "node", "node-3").stdout)
    assert rows[0][1] == "Ready,SchedulingDisabled"
    assert kubectl("uncordon", "node-3").stdout.strip() == "node/node-3 uncordoned"
    _, rows = _columns(kubectl("get", "node", "node-3").stdout)
    assert rows[0][1] == "Ready"


def test_drain_blocked_by_pdb_then_succeeds(kubectl: Kubectl, sim: KubeSim) -> None:
    kubectl("create", "deployment", "guarded", "-n", NS, "--image=nginx:1.25", "--replicas=2")
    kubectl("rollout", "status", "deployment/guarded", "-n", NS, "--timeout=30s")
    kubectl("create", "pdb", "guarded", "-n", NS, "--selector=app=guarded", "--min-available=2")
    # an emptyDir pod and a DaemonSet pod on every node, as drain's flags expect
    kubectl("apply", "-n", NS, "-f", "-", input=yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {
            "selector": {"matchLabels": {"app": "agent"}}, "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "a", "image": "busybox", "command": ["sleep", "infinity"]}]}}}}))
    node = kubectl("get", "pods", "-n", NS, "-l", "app=guarded", "-o", "jsonpath={.items[0].spec.nodeName}").stdout
    wait_for(lambda: "agent" in kubectl("get", "pods", "-n", NS, "--field-selector", f"spec.nodeName={node}").stdout,
             what="daemonset pod on the node")
    blocked = kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=6s", check=False,
                      timeout=30)
    assert blocked.returncode != 0
    assert "Cannot evict pod as it would violate the pod's disruption budget." in blocked.stderr + blocked.stdout
    assert "SchedulingDisabled" in kubectl("get", "node", node).stdout
    kubectl("delete", "pdb", "guarded", "-n", NS)
    done = kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=30s", timeout=45)
    assert f"node/{node} drained" in done.stdout
    assert "ignoring DaemonSet-managed Pods" in done.stderr
    left = kubectl("get", "pods", "-A", "--field-selector", f"spec.nodeName={node}", "-o", "json").stdout
    owners = {ref["kind"] for p in json.loads(left)["items"] for ref in p["metadata"].get("ownerReferences", [])}
    assert owners <= {"DaemonSet"}
    kubectl("rollout", "status", "deployment/guarded", "-n", NS, "--timeout=30s")
    kubectl("uncordon", node)


def test_delete_pod(kubectl: Kubectl) -> None:
    kubectl("run", "solo", "-n", NS, "--image=nginx:1.25")
    wait_for(lambda: "Running" in kubectl("get", "pod", "solo", "-n", NS).stdout, what="solo running")
    assert kubectl("delete", "pod", "solo", "-n", NS, timeout=30).stdout.strip() == 'pod "solo" deleted'
    gone = kubectl("get", "pod", "solo", "-n", NS, check=False)
    assert gone.returncode == 1 and 'pods "solo" not found' in gone.stderr


def test_apply_set_image_and_undo(kubectl: Kubectl) -> None:
    manifest = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "applied", "namespace": NS},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "applied"}}, "template": {
                    "metadata": {"labels": {"app": "applied"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.21"}]}}}}
    assert kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest)).stdout.strip() == \
        "deployment.apps/applied created"
    manifest["spec"]["replicas"] = 3
    assert kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest)).stdout.strip() == \
        "deployment.apps/applied configured"
    kubectl("rollout", "status", "deployment/applied", "-n", NS, "--timeout=30s")
    kubectl("set", "image", "deployment/applied", "web=nginx:1.22", "-n", NS)
    kubectl("rollout", "status", "deployment/applied", "-n", NS, "--timeout=30s")
    assert kubectl("rollout", "undo", "deployment/applied", "-n", NS).stdout.strip() == \
        "deployment.apps/applied rolled back"
    kubectl("rollout", "status", "deployment/applied", "-n", NS, "--timeout=30s")
    image = kubectl("get", "deployment", "applied", "-n", NS, "-o",
                    "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.21"
    history = kubectl("rollout", "history", "deployment/applied", "-n", NS).stdout.split()
    assert history[-2:] == ["3", "<none>"] and "1" not in history[3:]
    _, rows = _columns(kubectl("get", "rs", "-n", NS, "-l", "app=applied").stdout)
    assert sorted(r[1] for r in rows) == ["0", "3"]


@pytest.mark.parametrize("kind", ["statefulset", "daemonset"])
def test_rollout_history_and_undo_of_statefulsets_and_daemonsets(kubectl: Kubectl, kind: str) -> None:
    """kubectl reads their ControllerRevisions (owned, by selector) and applies a revision's data patch to undo."""
    name = f"rev-{kind}"
    manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet" if kind == "statefulset" else "DaemonSet",
                "metadata": {"name": name, "namespace": NS},
                "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.21"}]}}}}
    if kind == "statefulset":
        manifest["spec"].update(replicas=1, serviceName=name)
    kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest))
    wait_for(lambda: "1" in kubectl("rollout", "history", f"{kind}/{name}", "-n", NS).stdout.split(),
             what="revision 1")
    kubectl("annotate", kind, name, "-n", NS, "kubernetes.io/change-cause=to 1.22")
    kubectl("set", "image", f"{kind}/{name}", "web=nginx:1.22", "-n", NS)

    def rows() -> list[list[str]]:
        out = kubectl("rollout", "history", f"{kind}/{name}", "-n", NS).stdout.splitlines()
        assert out[0].strip() == f"{kind}.apps/{name}" and out[1].split() == ["REVISION", "CHANGE-CAUSE"], out
        return [line.split(None, 1) for line in out[2:] if line.strip()]
    wait_for(lambda: rows() == [["1", "<none>"], ["2", "to 1.22"]], what="revisions 1 and 2")
    detail = kubectl("rollout", "history", f"{kind}/{name}", "-n", NS, "--revision=1").stdout
    assert "nginx:1.21" in detail and "nginx:1.22" not in detail
    assert kubectl("rollout", "undo", f"{kind}/{name}", "-n", NS).stdout.strip() == \
        f"{kind}.apps/{name} rolled back"
    image = kubectl("get", kind, name, "-n", NS, "-o", "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.21"
    # revision 1's ControllerRevision is reused as revision 3, keeping its own (absent) change cause
    wait_for(lambda: rows() == [["2", "to 1.22"], ["3", "<none>"]], what="revisions 2 and 3")
    # to the current revision: kubectl patches (kubesim's data bytes are not Go's, so it does not say "skipped"),
    # the template does not change and no revision is made
    kubectl("rollout", "undo", f"{kind}/{name}", "-n", NS, "--to-revision=3")
    time.sleep(0.3)
    assert rows() == [["2", "to 1.22"], ["3", "<none>"]]
    header, table = _columns(kubectl("get", "controllerrevisions", "-n", NS, "-l", f"app={name}").stdout)
    assert header == ["NAME", "CONTROLLER", "REVISION", "AGE"]
    assert sorted((r[1], r[2]) for r in table) == [(f"{kind}.apps/{name}", "2"), (f"{kind}.apps/{name}", "3")]
