"""kubectl's StatefulSet, DaemonSet and CronJob actions against kubesim: rollout restart (RollingUpdate and
OnDelete), create job --from=cronjob, and a CronJob's suspend."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from kubesim import KubeSim

from .conftest import Kubectl, wait_for

NS = "kinds"


@pytest.fixture(scope="module", autouse=True)
def namespace(kubectl: Kubectl) -> None:
    kubectl("create", "namespace", NS)


def apply(kubectl: Kubectl, kind: str, name: str, strategy: str = "RollingUpdate", replicas: int = 2) -> None:
    manifest: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": NS},
        "spec": {"selector": {"matchLabels": {"app": name}}, "updateStrategy": {"type": strategy},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.21"}]}}}}
    if kind == "StatefulSet":
        manifest["spec"].update(replicas=replicas, serviceName=name)
    kubectl("apply", "-f", "-", input=yaml.safe_dump(manifest))


def pods(kubectl: Kubectl, name: str) -> dict[str, str]:
    """{pod name: controller-revision-hash} of the app's pods that are not being deleted."""
    items = json.loads(kubectl("get", "pods", "-n", NS, "-l", f"app={name}", "-o", "json").stdout)["items"]
    return {p["metadata"]["name"]: p["metadata"]["labels"].get("controller-revision-hash", "") for p in items
            if not p["metadata"].get("deletionTimestamp")}


@pytest.mark.parametrize("kind", ["statefulset", "daemonset"])
def test_rollout_restart_replaces_every_pod(kubectl: Kubectl, kind: str) -> None:
    name = f"restart-{kind}"
    apply(kubectl, "StatefulSet" if kind == "statefulset" else "DaemonSet", name)
    kubectl("rollout", "status", f"{kind}/{name}", "-n", NS, "--timeout=60s")
    before = pods(kubectl, name)
    assert kubectl("rollout", "restart", f"{kind}/{name}", "-n", NS).stdout.strip() == \
        f"{kind}.apps/{name} restarted"
    out = kubectl("rollout", "status", f"{kind}/{name}", "-n", NS, "--timeout=60s").stdout
    assert "rolling update complete" in out or "successfully rolled out" in out, out
    after = wait_for(lambda: (now := pods(kubectl, name)) and len(now) == len(before)
                     and not set(now.values()) & set(before.values()) and now, what="every pod on the new revision")
    if kind == "daemonset":  # generated names: none of the old pods is left
        assert not set(after) & set(before)
    else:  # the same ordinal names, recreated
        assert set(after) == set(before) == {f"{name}-0", f"{name}-1"}


@pytest.mark.parametrize("kind", ["statefulset", "daemonset"])
def test_on_delete_restart_waits_for_each_pod_to_be_deleted(kubectl: Kubectl, kind: str) -> None:
    name = f"ondelete-{kind}"
    apply(kubectl, "StatefulSet" if kind == "statefulset" else "DaemonSet", name, strategy="OnDelete")
    before = wait_for(lambda: (now := pods(kubectl, name)) and len(now) >= 2 and now, what="pods")
    kubectl("rollout", "restart", f"{kind}/{name}", "-n", NS)
    wait_for(lambda: len(json.loads(kubectl("get", "controllerrevisions", "-n", NS, "-l", f"app={name}", "-o",
                                            "json").stdout)["items"]) == 2, what="the restart's revision")
    # the controller has seen the new template (a revision for it) and still leaves every pod alone
    assert pods(kubectl, name) == before
    victim = sorted(before)[0]
    kubectl("delete", "pod", victim, "-n", NS)
    now = wait_for(lambda: (p := pods(kubectl, name)) and len(p) == len(before) and
                   len(set(p.values())) == 2 and p, what="one pod recreated from the new template")
    kept = {pod: rev for pod, rev in before.items() if pod != victim}
    assert {pod: rev for pod, rev in now.items() if pod in kept} == kept


def test_create_job_from_cronjob(kubectl: Kubectl) -> None:
    kubectl("create", "cronjob", "nightly", "-n", NS, "--image=busybox:1.36", "--schedule=0 0 1 1 *", "--", "true")
    assert kubectl("create", "job", "nightly-by-hand", "--from=cronjob/nightly", "-n", NS).stdout.strip() == \
        "job.batch/nightly-by-hand created"
    job = json.loads(kubectl("get", "job", "nightly-by-hand", "-n", NS, "-o", "json").stdout)
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    ref = job["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["controller"]) == ("CronJob", "nightly", True)
    wait_for(lambda: kubectl("get", "job", "nightly-by-hand", "-n", NS, "--no-headers").stdout.split()[1]
             == "Complete", what="the Job to complete")
    assert kubectl("get", "pods", "-n", NS, "-l", "job-name=nightly-by-hand", "-o", "name").stdout.strip()


def test_suspended_cronjob_makes_no_job_until_resumed(kubectl: Kubectl, sim: KubeSim) -> None:
    """A schedule due while suspended is not run; once resumed, it is."""
    kubectl("create", "cronjob", "every-minute", "-n", NS, "--image=busybox:1.36", "--schedule=* * * * *",
            "--", "true")
    kubectl("patch", "cronjob", "every-minute", "-n", NS, "--type=merge", "-p", '{"spec":{"suspend":true}}')
    long_ago = "2020-01-01T00:00:00Z"

    def overdue(obj: dict[str, Any]) -> dict[str, Any]:
        # last run long ago: runs are due. The empty `active` is the controller's to drop on its next pass.
        obj["status"] = {"lastScheduleTime": long_ago, "active": []}
        return obj
    sim.store.mutate("cronjobs.batch", NS, "every-minute", overdue)

    def status() -> dict[str, Any]:
        return json.loads(kubectl("get", "cronjob", "every-minute", "-n", NS, "-o", "json").stdout).get("status", {})
    passed = wait_for(lambda: "active" not in (s := status()) and s, what="a pass of the CronJob controller")
    assert passed["lastScheduleTime"] == long_ago
    assert "every-minute" not in kubectl("get", "jobs", "-n", NS, "-o", "name").stdout
    kubectl("patch", "cronjob", "every-minute", "-n", NS, "--type=merge", "-p", '{"spec":{"suspend":false}}')
    wait_for(lambda: "job.batch/every-minute-" in kubectl("get", "jobs", "-n", NS, "-o", "name").stdout,
             what="the due run, once resumed")
    assert status()["lastScheduleTime"] != long_ago
