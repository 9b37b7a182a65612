"""Services: the shaper on raw objects, then the API over real HTTP against kubesim, kubectl as the oracle."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from resources.shapes.network import endpoint_rows, service_detail, service_item, with_endpoints
from tests.resources.kinds_support import Kubectl, assert_envelope, detail, kubectl_names, listed, url

LB_SERVICE = {
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop", "uid": "7b0c", "resourceVersion": "812",
                 "creationTimestamp": "2026-11-30T08:00:00Z", "labels": {"app": "web"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}", "team": "shop"}},
    "spec": {"type": "LoadBalancer", "clusterIP": "10.96.14.2", "clusterIPs": ["10.96.14.2"],
             "externalIPs": ["198.51.100.7"], "ipFamilies": ["IPv4"], "sessionAffinity": "None",
             "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster", "selector": {"app": "web"},
             "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 31380},
                       {"protocol": "TCP", "port": 443, "targetPort": 8443, "nodePort": 31443}]},
    "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10", "ipMode": "VIP"},
                                            {"hostname": "lb.example.com"}]}},
}


def _endpoint(ip: str, pod: str, ready: bool | None, terminating: bool = False) -> dict[str, Any]:
    conditions: dict[str, Any] = {"serving": ready is not False, "terminating": terminating}
    if ready is not None:
        conditions["ready"] = ready
    return {"addresses": [ip], "conditions": conditions, "nodeName": "node-1",
            "targetRef": {"kind": "Pod", "namespace": "shop", "name": pod, "uid": f"uid-{pod}"}}


def _slice(name: str, address_type: str, *endpoints: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": address_type,
            "metadata": {"name": name, "namespace": "shop",
                         "labels": {"kubernetes.io/service-name": "web",
                                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}], "endpoints": list(endpoints)}


# --- the shaper ----------------------------------------------------------------------------------

def test_service_item_shape() -> None:
    item = service_item(LB_SERVICE)
    assert item == {
        "name": "web", "namespace": "shop", "labels": {"app": "web"}, "createdAt": "2026-11-30T08:00:00Z",
        "type": "LoadBalancer", "clusterIP": "10.96.14.2", "externalIPs": ["198.51.100.7"],
        "loadBalancerIngress": ["203.0.113.10", "lb.example.com"], "externalName": None,
        "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 31380},
                  {"name": None, "protocol": "TCP", "port": 443, "targetPort": 8443, "nodePort": 31443}],
        "selector": {"app": "web"}, "readyEndpoints": None, "notReadyEndpoints": None,
    }


def test_service_detail_hides_last_applied_and_lists_endpoints() -> None:
    slices = [_slice("web-abc", "IPv4", _endpoint("10.244.1.5", "web-1", True), _endpoint("10.244.2.7", "web-2", None),
                     _endpoint("10.244.3.9", "web-3", False), _endpoint("10.244.1.6", "web-0", False, True))]
    out = with_endpoints(service_detail(LB_SERVICE), slices)
    assert out["annotations"] == {"team": "shop"} and out["uid"] == "7b0c" and out["resourceVersion"] == "812"
    # ready absent = unknown = ready (the API's advice); terminating is never ready
    assert (out["readyEndpoints"], out["notReadyEndpoints"]) == (2, 2)
    assert [(e["targetName"], e["ready"], e["terminating"]) for e in out["endpoints"]] == [
        ("web-0", False, True), ("web-1", True, False), ("web-2", True, False), ("web-3", False, False)]


def test_dual_stack_slices_count_each_pod_once() -> None:
    v4 = _slice("web-v4", "IPv4", _endpoint("10.244.1.5", "web-1", True), _endpoint("10.244.2.7", "web-2", False))
    v6 = _slice("web-v6", "IPv6", _endpoint("fd00::5", "web-1", True), _endpoint("fd00::7", "web-2", False))
    rows = endpoint_rows([v4, v6])
    assert [(r["targetName"], r["addresses"], r["ready"]) for r in rows] == [
        ("web-1", ["10.244.1.5", "fd00::5"], True), ("web-2", ["10.244.2.7", "fd00::7"], False)]


def test_counts_stay_unknown_without_slices_or_for_external_name() -> None:
    assert with_endpoints(service_item(LB_SERVICE), None)["readyEndpoints"] is None
    assert with_endpoints(service_item(LB_SERVICE), [])["readyEndpoints"] == 0
    external = {"metadata": {"name": "db", "namespace": "data"},
                "spec": {"type": "ExternalName", "externalName": "db.example.internal"}}
    out = with_endpoints(service_item(external), [])
    assert out["externalName"] == "db.example.internal" and out["readyEndpoints"] is None


def test_shapers_leave_the_shared_item_alone() -> None:
    item = service_item(LB_SERVICE)
    with_endpoints(item, [_slice("s", "IPv4", _endpoint("10.0.0.1", "p", True))])
    assert item["readyEndpoints"] is None


# --- over HTTP, against kubesim ------------------------------------------------------------------

@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(kubesim, tmp_path)


def test_list_matches_kubectl(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    items = listed(api(Role.VIEWER), sim_cluster, "services")
    assert [(i["namespace"], i["name"]) for i in items] == kubectl_names(kubectl, "services", "-A")
    shop = listed(api(Role.VIEWER), sim_cluster, "services", "shop")
    assert [(i["namespace"], i["name"]) for i in shop] == kubectl_names(kubectl, "services", "-n", "shop")
    assert [i["name"] for i in listed(api(Role.VIEWER), sim_cluster, "services", namespace="shop")] == \
        [i["name"] for i in shop]


def _ready_counts(kubectl: Kubectl) -> dict[tuple[str, str], int]:
    """kubectl's EndpointSlices → ready backends per Service (an absent `ready` counts as ready, as the API says)."""
    ready: dict[tuple[str, str], set[Any]] = {}
    for s in kubectl.json("get", "endpointslices", "-A")["items"]:
        service = (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name")
        backends = ready.setdefault((s["metadata"]["namespace"], service), set())
        backends.update(e["targetRef"]["name"] if e.get("targetRef") else tuple(e["addresses"])
                        for e in s.get("endpoints") or [] if (e.get("conditions") or {}).get("ready") is not False)
    return {key: len(backends) for key, backends in ready.items()}


def test_items_and_endpoint_counts(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    before = _ready_counts(kubectl)
    items = {(i["namespace"], i["name"]): i for i in listed(api(Role.VIEWER), sim_cluster, "services")}
    after = _ready_counts(kubectl)
    web = items[("shop", "web")]
    assert web["type"] == "LoadBalancer" and web["loadBalancerIngress"] == ["203.0.113.10"]
    assert web["ports"][0]["port"] == 80 and web["selector"] == {"app": "web"}
    assert items[("data", "warehouse-db")]["externalName"] == "warehouse.example.internal"
    assert items[("data", "warehouse-db")]["readyEndpoints"] is None
    assert items[("shop", "redis")]["clusterIP"] == "None"
    # kubectl's EndpointSlices are the oracle (read before and after ours: a crash-looping pod flips readiness)
    for key, item in items.items():
        if item["type"] != "ExternalName":
            assert item["readyEndpoints"] in (before.get(key, 0), after.get(key, 0)), key
    checkout = items[("shop", "checkout")]  # its pod cannot pull its image: never ready
    assert checkout["readyEndpoints"] == 0 and checkout["notReadyEndpoints"] >= 1


def test_filters(api: Any, sim_cluster: Any) -> None:
    client = api(Role.VIEWER)
    none_ready = listed(client, sim_cluster, "services", noReadyEndpoints="true")
    assert ("shop", "checkout") in {(i["namespace"], i["name"]) for i in none_ready}
    assert all(i["readyEndpoints"] == 0 for i in none_ready)
    some_ready = listed(client, sim_cluster, "services", noReadyEndpoints="false")
    assert all(i["readyEndpoints"] > 0 for i in some_ready) and some_ready
    load_balancers = listed(client, sim_cluster, "services", type="loadbalancer")
    assert [(i["namespace"], i["name"]) for i in load_balancers] == [("shop", "web")]
    assert [i["name"] for i in listed(client, sim_cluster, "services", search="CHECK")] == ["checkout"]
    labelled = listed(client, sim_cluster, "services", labelSelector="app in (web,api)")
    assert {(i["namespace"], i["name"]) for i in labelled} == {("shop", "web"), ("shop", "api")}
    body = assert_envelope(client.get(url(sim_cluster, "services"), {"type": "Balanced"}), 400)
    assert "type" in body["message"] and "LoadBalancer" in body["message"]
    assert_envelope(client.get(url(sim_cluster, "services"), {"labelSelector": "app in (web"}), 400)


def test_pages_are_sorted_by_namespace_then_name(api: Any, sim_cluster: Any) -> None:
    client = api(Role.VIEWER)
    everything = listed(client, sim_cluster, "services")
    keys = [(i["namespace"], i["name"]) for i in everything]
    assert keys == sorted(keys)
    page2 = assert_envelope(client.get(url(sim_cluster, "services"), {"page": 2, "pageSize": 3}), 200)["data"]
    assert page2["total"] == len(everything) and page2["page"] == 2 and page2["pageSize"] == 3
    assert [(i["namespace"], i["name"]) for i in page2["items"]] == keys[3:6]


def test_detail(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    web = detail(api(Role.VIEWER), sim_cluster, "services", "shop", "web")
    raw = kubectl.json("get", "service", "web", "-n", "shop")
    assert web["clusterIP"] == raw["spec"]["clusterIP"] and web["uid"] == raw["metadata"]["uid"]
    assert web["readyEndpoints"] == sum(e["ready"] for e in web["endpoints"]) > 0
    assert all(e["targetKind"] == "Pod" and e["targetName"].startswith("web-") for e in web["endpoints"])
    checkout = detail(api(Role.VIEWER), sim_cluster, "services", "shop", "checkout")
    assert checkout["endpoints"] and not any(e["ready"] for e in checkout["endpoints"])


def test_missing_objects_are_404s_naming_what_is_missing(api: Any, sim_cluster: Any) -> None:
    client = api(Role.VIEWER)
    body = assert_envelope(client.get(url(sim_cluster, "services", "shop", "nope")), 404)
    assert "Service 'nope'" in body["message"]
    body = assert_envelope(client.get(url(sim_cluster, "services", "no-such-ns")), 404)
    assert "no-such-ns" in body["message"]
    assert_envelope(client.get(url(sim_cluster, "services", "shop", "Bad_Name")), 400)
    # read-only: no write verb is routed
    operator = api(Role.OPERATOR)
    assert_envelope(operator.delete(url(sim_cluster, "services", "shop", "web")), 405)
    assert_envelope(operator.post(url(sim_cluster, "services", "shop"), {}, format="json"), 405)


def test_a_scoped_user_sees_only_the_granted_namespace(make_user: Any, sim_cluster: Any) -> None:
    from accounts.models import Grant
    from tests.conftest import bearer_client

    user = make_user(role=Role.VIEWER)
    Grant.objects.create(user=user, cluster=sim_cluster, namespace="monitoring", role=Role.VIEWER)
    client = bearer_client(user)
    body = assert_envelope(client.get(url(sim_cluster, "services"), {"pageSize": 1}), 200)["data"]
    everything = listed(client, sim_cluster, "services")
    assert body["total"] == len(everything) and {i["namespace"] for i in everything} == {"monitoring"}
    assert_envelope(client.get(url(sim_cluster, "services"), {"namespace": "shop"}), 404)
    assert_envelope(client.get(url(sim_cluster, "persistentvolumes")), 403)  # cluster-scoped: a whole-cluster grant
