"""HorizontalPodAutoscalers (autoscaling/v2): the shaper, the API against kubesim, and a cluster without the group."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from resources.shapes.autoscaling import hpa_detail, hpa_item
from tests.resources.kinds_support import Kubectl, assert_envelope, detail, kubectl_names, listed, url

HPA = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "api", "namespace": "shop", "creationTimestamp": "2026-11-30T09:00:00Z"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
        "minReplicas": 2, "maxReplicas": 6,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                         "averageUtilization": 80}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                            "averageValue": "200Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "requests_per_second"},
                                      "target": {"type": "AverageValue", "averageValue": "1k"}}},
            {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1",
                                                              "kind": "Ingress", "name": "shop"},
                                          "metric": {"name": "requests"},
                                          "target": {"type": "Value", "value": "10k"}}},
            {"type": "External", "external": {"metric": {"name": "queue_depth"},
                                              "target": {"type": "AverageValue", "averageValue": "30"}}},
        ],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
    },
    "status": {
        "currentReplicas": 6, "desiredReplicas": 6, "lastScaleTime": "2026-11-30T09:30:00Z",
        # in another order than the spec, and the External metric not measured yet
        "currentMetrics": [
            {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1",
                                                              "kind": "Ingress", "name": "shop"},
                                          "metric": {"name": "requests"}, "current": {"value": "12k"}}},
            {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "150Mi",
                                                                             "averageUtilization": 40}}},
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "700m",
                                                                          "averageUtilization": 112}}},
            {"type": "Pods", "pods": {"metric": {"name": "requests_per_second"}, "current": {"averageValue": "1500m"}}},
        ],
        "conditions": [
            {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale",
             "lastTransitionTime": "2026-11-30T09:00:10Z"},
            {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas",
             "message": "the desired replica count is more than the maximum replica count",
             "lastTransitionTime": "2026-11-30T09:30:00Z"},
        ],
    },
}


def test_hpa_item_shape() -> None:
    item = hpa_item(HPA)
    assert item["target"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}
    assert (item["minReplicas"], item["maxReplicas"], item["currentReplicas"], item["desiredReplicas"]) == (2, 6, 6, 6)
    assert item["atMax"] is True and item["lastScaleTime"] == "2026-11-30T09:30:00Z"
    assert [(m["type"], m["name"], m["targetType"], m["current"], m["target"]) for m in item["metrics"]] == [
        ("Resource", "cpu", "Utilization", "112%", "80%"),
        ("Resource", "memory", "AverageValue", "150Mi", "200Mi"),
        ("Pods", "requests_per_second", "AverageValue", "1500m", "1k"),
        ("Object", "requests", "Value", "12k", "10k"),
        ("External", "queue_depth", "AverageValue", None, "30"),
    ]
    assert item["metrics"][3]["describedObject"] == "Ingress/shop"
    assert [(c["type"], c["reason"]) for c in item["conditions"]] == [("AbleToScale", "ReadyForNewScale"),
                                                                       ("ScalingLimited", "TooManyReplicas")]
    assert hpa_detail(HPA)["behavior"] == {"scaleDown": {"stabilizationWindowSeconds": 300}}


def test_a_new_autoscaler_has_no_status_yet() -> None:
    item = hpa_item({"metadata": {"name": "n", "namespace": "d"},
                     "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "n"}, "maxReplicas": 3}})
    assert item["minReplicas"] == 1 and item["currentReplicas"] is None and item["atMax"] is False
    assert item["metrics"] == [] and item["conditions"] == []


@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(kubesim, tmp_path)


def test_list_matches_kubectl(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    items = listed(client, sim_cluster, "horizontalpodautoscalers")
    assert [(i["namespace"], i["name"]) for i in items] == kubectl_names(kubectl, "horizontalpodautoscalers", "-A")
    raw = {(i["metadata"]["namespace"], i["metadata"]["name"]): i
           for i in kubectl.json("get", "horizontalpodautoscalers.v2.autoscaling", "-A")["items"]}
    for item in items:
        status = raw[(item["namespace"], item["name"])].get("status") or {}
        assert item["currentReplicas"] == status.get("currentReplicas")
        assert item["desiredReplicas"] == status.get("desiredReplicas")
    web = {i["name"]: i for i in items if i["namespace"] == "shop"}["web"]
    assert web["target"]["name"] == "web" and web["maxReplicas"] == 4
    assert web["metrics"][0]["target"] == "70%"


def test_at_max_filter_and_detail(api: Any, sim_cluster: Any) -> None:
    client = api(Role.VIEWER)
    at_max = listed(client, sim_cluster, "horizontalpodautoscalers", atMax="true")
    assert ("shop", "web") in {(i["namespace"], i["name"]) for i in at_max}
    assert all(i["atMax"] and i["currentReplicas"] >= i["maxReplicas"] for i in at_max)
    others = listed(client, sim_cluster, "horizontalpodautoscalers", atMax="false")
    assert others and not any(i["atMax"] for i in others)
    web = detail(client, sim_cluster, "horizontalpodautoscalers", "shop", "web")
    assert web["atMax"] and web["conditions"] and web["behavior"]
    assert_envelope(client.get(url(sim_cluster, "horizontalpodautoscalers"), {"atMax": "maybe"}), 400)


def test_a_cluster_without_autoscaling_v2_lists_nothing_and_says_so(api: Any) -> None:
    """An API server that serves no autoscaling/v2 (404 on its URLs): an empty list and a message, never a 500."""
    from tests.clusters.helpers import token_cluster
    from tests.kube.faults import JsonServer

    namespace = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "shop"}}
    with JsonServer({"/api/v1/namespaces/shop": namespace}) as server:
        cluster = token_cluster("old-cluster", server.url)
        client = api(Role.VIEWER)
        for path in (url(cluster, "horizontalpodautoscalers"), url(cluster, "horizontalpodautoscalers", "shop")):
            body = assert_envelope(client.get(path), 200)
            assert body["data"] == {"items": [], "total": 0, "page": 1, "pageSize": 20}
            assert "does not serve autoscaling/v2" in body["message"]
