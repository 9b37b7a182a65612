"""Nodes (contract §4) against the simulated cluster over HTTPS: list, detail, cordon, uncordon."""
from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.nodes import shapes
from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.clusters.helpers import live_pods_per_node, register_through_api

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {"name", "status", "roles", "unschedulable", "internalIP", "kubeletVersion", "osImage",
               "kernelVersion", "containerRuntime", "architecture", "capacity", "allocatable", "podCount",
               "taints", "labels", "createdAt"}


class TestNodeListAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/nodes"
    min_role = Role.VIEWER


class TestNodeDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/nodes/worker-1"
    min_role = Role.VIEWER


class TestCordonAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/nodes/worker-1/cordon"
    method = "post"
    min_role = Role.OPERATOR


class TestUncordonAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/nodes/worker-1/uncordon"
    method = "post"
    min_role = Role.OPERATOR


class TestDrainAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/nodes/worker-1/drain"
    method = "post"
    body = {"dryRun": True}
    min_role = Role.OPERATOR


def test_list_matches_the_cluster(admin_api: APIClient, api: Any, kubesim: Any) -> None:
    cluster_id = register_through_api(admin_api, kubesim)
    before = live_pods_per_node(kubesim)
    body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster_id}/nodes"), 200)
    after = live_pods_per_node(kubesim)
    items = assert_page(body)
    nodes = {n["metadata"]["name"]: n for n in kubesim.store.list("nodes")}
    assert [item["name"] for item in items] == sorted(nodes)
    assert body["data"]["total"] == len(nodes)
    for item in items:
        node = nodes[item["name"]]
        assert set(item) == ITEM_FIELDS
        assert item["podCount"] in (before.get(item["name"], 0), after.get(item["name"], 0))
        ready = next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert item["status"] == ("Ready" if ready == "True" else "NotReady")
        assert item["internalIP"] == next(a["address"] for a in node["status"]["addresses"]
                                          if a["type"] == "InternalIP")
        assert item["kubeletVersion"] == node["status"]["nodeInfo"]["kubeletVersion"]
        assert item["containerRuntime"] == node["status"]["nodeInfo"]["containerRuntimeVersion"]
        assert item["capacity"] == {k: node["status"]["capacity"][k] for k in ("cpu", "memory", "pods")}
        assert item["allocatable"] == {k: node["status"]["allocatable"][k] for k in ("cpu", "memory", "pods")}
        assert item["labels"] == node["metadata"]["labels"]
        assert item["createdAt"].endswith("Z") and "." not in item["createdAt"]
        assert [t["key"] for t in item["taints"]] == [t["key"] for t in node["spec"].get("taints") or []]
        expected_roles = sorted(k.split("/", 1)[1] for k in node["metadata"]["labels"]
                                if k.startswith("node-role.kubernetes.io/"))
        assert item["roles"] == expected_roles
    assert any(item["roles"] == ["control-plane"] and item["taints"] for item in items)
    assert {item["status"] for item in items} == {"Ready", "NotReady"}


def test_list_filters_and_pages(admin_api: APIClient, kubesim: Any) -> None:
    cluster_id = register_through_api(admin_api, kubesim)
    url = f"/api/clusters/{cluster_id}/nodes"
    everything = assert_page(assert_envelope(admin_api.get(url), 200))
    not_ready = assert_page(assert_envelope(admin_api.get(f"{url}?status=NotReady"), 200))
    ready = assert_page(assert_envelope(admin_api.get(f"{url}?status=ready"), 200))
    assert not_ready and all(n["status"] == "NotReady" for n in not_ready)
    assert ready and all(n["status"] == "Ready" for n in ready)
    assert len(ready) + len(not_ready) == len(everything)
    bad = assert_envelope(admin_api.get(f"{url}?status=Sleepy"), 400)
    assert "status" in bad["message"]

    needle = everything[-1]["name"][-3:].upper()
    found = assert_page(assert_envelope(admin_api.get(f"{url}?search={needle}"), 200))
    assert found and all(needle.lower() in n["name"].lower() for n in found)
    assert assert_page(assert_envelope(admin_api.get(f"{url}?search=no-such-node-xyz"), 200)) == []

    page = assert_envelope(admin_api.get(f"{url}?pageSize=2&page=2"), 200)["data"]
    assert [n["name"] for n in page["items"]] == [n["name"] for n in everything[2:4]]
    assert page["total"] == len(everything) and page["pageSize"] == 2
    assert_envelope(admin_api.get(f"{url}?pageSize=abc"), 400)


