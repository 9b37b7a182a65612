"""Error translation against the simulated cluster over real HTTPS: Kubernetes' answers → our hierarchy."""
from __future__ import annotations

import base64
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from common import errors
from common.permissions import Role
from kube import gateway
from tests.api_mixins import assert_envelope
from tests.clusters.helpers import encoded_kubeconfig, register_through_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_record(admin_api: APIClient, kubesim: Any) -> Cluster:
    return Cluster.objects.get(pk=register_through_api(admin_api, kubesim, name="demo-sim"))


def test_unknown_object_is_404_naming_it(sim_record: Cluster) -> None:
    with pytest.raises(errors.NotFound) as caught:
        gateway.core_v1(sim_record).read_namespaced_pod("no-such-pod", "default")
    assert "no-such-pod" in caught.value.message and "demo-sim" in caught.value.message


def test_conflict_is_409(sim_record: Cluster) -> None:
    with pytest.raises(errors.Conflict) as caught:
        gateway.core_v1(sim_record).create_namespace({"metadata": {"name": "default"}})
    assert caught.value.status_code == 409 and "already exists" in caught.value.message


def test_invalid_object_422_is_400_with_kubernetes_words(sim_record: Cluster) -> None:
    both = {"metadata": {"name": "bad-pdb"},
            "spec": {"minAvailable": 1, "maxUnavailable": 1, "selector": {"matchLabels": {"app": "x"}}}}
    with pytest.raises(errors.InvalidRequest) as caught:
        gateway.policy_v1(sim_record).create_namespaced_pod_disruption_budget("default", both)
    assert caught.value.status_code == 400
    assert "minAvailable" in caught.value.message and "demo-sim" in caught.value.message


def test_bad_request_400_is_400(sim_record: Cluster) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        gateway.core_v1(sim_record).list_pod_for_all_namespaces(field_selector="spec.colour=blue")
    assert "field label not supported" in caught.value.message


def test_connection_test_on_the_sim(admin_api: APIClient, sim_record: Cluster, kubesim: Any) -> None:
    body = assert_envelope(admin_api.post(f"/api/clusters/{sim_record.pk}/test"), 200)
    data = body["data"]
    assert data["connected"] is True and data["nodeCount"] == len(kubesim.store.list("nodes"))
    assert data["version"].startswith("v1.") and data["latencyMs"] >= 0
    assert kubesim.token not in body["message"] + str(data)
    detail = assert_envelope(admin_api.get(f"/api/clusters/{sim_record.pk}"), 200)["data"]
    assert (detail["status"], detail["version"], detail["nodeCount"]) == ("connected", data["version"],
                                                                          data["nodeCount"])


def test_wrong_token_is_502_never_401_and_a_fixed_token_works_at_once(admin_api: APIClient, api: Any,
                                                                    kubesim: Any) -> None:
    response = admin_api.post("/api/clusters", {"name": "wrong-token", "apiServer": kubesim.url,
                                                "token": "not-the-right-token",
                                                "caData": base64.b64encode(kubesim.ca_pem).decode()}, format="json")
    cluster_id = assert_envelope(response, 201)["data"]["id"]
    viewer = api(Role.VIEWER)
    body = assert_envelope(viewer.get(f"/api/clusters/{cluster_id}/nodes"), 502)
    assert "wrong-token" in body["message"] and "rejected the stored credentials" in body["message"]
    assert "not-the-right-token" not in str(body)
    tested = assert_envelope(admin_api.post(f"/api/clusters/{cluster_id}/test"), 200)["data"]
    assert tested["connected"] is False and "rejected" in tested["message"]
    assert Cluster.objects.get(pk=cluster_id).status == "unreachable"

    assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {"token": kubesim.token,
                                                                   "caData": base64.b64encode(kubesim.ca_pem).decode()},
                                  format="json"), 200)
    assert_envelope(viewer.get(f"/api/clusters/{cluster_id}/nodes"), 200)


def test_wrong_ca_is_a_502_tls_failure(admin_api: APIClient, api: Any, kubesim: Any, unrelated_ca: bytes) -> None:
    config = kubesim.kubeconfig()
    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(unrelated_ca).decode()
    cluster_id = assert_envelope(admin_api.post("/api/clusters", {"name": "wrong-ca",
                                                                  "kubeConfig": encoded_kubeconfig(config)},
                                                format="json"), 201)["data"]["id"]
    body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster_id}/nodes"), 502)
    assert "wrong-ca" in body["message"] and "TLS" in body["message"]


def test_get_json_translates_errors_and_asks_for_tables(sim_record: Cluster) -> None:
    with pytest.raises(errors.NotFound) as caught:
        gateway.get_json(sim_record, "/api/v1/nodes/no-such-node")
    assert "no-such-node" in caught.value.message and "demo-sim" in caught.value.message
    table = gateway.get_json(sim_record, "/api/v1/nodes", query={"includeObject": "None"},
                             accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert table["kind"] == "Table" and table["rows"] and table["rows"][0].get("object") is None


def test_pod_counts_without_server_side_tables(api: Any) -> None:
    """A server that ignores the Table request answers a plain pod list; the counts are the same."""
    from tests.clusters.helpers import token_cluster
    from tests.kube.faults import JsonServer

    def pod(name: str, node: str | None, phase: str) -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": "default"}, "spec": {"nodeName": node},
                "status": {"phase": phase}}

    node = {"metadata": {"name": "n1", "labels": {}}, "spec": {}, "status": {
        "conditions": [{"type": "Ready", "status": "True"}]}}
    routes = {"/api/v1/nodes": {"kind": "NodeList", "items": [node]},
              "/api/v1/pods": {"kind": "PodList", "items": [pod("a", "n1", "Running"), pod("b", "n1", "Pending"),
                                                             pod("c", None, "Pending")]}}
    with JsonServer(routes) as server:
        cluster = token_cluster("plain", server.url)
        items = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 200)["data"]["items"]
    assert [(n["name"], n["podCount"], n["status"]) for n in items] == [("n1", 2, "Ready")]
