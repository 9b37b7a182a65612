"""StatefulSet, DaemonSet, Job and CronJob detail and actions against the simulated cluster, kubectl as the oracle.

Each action must work, show in the next list (the watch cache's read-your-writes) and agree with kubectl;
bad input is a 4xx envelope that says what is wrong; viewers are refused and nothing changes.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditEvent
from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.conftest import bearer_client, register_sim
from tests.pods.helpers import Kubectl
from tests.workloads.test_history import wait_for

COMMON_KEYS = {"kind", "name", "namespace", "replicas", "readyReplicas", "availableReplicas", "images", "labels",
               "status", "createdAt", "conditions", "containers", "annotations", "resourceVersion", "pods"}
DETAIL_KEYS = {
    "statefulsets": COMMON_KEYS | {"selector", "strategy", "serviceName", "podManagementPolicy", "currentRevision",
                                   "updateRevision"},
    "daemonsets": COMMON_KEYS | {"selector", "strategy", "nodeSelector", "updatedNumberScheduled"},
    "jobs": COMMON_KEYS | {"selector", "completions", "parallelism", "backoffLimit", "suspend", "active", "succeeded",
                           "failed", "startTime", "completionTime", "cronJob"},
    "cronjobs": COMMON_KEYS | {"schedule", "timeZone", "suspend", "concurrencyPolicy", "lastScheduleTime",
                               "lastSuccessfulTime", "jobs"},
}
# plural → the demo fleet's (namespace, name), its kind and kubectl's resource name
DEMO = {"statefulsets": ("shop", "redis", "StatefulSet", "statefulset"),
        "daemonsets": ("monitoring", "node-exporter", "DaemonSet", "daemonset"),
        "jobs": ("batch", "nightly-report", "Job", "job"),
        "cronjobs": ("batch", "cleanup", "CronJob", "cronjob")}
CAUSE = "kubernetes.io/change-cause"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MANUAL_NAME = re.compile(r"^cleanup-manual-[bcdfghjklmnpqrstvwxz2456789]{5}$")


def url(cluster: Any, plural: str, suffix: str = "", name: str | None = None, namespace: str | None = None) -> str:
    ns, default, _, _ = DEMO[plural]
    return f"/api/clusters/{cluster.pk}/namespaces/{namespace or ns}/{plural}/{name or default}{suffix}"


def listed(client: Any, cluster: Any, kind: str, namespace: str) -> dict[str, dict[str, Any]]:
    """The workload list of one kind in one namespace, by name."""
    body = assert_envelope(client.get(f"/api/clusters/{cluster.pk}/workloads",
                                      {"type": kind, "namespace": namespace, "pageSize": 100}), 200)
    return {item["name"]: item for item in assert_page(body)}


# --- access --------------------------------------------------------------------------------------

ANY = "/api/clusters/1/namespaces/batch"


class TestStatefulSetDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/shop/statefulsets/redis"
    min_role = Role.VIEWER


class TestCronJobDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = f"{ANY}/cronjobs/cleanup"
    min_role = Role.VIEWER


class TestJobDeleteAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = f"{ANY}/jobs/nightly-report"
    method = "delete"
    min_role = Role.OPERATOR


class TestStatefulSetScaleAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/shop/statefulsets/redis/scale"
    method = "post"
    body = {"replicas": 1}
    min_role = Role.OPERATOR


class TestDaemonSetRestartAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/monitoring/daemonsets/node-exporter/restart"
    method = "post"
    min_role = Role.OPERATOR


class TestCronJobTriggerAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = f"{ANY}/cronjobs/cleanup/trigger"
    method = "post"
    body = {}
    min_role = Role.OPERATOR


class TestCronJobSuspendAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = f"{ANY}/cronjobs/cleanup/suspend"
    method = "post"
    min_role = Role.OPERATOR


# --- detail (the shared sim: nothing here changes it) ---------------------------------------------

@pytest.mark.django_db
class TestDetail:
    @pytest.mark.parametrize("plural", list(DEMO))
    def test_shape_and_kubectl_agree(self, api: Any, sim_cluster: Any, kubectl: Kubectl, plural: str) -> None:
        ns, name, kind, resource = DEMO[plural]
        theirs = kubectl.json("get", resource, name, "-n", ns)
        data = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, plural)), 200)["data"]
        assert set(data) == DETAIL_KEYS[plural]
        assert (data["kind"], data["name"], data["namespace"]) == (kind, name, ns)
        assert data["resourceVersion"] == theirs["metadata"]["resourceVersion"]
        assert {c["type"] for c in data["conditions"]} == {c["type"] for c in theirs["status"].get("conditions", [])}
        spec = theirs["spec"]["jobTemplate"]["spec"] if plural == "cronjobs" else theirs["spec"]
        template = spec["template"]["spec"]["containers"]
        assert [(c["name"], c["image"]) for c in data["containers"]] == [(c["name"], c["image"]) for c in template]
        if "selector" in data:
            assert data["selector"] == theirs["spec"]["selector"]

    @pytest.mark.parametrize("plural", ["statefulsets", "daemonsets", "jobs"])
    def test_pods_are_the_ones_it_controls(self, api: Any, sim_cluster: Any, kubectl: Kubectl, plural: str) -> None:
        ns, name, _, resource = DEMO[plural]
        uid = kubectl.json("get", resource, name, "-n", ns)["metadata"]["uid"]
        expected = {p["metadata"]["name"] for p in kubectl.json("get", "pods", "-n", ns)["items"]
                    if any(r.get("uid") == uid and r.get("controller")
                           for r in p["metadata"].get("ownerReferences", []))}
        data = api(Role.VIEWER).get(url(sim_cluster, plural)).json()["data"]
        assert expected and {p["name"] for p in data["pods"]} == expected
        assert [p["name"] for p in data["pods"]] == sorted(expected)

    def test_kind_fields(self, api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
        viewer = api(Role.VIEWER)
        sts = kubectl.json("get", "statefulset", "redis", "-n", "shop")
        data = viewer.get(url(sim_cluster, "statefulsets")).json()["data"]
        assert data["strategy"] == sts["spec"]["updateStrategy"] and data["serviceName"] == "redis"
        assert (data["currentRevision"], data["updateRevision"]) == (sts["status"]["currentRevision"],
                                                                     sts["status"]["updateRevision"])
        ds = kubectl.json("get", "daemonset", "node-exporter", "-n", "monitoring")
        data = viewer.get(url(sim_cluster, "daemonsets")).json()["data"]
        assert data["strategy"] == ds["spec"]["updateStrategy"]
        assert data["updatedNumberScheduled"] == ds["status"].get("updatedNumberScheduled", 0)
        job = kubectl.json("get", "job", "nightly-report", "-n", "batch")
        data = viewer.get(url(sim_cluster, "jobs")).json()["data"]
        assert (data["completions"], data["parallelism"], data["backoffLimit"], data["suspend"]) == (
            job["spec"]["completions"], job["spec"]["parallelism"], job["spec"]["backoffLimit"], False)
        assert (data["succeeded"], data["status"], data["cronJob"]) == (1, "Complete", None)
        assert RFC3339_SECONDS.match(data["completionTime"])
        cronjob = kubectl.json("get", "cronjob", "cleanup", "-n", "batch")
        data = viewer.get(url(sim_cluster, "cronjobs")).json()["data"]
        assert (data["schedule"], data["suspend"], data["concurrencyPolicy"]) == (
            cronjob["spec"]["schedule"], False, cronjob["spec"].get("concurrencyPolicy", "Allow"))
        assert data["conditions"] == [] and "selector" not in data

    @pytest.mark.parametrize("plural", list(DEMO))
    def test_unknown_object_and_namespace_are_404_naming_them(self, api: Any, sim_cluster: Any, plural: str) -> None:
        kind = DEMO[plural][2]
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, plural, name="ghost")), 404)
        assert f"{kind} 'ghost' not found" in body["message"]
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, plural, namespace="atlantis")), 404)
        assert "Namespace 'atlantis'" in body["message"]

    def test_bad_names_are_400_before_the_cluster(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, "cronjobs", name="Not_A_Name")), 400)
        assert "name" in body["data"]["errors"]


# --- bad input and refusals (the shared sim: nothing here changes it) ----------------------------

@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize("payload", [{"replicas": "3"}, {"replicas": 2.5}, {"replicas": True}, {"replicas": -1},
                                         {"replicas": None}, {"replicas": 10001}, {}])
    def test_bad_replicas_is_400_naming_the_field(self, api: Any, sim_cluster: Any, kubectl: Kubectl,
                                                  payload: dict) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(url(sim_cluster, "statefulsets", "/scale"), payload,
                                                       format="json"), 400)
        assert "replicas" in body["data"]["errors"] and body["message"].startswith("replicas")
        assert kubectl.json("get", "statefulset", "redis", "-n", "shop")["spec"]["replicas"] == 3

    @pytest.mark.parametrize("plural", list(DEMO))
    def test_bad_propagation_policy_is_400_naming_the_choices(self, api: Any, sim_cluster: Any, kubectl: Kubectl,
                                                               plural: str) -> None:
        ns, name, _, resource = DEMO[plural]
        body = assert_envelope(api(Role.OPERATOR).delete(url(sim_cluster, plural) + "?propagationPolicy=orphan"),
                               400)
        assert "propagationPolicy" in body["data"]["errors"]
        assert "Background, Foreground, Orphan" in body["message"]
        assert kubectl.json("get", resource, name, "-n", ns)["metadata"]["name"] == name

    @pytest.mark.parametrize(("payload", "words"), [
        ({"name": "Upper_Case"}, "not a valid name"), ({"name": 7}, "valid string"),
        ({"name": "a" * 64}, "no more than 63"), ({"name": "-a"}, "not a valid name"),
        (["cleanup"], "Expected a dictionary"),
    ])
    def test_bad_trigger_bodies_are_400(self, api: Any, sim_cluster: Any, kubectl: Kubectl, payload: Any,
                                        words: str) -> None:
        before = {j["metadata"]["name"] for j in kubectl.json("get", "jobs", "-n", "batch")["items"]}
        body = assert_envelope(api(Role.OPERATOR).post(url(sim_cluster, "cronjobs", "/trigger"), payload,
                                                       format="json"), 400)
        assert words in body["message"]
        assert {j["metadata"]["name"] for j in kubectl.json("get", "jobs", "-n", "batch")["items"]} == before

    @pytest.mark.parametrize(("plural", "suffix", "body"), [
        ("statefulsets", "/scale", {"replicas": 1}), ("statefulsets", "/restart", None),
        ("daemonsets", "/restart", None), ("cronjobs", "/suspend", None), ("cronjobs", "/resume", None),
        ("cronjobs", "/trigger", {}), ("jobs", "", None),
    ])
    def test_missing_objects_are_404_naming_them(self, api: Any, sim_cluster: Any, plural: str, suffix: str,
                                                 body: Any) -> None:
        client = api(Role.OPERATOR)
        target = url(sim_cluster, plural, suffix, name="ghost")
        answer = client.delete(target) if not suffix else client.post(target, body, format="json")
        assert f"{DEMO[plural][2]} 'ghost' not found" in assert_envelope(answer, 404)["message"]

    @pytest.mark.parametrize(("plural", "action"), [("daemonsets", "scale"), ("jobs", "restart"),
                                                    ("jobs", "trigger"), ("cronjobs", "restart"),
                                                    ("statefulsets", "suspend"), ("replicasets", "restart")])
    def test_actions_a_kind_does_not_have_are_404(self, api: Any, sim_cluster: Any, plural: str,
                                                  action: str) -> None:
        target = f"/api/clusters/{sim_cluster.pk}/namespaces/default/{plural}/x/{action}"
        assert_envelope(api(Role.OPERATOR).post(target, {}, format="json"), 404)

    def test_wrong_method_is_405(self, api: Any, sim_cluster: Any) -> None:
        assert_envelope(api(Role.OPERATOR).get(url(sim_cluster, "cronjobs", "/trigger")), 405)
        assert_envelope(api(Role.OPERATOR).put(url(sim_cluster, "jobs"), {}, format="json"), 405)

    @pytest.mark.parametrize(("plural", "suffix", "label"), [
        ("statefulsets", "/scale", "scaling a statefulset"), ("statefulsets", "/restart", "restarting a statefulset"),
        ("daemonsets", "/restart", "restarting a daemonset"), ("cronjobs", "/suspend", "suspending a cronjob"),
        ("cronjobs", "/resume", "resuming a cronjob"), ("cronjobs", "/trigger", "triggering a cronjob"),
        ("jobs", "", "deleting a job"), ("cronjobs", "", "deleting a cronjob"),
        ("statefulsets", "", "deleting a statefulset"), ("daemonsets", "", "deleting a daemonset"),
    ])
    def test_viewers_are_refused_and_nothing_changes(self, api: Any, sim_cluster: Any, kubectl: Kubectl, plural: str,
                                                     suffix: str, label: str) -> None:
        ns, name, _, resource = DEMO[plural]
        # the object's spec and generation, not its resourceVersion: controllers write status at any time (the
        # CronJob's every five minutes), while a refused action would have changed the spec
        def desired() -> tuple[Any, Any]:
            obj = kubectl.json("get", resource, name, "-n", ns)
            return obj["metadata"].get("generation"), obj["spec"]

        before = desired()
        jobs = len(kubectl.json("get", "jobs", "-n", "batch")["items"])
        client = api(Role.VIEWER)
        answer = client.delete(url(sim_cluster, plural)) if not suffix else \
            client.post(url(sim_cluster, plural, suffix), {"replicas": 1} if suffix == "/scale" else {}, format="json")
        body = assert_envelope(answer, 403)
        assert label in body["message"] and "operator" in body["message"]
        assert desired() == before
        assert len(kubectl.json("get", "jobs", "-n", "batch")["items"]) == jobs


# --- actions on a private sim ---------------------------------------------------------------------

@pytest.fixture
def world(db: Any, fresh_kubesim: Any, tmp_path: Path, make_user: Any) -> Any:
    """A private fast-ticking demo sim, registered, with an operator and its client, and kubectl on it."""
    sim = fresh_kubesim(tick=0.1)

    class World:
        pass

    w = World()
    w.sim, w.cluster, w.user = sim, register_sim(sim, name=f"kinds-{sim.port}"), make_user(role=Role.OPERATOR)
    w.api, w.kubectl = bearer_client(w.user), Kubectl(sim, tmp_path)
    return w


def revisions(world: Any, plural: str) -> list[dict[str, Any]]:
    body = world.api.get(url(world.cluster, plural, "/history"), {"pageSize": 100})
    return assert_page(assert_envelope(body, 200))


def test_statefulset_scale_restart_and_delete(world: Any) -> None:
    api, kubectl, who = world.api, world.kubectl, world.user.username
    body = assert_envelope(api.post(url(world.cluster, "statefulsets", "/scale"), {"replicas": 2}, format="json"),
                           200)
    assert body["data"] == {"name": "redis", "namespace": "shop", "replicas": 2}
    assert body["message"] == "StatefulSet scaled to 2 replicas"
    assert listed(api, world.cluster, "statefulset", "shop")["redis"]["replicas"] == 2  # the next list shows it
    sts = kubectl.json("get", "statefulset", "redis", "-n", "shop")
    assert sts["spec"]["replicas"] == 2
    assert sts["metadata"]["annotations"][CAUSE] == f"kubepolaris: scaled to 2 by {who}"
    wait_for(lambda: {p["metadata"]["name"] for p in kubectl.json("get", "pods", "-n", "shop", "-l", "app=redis")
                      ["items"]} == {"redis-0", "redis-1"}, "redis-2 to go")

    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = assert_envelope(api.post(url(world.cluster, "statefulsets", "/restart")), 200)
    stamp = body["data"]["restartedAt"]
    assert body["message"] == "StatefulSet restarted successfully"
    assert RFC3339_SECONDS.match(stamp) and dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) >= before
    sts = kubectl.json("get", "statefulset", "redis", "-n", "shop")
    assert sts["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT] == stamp
    assert sts["spec"]["template"]["metadata"]["labels"] == {"app": "redis"}, "merged, not replaced"
    assert sts["metadata"]["annotations"][CAUSE] == f"kubepolaris: restart by {who}"
    # the controller makes a new revision that carries the change cause, and replaces the pods one by one
    latest = wait_for(lambda: (r := revisions(world, "statefulsets")) and len(r) == 2 and r[-1], "revision 2")
    assert latest["changeCause"] == f"kubepolaris: restart by {who}" and latest["current"] is True
    detail = assert_envelope(api.get(url(world.cluster, "statefulsets")), 200)["data"]
    assert detail["annotations"][CAUSE] == f"kubepolaris: restart by {who}"
    assert detail["updateRevision"] == kubectl.json("get", "statefulset", "redis", "-n", "shop")["status"][
        "updateRevision"]
    wait_for(lambda: {p["metadata"]["name"]: p["metadata"]["labels"]["controller-revision-hash"]
                      for p in kubectl.json("get", "pods", "-n", "shop", "-l", "app=redis")["items"]}
             == {"redis-0": detail["updateRevision"], "redis-1": detail["updateRevision"]},
             "both redis pods on the new revision")

    body = assert_envelope(api.delete(url(world.cluster, "statefulsets") + "?propagationPolicy=Orphan"), 200)
    assert body["message"] == "StatefulSet deleted successfully (propagationPolicy Orphan)"
    row = AuditEvent.objects.filter(action="statefulset.delete").latest("id")
    assert (row.name, row.message) == ("redis", body["message"])
    # the next list shows it: gone, or (Orphan, like Foreground, holds the object by a finalizer until the
    # garbage collector is done with its pods) Terminating
    item = listed(api, world.cluster, "statefulset", "shop").get("redis")
    assert item is None or item["status"] == "Terminating", item
    wait_for(lambda: "redis" not in listed(api, world.cluster, "statefulset", "shop"), "redis to go from the list")
    assert "redis" not in kubectl.run("get", "statefulsets", "-n", "shop", "-o", "name")
    # orphaned: the pods stay, without their owner
    pods = wait_for(lambda: (items := kubectl.json("get", "pods", "-n", "shop", "-l", "app=redis")["items"])
                    and all(not p["metadata"].get("ownerReferences") for p in items) and items, "orphaned pods")
    assert {p["metadata"]["name"] for p in pods} == {"redis-0", "redis-1"}


def test_statefulset_restart_is_kubectls(world: Any) -> None:
    """kubectl rollout restart, then ours: the same template annotation, and the same answer from kubectl."""
    world.kubectl.run("rollout", "restart", "statefulset/postgres", "-n", "data")
    theirs = world.kubectl.json("get", "statefulset", "postgres", "-n", "data")["spec"]["template"]["metadata"]
    assert_envelope(world.api.post(url(world.cluster, "statefulsets", "/restart", name="postgres", namespace="data")),
                    200)
    ours = world.kubectl.json("get", "statefulset", "postgres", "-n", "data")["spec"]["template"]["metadata"]
    assert set(ours["annotations"]) == set(theirs["annotations"]) == {RESTARTED_AT}
    # an OnDelete StatefulSet restarts as kubectl's does (template stamped), and the answer says what that means
    world.kubectl.run("patch", "statefulset", "postgres", "-n", "data", "-p",
                      '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}')
    body = assert_envelope(world.api.post(url(world.cluster, "statefulsets", "/restart", name="postgres",
                                              namespace="data")), 200)
    assert "OnDelete" in body["message"]


def test_daemonset_restart_and_delete(world: Any) -> None:
    api, kubectl, who = world.api, world.kubectl, world.user.username
    old = {p["metadata"]["name"] for p in kubectl.json("get", "pods", "-n", "monitoring",
                                                        "-l", "app=node-exporter")["items"]}
    body = assert_envelope(api.post(url(world.cluster, "daemonsets", "/restart")), 200)
    assert body["data"]["name"] == "node-exporter" and body["message"] == "DaemonSet restarted successfully"
    ds = kubectl.json("get", "daemonset", "node-exporter", "-n", "monitoring")
    assert ds["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT] == body["data"]["restartedAt"]
    assert ds["metadata"]["annotations"][CAUSE] == f"kubepolaris: restart by {who}"
    latest = wait_for(lambda: (r := revisions(world, "daemonsets")) and len(r) == 2 and r[-1], "revision 2")
    assert latest["changeCause"] == f"kubepolaris: restart by {who}"
    # every pod is replaced (a rolling update, one node at a time)
    wait_for(lambda: (now := {p["metadata"]["name"] for p in kubectl.json(
        "get", "pods", "-n", "monitoring", "-l", "app=node-exporter")["items"]}) and not (now & old)
        and len(now) == len(old), "new node-exporter pods")
    # kubectl's restart sets the same annotation key
    kubectl.run("rollout", "restart", "daemonset/kube-proxy", "-n", "kube-system")
    theirs = kubectl.json("get", "daemonset", "kube-proxy", "-n", "kube-system")["spec"]["template"]["metadata"]
    assert set(theirs["annotations"]) == set(ds["spec"]["template"]["metadata"]["annotations"])

    body = assert_envelope(api.delete(url(world.cluster, "daemonsets")), 200)
    assert body == {"code": 200, "message": "DaemonSet deleted successfully", "data": None}
    assert "node-exporter" not in listed(api, world.cluster, "daemonset", "monitoring")
    wait_for(lambda: not kubectl.json("get", "pods", "-n", "monitoring", "-l", "app=node-exporter")["items"],
             "the DaemonSet's pods to go with it (Background)")


def test_cronjob_suspend_resume(world: Any) -> None:
    api, kubectl = world.api, world.kubectl
    body = assert_envelope(api.post(url(world.cluster, "cronjobs", "/suspend")), 200)
    assert body == {"code": 200, "message": "CronJob suspended successfully",
                    "data": {"name": "cleanup", "namespace": "batch", "suspend": True}}
    assert listed(api, world.cluster, "cronjob", "batch")["cleanup"]["status"] == "Suspended"
    assert kubectl.json("get", "cronjob", "cleanup", "-n", "batch")["spec"]["suspend"] is True
    # kubectl's SUSPEND column (the fourth from the right: ACTIVE, LAST SCHEDULE and AGE follow it)
    assert kubectl.run("get", "cronjob", "cleanup", "-n", "batch", "--no-headers").split()[-4] == "true"
    assert api.get(url(world.cluster, "cronjobs")).json()["data"]["suspend"] is True
    # suspending twice is not an error
    assert_envelope(api.post(url(world.cluster, "cronjobs", "/suspend")), 200)

    body = assert_envelope(api.post(url(world.cluster, "cronjobs", "/resume")), 200)
    assert body["data"]["suspend"] is False and body["message"] == "CronJob resumed successfully"
    assert listed(api, world.cluster, "cronjob", "batch")["cleanup"]["status"] != "Suspended"
    assert kubectl.json("get", "cronjob", "cleanup", "-n", "batch")["spec"]["suspend"] is False


def test_cronjob_trigger_is_kubectl_create_job_from(world: Any) -> None:
    api, kubectl, sim = world.api, world.kubectl, world.sim

    def template_metadata(obj: dict[str, Any]) -> dict[str, Any]:
        obj["spec"]["jobTemplate"]["metadata"] = {"labels": {"team": "ops"}, "annotations": {"owner": "ops@example"}}
        return obj
    sim.store.mutate("cronjobs.batch", "batch", "cleanup", template_metadata)
    # a suspended CronJob runs on demand too, as with kubectl
    assert_envelope(api.post(url(world.cluster, "cronjobs", "/suspend")), 200)

    body = assert_envelope(api.post(url(world.cluster, "cronjobs", "/trigger")), 201)
    ours = body["data"]["name"]
    assert MANUAL_NAME.match(ours), ours
    assert body["data"]["namespace"] == "batch" and body["data"]["cronJob"] == "cleanup"
    assert body["message"] == f"Job '{ours}' created from CronJob 'cleanup'"
    assert ours in listed(api, world.cluster, "job", "batch")  # the next list shows it

    kubectl.run("create", "job", "theirs", "--from=cronjob/cleanup", "-n", "batch")
    mine, theirs = (kubectl.json("get", "job", name, "-n", "batch") for name in (ours, "theirs"))
    for key in ("labels", "annotations"):
        assert mine["metadata"].get(key) == theirs["metadata"].get(key), key
    assert mine["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual", "owner": "ops@example"}
    assert mine["metadata"]["labels"] == {"team": "ops"}
    assert mine["metadata"]["ownerReferences"] == theirs["metadata"]["ownerReferences"]
    ref = mine["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["controller"], "blockOwnerDeletion" in ref) == ("CronJob", "cleanup", True,
                                                                                         False)
    strip = ("selector", "template")
    assert {k: v for k, v in mine["spec"].items() if k not in strip} == \
        {k: v for k, v in theirs["spec"].items() if k not in strip}
    assert mine["spec"]["template"]["spec"] == theirs["spec"]["template"]["spec"]
    assert ours in kubectl.run("get", "jobs", "-n", "batch", "-o", "name")
    # the audit log names the action, the CronJob and the user
    row = AuditEvent.objects.filter(action="cronjob.trigger").latest("id")
    assert (row.namespace, row.name, row.username, row.status_code) == ("batch", "cleanup", world.user.username, 201)

    # the Job runs: it gets a pod, completes, and the CronJob's detail shows it and its pod
    wait_for(lambda: listed(api, world.cluster, "job", "batch")[ours]["status"] == "Complete", "the Job to complete")
    detail = assert_envelope(api.get(url(world.cluster, "cronjobs")), 200)["data"]
    assert {ours, "theirs"} <= {j["name"] for j in detail["jobs"]}
    assert any(p["name"].startswith(f"{ours}-") for p in detail["pods"])
    job = assert_envelope(api.get(url(world.cluster, "jobs", name=ours)), 200)["data"]
    assert job["cronJob"] == "cleanup" and job["succeeded"] == 1 and [p["name"] for p in job["pods"]]

    # a given name, then the same again: 409 from the cluster
    body = assert_envelope(api.post(url(world.cluster, "cronjobs", "/trigger"), {"name": "cleanup-now"},
                                    format="json"), 201)
    assert body["data"]["name"] == "cleanup-now"
    assert_envelope(api.post(url(world.cluster, "cronjobs", "/trigger"), {"name": "cleanup-now"}, format="json"), 409)

    # delete the Job (Background: its pods go too), then the CronJob
    assert_envelope(api.delete(url(world.cluster, "jobs", name=ours)), 200)
    assert ours not in listed(api, world.cluster, "job", "batch")
    wait_for(lambda: not [p for p in kubectl.json("get", "pods", "-n", "batch")["items"]
                          if p["metadata"]["name"].startswith(f"{ours}-")], "the Job's pods to go")
    assert_envelope(api.delete(url(world.cluster, "cronjobs") + "?propagationPolicy=Foreground"), 200)
    wait_for(lambda: "cleanup" not in listed(api, world.cluster, "cronjob", "batch"), "the CronJob to go")
    wait_for(lambda: "cleanup-now" not in listed(api, world.cluster, "job", "batch"), "its Jobs to go with it")


def test_trigger_shortens_a_long_cronjob_name(world: Any) -> None:
    long_name = "c" * 60
    world.kubectl.run("create", "cronjob", long_name, "-n", "batch", "--image=busybox:1.36", "--schedule=0 0 * * *",
                      "--", "true")
    body = assert_envelope(world.api.post(url(world.cluster, "cronjobs", "/trigger", name=long_name)), 201)
    name = body["data"]["name"]
    assert len(name) == 63 and re.match(r"^c{50}-manual-[a-z0-9]{5}$", name)
    assert name in world.kubectl.run("get", "jobs", "-n", "batch", "-o", "name")


def test_deployment_delete_takes_a_propagation_policy(world: Any) -> None:
    kubectl = world.kubectl
    rs_before = {r["metadata"]["name"] for r in kubectl.json("get", "replicasets", "-n", "default")["items"]
                 if r["metadata"]["name"].startswith("nginx-")}
    body = assert_envelope(world.api.delete(f"/api/clusters/{world.cluster.pk}/namespaces/default/deployments/nginx"
                                            "?propagationPolicy=Orphan"), 200)
    assert body["message"] == "Deployment deleted successfully (propagationPolicy Orphan)"
    item = listed(world.api, world.cluster, "deployment", "default").get("nginx")
    assert item is None or item["status"] == "Terminating", item
    wait_for(lambda: "nginx" not in listed(world.api, world.cluster, "deployment", "default"), "nginx to go")
    # orphaned: the ReplicaSets stay, without their owner
    wait_for(lambda: all(not r["metadata"].get("ownerReferences")
                         for r in kubectl.json("get", "replicasets", "-n", "default")["items"]
                         if r["metadata"]["name"] in rs_before), "orphaned ReplicaSets")
    assert rs_before <= {r["metadata"]["name"] for r in kubectl.json("get", "replicasets", "-n", "default")["items"]}