def test_pod_counts_come_from_one_pod_list(admin_api: APIClient, kubesim: Any, monkeypatch: Any,
                                          settings: Any) -> None:
    """A spy on the gateway (the real client still answers): one pod list, whatever the number of nodes.

    The direct read's own behaviour, so the watch cache is off (tests/kube/test_cache.py covers the cached counts).
    """
    from clusters.nodes import selectors

    settings.KUBE_WATCH_CACHE = False

    calls: list[tuple[str, dict[str, str]]] = []
    real_get_json = selectors.gateway.get_json

    def spy(cluster: Any, path: str, **kwargs: Any) -> Any:
        calls.append((path, kwargs.get("query") or {}))
        return real_get_json(cluster, path, **kwargs)

    monkeypatch.setattr(selectors.gateway, "get_json", spy)
    cluster_id = register_through_api(admin_api, kubesim)
    items = assert_page(assert_envelope(admin_api.get(f"/api/clusters/{cluster_id}/nodes"), 200))
    assert len(items) > 1
    assert [path for path, _ in calls] == ["/api/v1/nodes", "/api/v1/pods"]
    assert "status.phase!=Succeeded" in calls[1][1]["fieldSelector"]


def test_detail(admin_api: APIClient, api: Any, kubesim: Any) -> None:
    cluster_id = register_through_api(admin_api, kubesim)
    name = "worker-1"
    node = kubesim.store.get("nodes", "", name)
    assert node is not None, "the demo fleet has worker-1"
    detail = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster_id}/nodes/{name}"), 200)["data"]
    assert set(detail) == ITEM_FIELDS | {"conditions", "addresses", "annotations", "pods"}
    assert [c["type"] for c in detail["conditions"]] == [c["type"] for c in node["status"]["conditions"]]
    assert all(set(c) == {"type", "status", "reason", "message", "lastTransitionTime"} for c in detail["conditions"])
    assert all(c["lastTransitionTime"].endswith("Z") for c in detail["conditions"])
    assert detail["addresses"] == node["status"]["addresses"]
    assert detail["annotations"] == node["metadata"]["annotations"]
    on_node = sorted((p["metadata"]["namespace"], p["metadata"]["name"]) for p in kubesim.store.list("pods")
                     if p["spec"].get("nodeName") == name)
    assert [(p["namespace"], p["name"]) for p in detail["pods"]] == on_node
    assert detail["podCount"] == sum(1 for p in detail["pods"] if p["phase"] not in ("Succeeded", "Failed"))

    missing = assert_envelope(admin_api.get(f"/api/clusters/{cluster_id}/nodes/no-such-node"), 404)
    assert "no-such-node" in missing["message"] and "sim" in missing["message"]


def test_cordon_and_uncordon_are_idempotent(admin_api: APIClient, api: Any, fresh_kubesim: Any) -> None:
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    operator = api(Role.OPERATOR)
    url = f"/api/clusters/{cluster_id}/nodes/worker-2"
    for _ in range(2):
        body = assert_envelope(operator.post(f"{url}/cordon"), 200)
        assert body["data"]["unschedulable"] is True and body["data"]["name"] == "worker-2"
        assert sim.store.get("nodes", "", "worker-2")["spec"].get("unschedulable") is True
    listed = assert_page(assert_envelope(operator.get(f"/api/clusters/{cluster_id}/nodes?search=worker-2"), 200))
    assert listed[0]["unschedulable"] is True
    for _ in range(2):
        body = assert_envelope(operator.post(f"{url}/uncordon"), 200)
        assert body["data"]["unschedulable"] is False
        assert not sim.store.get("nodes", "", "worker-2")["spec"].get("unschedulable")
    assert_envelope(operator.post(f"/api/clusters/{cluster_id}/nodes/ghost/cordon"), 404)
    viewer = assert_envelope(api(Role.VIEWER).post(f"{url}/cordon"), 403)
    assert "operator" in viewer["message"]


@pytest.mark.parametrize(("labels", "roles"), [
    ({"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": ""}, ["control-plane", "master"]),
    ({"kubernetes.io/role": "worker"}, ["worker"]),
    ({"kubernetes.io/role": "", "node-role.kubernetes.io/": "x"}, []),
    ({"node-role.kubernetes.io/infra": "", "kubernetes.io/role": "infra"}, ["infra"]),
])
def test_roles_like_kubectl(labels: dict[str, str], roles: list[str]) -> None:
    assert shapes.node_roles(labels) == roles
