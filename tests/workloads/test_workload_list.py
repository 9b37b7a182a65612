"""GET /api/clusters/:id/workloads against the simulated demo fleet, with kubectl as the oracle."""
from __future__ import annotations

from typing import Any

import pytest

from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.pods.helpers import all_pages

ITEM_KEYS = {"kind", "name", "namespace", "replicas", "readyReplicas", "availableReplicas", "images", "labels",
             "status", "createdAt"}
KUBECTL_KINDS = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets",
                 "Job": "jobs", "CronJob": "cronjobs"}


def url(cluster: Any) -> str:
    return f"/api/clusters/{cluster.pk}/workloads"


def kubectl_workloads(kubectl: Any, *args: str) -> set[tuple[str, str, str]]:
    found = set()
    for kind, plural in KUBECTL_KINDS.items():
        for obj in kubectl.json("get", plural, *args)["items"]:
            found.add((kind, obj["metadata"]["namespace"], obj["metadata"]["name"]))
    return found


class TestWorkloadListAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/workloads"
    min_role = Role.VIEWER


@pytest.mark.django_db
class TestWorkloadList:
    def test_every_kind_as_kubectl_lists_them(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        items = all_pages(api(Role.VIEWER), url(sim_cluster))
        ours = {(i["kind"], i["namespace"], i["name"]) for i in items}
        assert ours == kubectl_workloads(kubectl, "-A")
        assert {i["kind"] for i in items} == set(KUBECTL_KINDS)

    def test_item_shape(self, api: Any, sim_cluster: Any) -> None:
        items = assert_page(assert_envelope(api(Role.VIEWER).get(url(sim_cluster), {"pageSize": 100}), 200))
        for item in items:
            assert set(item) == ITEM_KEYS
            assert isinstance(item["images"], list) and item["images"]
            assert item["createdAt"].endswith("Z")
            assert all(isinstance(item[k], int) for k in ("replicas", "readyReplicas", "availableReplicas"))

    def test_nginx_deployment(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        deploy = kubectl.json("get", "deployment", "nginx", "-n", "default")
        items = all_pages(api(Role.VIEWER), url(sim_cluster), namespace="default", type="deployment", search="nginx")
        nginx = next(i for i in items if i["name"] == "nginx")
        assert nginx["kind"] == "Deployment" and nginx["replicas"] == deploy["spec"]["replicas"] == 3
        assert nginx["readyReplicas"] == deploy["status"].get("readyReplicas", 0)
        assert nginx["availableReplicas"] == deploy["status"].get("availableReplicas", 0)
        assert nginx["images"] == [c["image"] for c in deploy["spec"]["template"]["spec"]["containers"]]
        assert nginx["labels"] == deploy["metadata"].get("labels", {})
        expected = "Available" if deploy["status"].get("availableReplicas", 0) >= 3 else nginx["status"]
        assert nginx["status"] == expected and nginx["status"] in ("Available", "Progressing")

    def test_job_status_is_kubectls(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        """kubectl prints a STATUS column for jobs; ours says the same word."""
        out = kubectl.run("get", "jobs", "-A", "--no-headers")
        theirs = {(line.split()[0], line.split()[1]): line.split()[2] for line in out.splitlines() if line.strip()}
        items = all_pages(api(Role.VIEWER), url(sim_cluster), type="job")
        assert items
        for item in items:
            assert item["status"] == theirs[(item["namespace"], item["name"])], item

    def test_cronjob_status(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        cronjobs = kubectl.json("get", "cronjobs", "-A")["items"]
        raw = {(c["metadata"]["namespace"], c["metadata"]["name"]): c for c in cronjobs}
        for item in all_pages(api(Role.VIEWER), url(sim_cluster), type="cronjob"):
            cron = raw[(item["namespace"], item["name"])]
            if cron["spec"].get("suspend"):
                assert item["status"] == "Suspended"
            else:
                assert item["status"] in ("Active", "Scheduled")

    def test_sorted_by_namespace_then_name(self, api: Any, sim_cluster: Any) -> None:
        items = all_pages(api(Role.VIEWER), url(sim_cluster))
        keys = [(i["namespace"], i["name"]) for i in items]
        assert keys == sorted(keys)

    @pytest.mark.parametrize(("value", "kinds"), [
        ("deployment", {"Deployment"}),
        ("Job,CronJob", {"Job", "CronJob"}),
        ("statefulsets, daemonsets", {"StatefulSet", "DaemonSet"}),
    ])
    def test_type_filter(self, api: Any, sim_cluster: Any, value: str, kinds: set[str]) -> None:
        items = all_pages(api(Role.VIEWER), url(sim_cluster), type=value)
        assert items and {i["kind"] for i in items} == kinds

    def test_unknown_type_is_400_listing_the_valid_ones(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster), {"type": "deployment,pod"}), 400)
        assert "type" in body["data"]["errors"] and body["message"].startswith("type")
        for kind in ("deployment", "statefulset", "daemonset", "job", "cronjob"):
            assert kind in body["message"]
        assert "'pod'" in body["message"]

    def test_namespace_filter(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        items = all_pages(api(Role.VIEWER), url(sim_cluster), namespace="default")
        assert {(i["kind"], i["namespace"], i["name"]) for i in items} == kubectl_workloads(kubectl, "-n", "default")

    def test_unknown_namespace_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster), {"namespace": "atlantis"}), 404)
        assert "Namespace 'atlantis'" in body["message"]

    def test_search(self, api: Any, sim_cluster: Any) -> None:
        items = all_pages(api(Role.VIEWER), url(sim_cluster), search="NGI")
        assert items and all("ngi" in i["name"].lower() for i in items)
        assert "nginx" in [i["name"] for i in items]

    def test_pagination(self, api: Any, sim_cluster: Any) -> None:
        client = api(Role.VIEWER)
        everything = all_pages(client, url(sim_cluster))
        body = assert_envelope(client.get(url(sim_cluster), {"page": 2, "pageSize": 2}), 200)
        assert body["data"]["total"] == len(everything)
        assert body["data"]["items"] == everything[2:4]
        assert_envelope(client.get(url(sim_cluster), {"page": "x"}), 400)

    def test_unknown_cluster_is_404(self, api: Any, db: Any) -> None:
        assert_envelope(api(Role.VIEWER).get("/api/clusters/31337/workloads"), 404)
