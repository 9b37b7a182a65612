"""GET /api/clusters/:id/pods against the simulated demo fleet, with kubectl as the oracle."""
from __future__ import annotations

from typing import Any

import pytest

from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.pods.helpers import all_pages, pods_url

ITEM_KEYS = {"name", "namespace", "status", "phase", "nodeName", "podIP", "hostIP", "restarts", "containers",
             "createdAt"}
CONTAINER_KEYS = {"name", "image", "ready", "restartCount"}


class TestPodListAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/pods"
    min_role = Role.VIEWER


@pytest.mark.django_db
class TestPodList:
    def test_status_column_matches_kubectl_pod_for_pod(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        """THE comparison: our `status` is kubectl's STATUS for every pod of the demo fleet.

        The sim's clock moves, so a pod may legitimately change between two reads: ours must equal what
        kubectl printed just before or just after our request.
        """
        before = kubectl.pod_statuses()
        ours = {(p["namespace"], p["name"]): p["status"] for p in all_pages(api(Role.VIEWER), pods_url(sim_cluster))}
        after = kubectl.pod_statuses()
        assert len(before) > 10
        assert set(before) & set(after) <= set(ours) <= set(before) | set(after)
        mismatches = {key: (before.get(key), status, after.get(key)) for key, status in ours.items()
                      if status not in (before.get(key), after.get(key))}
        assert not mismatches, mismatches
        # the demo fleet shows the statuses an operator meets, so the port's branches are really exercised
        seen = set(before.values())
        assert {"Running", "Completed", "CrashLoopBackOff"} <= seen, seen
        assert any(s.startswith("Init:") for s in seen), seen

    def test_items_are_the_seed_shape(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pods_url(sim_cluster), {"pageSize": 100}), 200)
        items = assert_page(body)
        assert items
        for item in items:
            assert set(item) == ITEM_KEYS, item
            assert item["createdAt"].endswith("Z") and "T" in item["createdAt"]
            assert isinstance(item["restarts"], int)
            for container in item["containers"]:
                assert set(container) == CONTAINER_KEYS
            assert item["restarts"] == sum(c["restartCount"] for c in item["containers"])

    def test_fields_match_the_cluster(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        pods = kubectl.json("get", "pods", "-A")["items"]
        raw = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in pods}
        for item in all_pages(api(Role.VIEWER), pods_url(sim_cluster)):
            pod = raw.get((item["namespace"], item["name"]))
            if pod is None:  # created after kubectl listed
                continue
            assert item["phase"] == pod["status"].get("phase")
            assert item["nodeName"] == pod["spec"].get("nodeName")
            assert item["podIP"] == pod["status"].get("podIP")
            assert item["hostIP"] == pod["status"].get("hostIP")
            assert [c["name"] for c in item["containers"]] == [c["name"] for c in pod["spec"]["containers"]]
            assert [c["image"] for c in item["containers"]] == [c["image"] for c in pod["spec"]["containers"]]

    def test_sorted_by_namespace_then_name(self, api: Any, sim_cluster: Any) -> None:
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster))
        keys = [(i["namespace"], i["name"]) for i in items]
        assert keys == sorted(keys)

    def test_pagination(self, api: Any, sim_cluster: Any) -> None:
        client = api(Role.VIEWER)
        everything = all_pages(client, pods_url(sim_cluster))
        body = assert_envelope(client.get(pods_url(sim_cluster), {"page": 2, "pageSize": 3}), 200)
        assert body["data"]["page"] == 2 and body["data"]["pageSize"] == 3
        assert body["data"]["total"] == len(everything)
        assert [i["name"] for i in body["data"]["items"]] == [i["name"] for i in everything[3:6]]
        past = assert_envelope(client.get(pods_url(sim_cluster), {"page": 999}), 200)
        assert past["data"]["items"] == [] and past["data"]["total"] == len(everything)

    @pytest.mark.parametrize("params", [{"page": 0}, {"pageSize": "abc"}, {"pageSize": 1000}])
    def test_bad_pagination_is_400(self, api: Any, sim_cluster: Any, params: dict) -> None:
        assert_envelope(api(Role.VIEWER).get(pods_url(sim_cluster), params), 400)

    def test_namespace_filter(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        expected = {p["metadata"]["name"] for p in kubectl.json("get", "pods", "-n", "kube-system")["items"]}
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster), namespace="kube-system")
        assert items and {i["namespace"] for i in items} == {"kube-system"}
        assert {i["name"] for i in items} == expected

    def test_unknown_namespace_is_404_naming_it(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pods_url(sim_cluster), {"namespace": "no-such-ns"}), 404)
        assert "no-such-ns" in body["message"] and "Namespace" in body["message"]

    def test_node_filter(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        node = kubectl.json("get", "nodes")["items"][-1]["metadata"]["name"]
        expected = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in
                    kubectl.json("get", "pods", "-A", "--field-selector", f"spec.nodeName={node}")["items"]}
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster), nodeName=node)
        assert expected, "the demo fleet has pods on every node"
        assert {(i["namespace"], i["name"]) for i in items} == expected
        assert {i["nodeName"] for i in items} == {node}

    def test_status_filter_matches_status_any_case(self, api: Any, sim_cluster: Any) -> None:
        client = api(Role.VIEWER)
        everything = all_pages(client, pods_url(sim_cluster))
        crashing = {i["name"] for i in everything if i["status"] == "CrashLoopBackOff"}
        assert crashing
        items = all_pages(client, pods_url(sim_cluster), status="crashloopbackoff")
        assert items and all(i["status"] == "CrashLoopBackOff" for i in items)
        assert {i["name"] for i in items} & crashing

    def test_status_filter_matches_phase(self, api: Any, sim_cluster: Any) -> None:
        """`pending` finds pods whose STATUS says something else (ContainerCreating, Init:0/1, ...)."""
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster), status="PENDING")
        assert items
        assert all("pending" in (i["phase"].lower(), i["status"].lower()) for i in items)
        assert any(i["status"] != "Pending" for i in items), [i["status"] for i in items]

    def test_search_is_a_case_insensitive_name_substring(self, api: Any, sim_cluster: Any) -> None:
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster), search="NGINX")
        assert items and all("nginx" in i["name"].lower() for i in items)

    def test_filters_combine(self, api: Any, sim_cluster: Any) -> None:
        items = all_pages(api(Role.VIEWER), pods_url(sim_cluster), namespace="default", search="nginx",
                          status="running")
        assert items
        assert all(i["namespace"] == "default" and "nginx" in i["name"] and i["status"] == "Running" for i in items)

    def test_unknown_cluster_is_404(self, api: Any, db: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get("/api/clusters/999999/pods"), 404)
        assert "999999" in body["message"]

    def test_non_numeric_cluster_is_404(self, api: Any, db: Any) -> None:
        assert_envelope(api(Role.VIEWER).get("/api/clusters/abc/pods"), 404)
