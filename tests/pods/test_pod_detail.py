"""Pod detail and delete, against the simulated cluster."""
from __future__ import annotations

import time
from typing import Any

import pytest

from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope
from tests.pods.helpers import all_pages, pod_url, pods_url

DETAIL_KEYS = {"name", "namespace", "uid", "labels", "annotations", "status", "spec", "createdAt"}


def first_pod(kubectl: Any, namespace: str = "default", prefix: str = "nginx") -> dict[str, Any]:
    pods = [p for p in kubectl.json("get", "pods", "-n", namespace)["items"]
            if p["metadata"]["name"].startswith(prefix) and not p["metadata"].get("deletionTimestamp")]
    assert pods, f"the demo fleet has {prefix} pods in {namespace}"
    return pods[0]


class TestPodDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/default/pods/x"
    min_role = Role.VIEWER


class TestPodDeleteAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/default/pods/x"
    method = "delete"
    min_role = Role.OPERATOR


@pytest.mark.django_db
class TestPodDetail:
    def test_seed_shape_and_values(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        pod = first_pod(kubectl)
        name = pod["metadata"]["name"]
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", name)), 200)
        data = body["data"]
        assert set(data) == DETAIL_KEYS
        assert (data["name"], data["namespace"], data["uid"]) == (name, "default", pod["metadata"]["uid"])
        assert data["labels"] == pod["metadata"].get("labels", {})
        assert set(data["status"]) == {"phase", "conditions", "containerStatuses"}
        assert data["status"]["phase"] == pod["status"]["phase"]
        assert {(c["type"], c["status"]) for c in data["status"]["conditions"]} == {
            (c["type"], c["status"]) for c in pod["status"].get("conditions", [])}
        for status in data["status"]["containerStatuses"]:
            assert {"name", "ready", "restartCount", "state"} <= set(status)
        assert set(data["spec"]) == {"nodeName", "containers", "volumes"}
        assert data["spec"]["nodeName"] == pod["spec"].get("nodeName")
        for container in data["spec"]["containers"]:
            assert set(container) == {"name", "image", "ports", "resources", "volumeMounts"}
        assert [c["name"] for c in data["spec"]["containers"]] == [c["name"] for c in pod["spec"]["containers"]]
        assert data["createdAt"].endswith("Z")

    def test_running_state_times_are_rfc3339_z(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        pod = first_pod(kubectl)
        data = api(Role.VIEWER).get(pod_url(sim_cluster, "default", pod["metadata"]["name"])).json()["data"]
        running = [s["state"]["running"] for s in data["status"]["containerStatuses"] if "running" in s["state"]]
        assert running and all(r["startedAt"].endswith("Z") for r in running)

    def test_volumes_are_listed(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        with_volumes = [p for p in kubectl.json("get", "pods", "-A")["items"] if p["spec"].get("volumes")]
        assert with_volumes, "the demo fleet has pods with volumes (emptyDir)"
        pod = with_volumes[0]
        url = pod_url(sim_cluster, pod["metadata"]["namespace"], pod["metadata"]["name"])
        data = api(Role.VIEWER).get(url).json()["data"]
        assert [v["name"] for v in data["spec"]["volumes"]] == [v["name"] for v in pod["spec"]["volumes"]]

    def test_last_applied_annotation_is_hidden(self, api: Any, fresh: Any) -> None:
        """kubectl's last-applied copy repeats env values (secrets); other annotations are shown."""
        _, cluster, kubectl = fresh
        name = first_pod(kubectl)["metadata"]["name"]
        kubectl.run("annotate", "pod", name, "-n", "default", "team=edge",
                    'kubectl.kubernetes.io/last-applied-configuration={"env":"hunter2-secret"}')
        response = api(Role.VIEWER).get(pod_url(cluster, "default", name))
        data = assert_envelope(response, 200)["data"]
        assert data["annotations"]["team"] == "edge"
        assert "hunter2-secret" not in response.content.decode()

    def test_unknown_pod_is_404_naming_it(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", "no-such-pod")), 404)
        assert "no-such-pod" in body["message"] and "Pod" in body["message"]

    def test_unknown_namespace_is_404_naming_it(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "no-such-ns", "x")), 404)
        assert "Namespace 'no-such-ns'" in body["message"]

    def test_unknown_cluster_is_404(self, api: Any, db: Any) -> None:
        assert_envelope(api(Role.VIEWER).get("/api/clusters/424242/namespaces/default/pods/x"), 404)


@pytest.mark.django_db
class TestPodDelete:
    def test_force_delete_answers_exactly_the_seed(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        name = first_pod(kubectl)["metadata"]["name"]
        response = api(Role.OPERATOR).delete(pod_url(cluster, "default", name) + "?force=true")
        assert response.status_code == 200
        assert response.json() == {"code": 200, "message": "Pod deleted successfully", "data": None}
        assert name not in kubectl.run("get", "pods", "-n", "default", "--no-headers")
        assert_envelope(api(Role.VIEWER).get(pod_url(cluster, "default", name)), 404)

    def test_graceful_delete_shows_terminating(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        name = first_pod(kubectl)["metadata"]["name"]
        response = api(Role.ADMIN).delete(pod_url(cluster, "default", name) + "?gracePeriod=30")
        assert response.json() == {"code": 200, "message": "Pod deleted successfully", "data": None}
        pod = kubectl.json("get", "pod", name, "-n", "default")
        assert pod["metadata"]["deletionTimestamp"] and pod["metadata"]["deletionGracePeriodSeconds"] == 30
        assert kubectl.pod_statuses()[("default", name)] == "Terminating"
        items = all_pages(api(Role.VIEWER), pods_url(cluster), namespace="default", search=name)
        assert [i["status"] for i in items if i["name"] == name] == ["Terminating"]

    def test_force_wins_over_grace_period(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        name = first_pod(kubectl)["metadata"]["name"]
        response = api(Role.OPERATOR).delete(pod_url(cluster, "default", name) + "?force=1&gracePeriod=600")
        assert_envelope(response, 200)
        deadline = time.time() + 5
        while name in kubectl.run("get", "pods", "-n", "default", "--no-headers") and time.time() < deadline:
            time.sleep(0.2)
        assert name not in kubectl.run("get", "pods", "-n", "default", "--no-headers")

    @pytest.mark.parametrize(("query", "field"), [("gracePeriod=x", "gracePeriod"), ("gracePeriod=-1", "gracePeriod"),
                                                  ("gracePeriod=1.5", "gracePeriod"), ("force=maybe", "force")])
    def test_bad_parameters_are_400_naming_the_field(self, api: Any, sim_cluster: Any, kubectl: Any,
                                                     query: str, field: str) -> None:
        name = first_pod(kubectl)["metadata"]["name"]
        body = assert_envelope(api(Role.OPERATOR).delete(pod_url(sim_cluster, "default", name) + "?" + query), 400)
        assert field in body["data"]["errors"] and body["message"].startswith(field)
        assert name in kubectl.run("get", "pods", "-n", "default", "--no-headers")

    def test_unknown_pod_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).delete(pod_url(sim_cluster, "default", "ghost")), 404)
        assert "ghost" in body["message"]

    def test_viewer_cannot_delete(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        name = first_pod(kubectl)["metadata"]["name"]
        body = assert_envelope(api(Role.VIEWER).delete(pod_url(sim_cluster, "default", name) + "?force=true"), 403)
        assert "operator" in body["message"]
        assert name in kubectl.run("get", "pods", "-n", "default", "--no-headers")
