"""Real responses of every endpoint, success and failure, checked against /api/schema.

Uses the in-process APIClient (and the simulated cluster for the Kubernetes-backed endpoints);
`conforms(response, method, url)` fails with every way a response departs from the document.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml

from tests.conftest import PASSWORD, register_sim


@pytest.mark.django_db
def test_auth_responses(anon_api: Any, make_user: Any, conforms: Any) -> None:
    user = make_user(role="viewer")
    body = conforms(anon_api.post("/api/auth/login", {"username": user.username, "password": PASSWORD},
                                  format="json"), "post", "/api/auth/login")
    conforms(anon_api.post("/api/auth/login", {"username": user.username, "password": "x"}, format="json"),
             "post", "/api/auth/login")
    conforms(anon_api.post("/api/auth/login", {}, format="json"), "post", "/api/auth/login")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['data']['token']}")
    conforms(anon_api.get("/api/auth/me"), "get", "/api/auth/me")
    refreshed = conforms(anon_api.post("/api/auth/refresh"), "post", "/api/auth/refresh")
    conforms(anon_api.get("/api/auth/me"), "get", "/api/auth/me")  # revoked → 401
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['data']['token']}")
    conforms(anon_api.post("/api/auth/logout"), "post", "/api/auth/logout")


@pytest.mark.django_db
def test_ws_ticket_responses(anon_api: Any, api: Any, conforms: Any) -> None:
    conforms(anon_api.post("/api/auth/ws-ticket"), "post", "/api/auth/ws-ticket")  # 401
    body = conforms(api("viewer").post("/api/auth/ws-ticket"), "post", "/api/auth/ws-ticket")
    assert set(body["data"]) == {"ticket", "expire"}


@pytest.mark.django_db
def test_user_responses(admin_api: Any, api: Any, conforms: Any) -> None:
    conforms(admin_api.get("/api/users"), "get", "/api/users")
    conforms(admin_api.get("/api/users?page=0"), "get", "/api/users")
    conforms(admin_api.get("/api/users?page=99&pageSize=5&search=zz"), "get", "/api/users")
    created = conforms(admin_api.post("/api/users", {"username": "schema-u", "password": "Sturdy-Passw0rd!",
                                                     "role": "operator"}, format="json"), "post", "/api/users")
    conforms(admin_api.post("/api/users", {"username": "schema-u", "password": "Sturdy-Passw0rd!"}, format="json"),
             "post", "/api/users")
    conforms(admin_api.post("/api/users", {"username": "x y", "password": "1"}, format="json"), "post", "/api/users")
    url = f"/api/users/{created['data']['id']}"
    conforms(admin_api.get(url), "get", url)
    conforms(admin_api.put(url, {"email": "a@example.com", "isActive": False}, format="json"), "put", url)
    conforms(admin_api.put(url, {"email": "nope"}, format="json"), "put", url)
    conforms(api("viewer").get(url), "get", url)
    conforms(admin_api.delete(url), "delete", url)
    conforms(admin_api.get(url), "get", url)
    conforms(admin_api.get("/api/users/abc"), "get", "/api/users/abc")


@pytest.mark.django_db
def test_cluster_responses(admin_api: Any, api: Any, sim_cluster: Any, kubesim: Any, conforms: Any) -> None:
    base = f"/api/clusters/{sim_cluster.id}"
    conforms(admin_api.get("/api/clusters"), "get", "/api/clusters")
    conforms(admin_api.get(base), "get", base)
    conforms(admin_api.post(f"{base}/test"), "post", f"{base}/test")
    conforms(admin_api.get(base), "get", base)  # after a test the status/version are filled in
    kubeconfig = base64.b64encode(yaml.safe_dump(kubesim.kubeconfig()).encode()).decode()
    made = conforms(admin_api.post("/api/clusters", {"name": "schema-c", "apiServer": kubesim.url,
                                                     "kubeConfig": kubeconfig}, format="json"), "post", "/api/clusters")
    conforms(admin_api.post("/api/clusters", {"name": "schema-c", "apiServer": kubesim.url,
                                              "kubeConfig": kubeconfig}, format="json"), "post", "/api/clusters")
    conforms(admin_api.post("/api/clusters", {"name": "bad", "apiServer": kubesim.url, "kubeConfig": "%%%"},
                            format="json"), "post", "/api/clusters")
    other = f"/api/clusters/{made['data']['id']}"
    conforms(admin_api.put(other, {"description": "d"}, format="json"), "put", other)
    conforms(api("viewer").delete(other), "delete", other)
    conforms(admin_api.delete(other), "delete", other)
    conforms(admin_api.get(other), "get", other)
    conforms(admin_api.get("/api/clusters/x"), "get", "/api/clusters/x")


@pytest.mark.django_db
def test_node_responses(admin_api: Any, api: Any, fresh_kubesim: Any, conforms: Any) -> None:
    cluster = register_sim(fresh_kubesim(), "nodes")
    base = f"/api/clusters/{cluster.id}/nodes"
    nodes = conforms(admin_api.get(base), "get", base)["data"]["items"]
    conforms(admin_api.get(f"{base}?status=NotReady&search=w"), "get", base)
    name = next(n["name"] for n in nodes if n["status"] == "Ready" and not n["unschedulable"])
    conforms(admin_api.get(f"{base}/{name}"), "get", f"{base}/{name}")
    conforms(admin_api.get(f"{base}/missing"), "get", f"{base}/missing")
    conforms(api("viewer").post(f"{base}/{name}/cordon"), "post", f"{base}/{name}/cordon")
    conforms(admin_api.post(f"{base}/{name}/cordon"), "post", f"{base}/{name}/cordon")
    conforms(admin_api.post(f"{base}/{name}/drain", {"dryRun": True}, format="json"), "post", f"{base}/{name}/drain")
    conforms(admin_api.post(f"{base}/{name}/drain", {"timeoutSeconds": 5, "force": True, "deleteEmptyDirData": True},
                            format="json"), "post", f"{base}/{name}/drain")
    conforms(admin_api.post(f"{base}/{name}/drain", {"timeoutSeconds": "x"}, format="json"), "post",
             f"{base}/{name}/drain")
    conforms(admin_api.post(f"{base}/{name}/uncordon"), "post", f"{base}/{name}/uncordon")


@pytest.mark.django_db
def test_workload_responses(admin_api: Any, api: Any, fresh_kubesim: Any, conforms: Any) -> None:
    cluster = register_sim(fresh_kubesim(), "workloads")
    base = f"/api/clusters/{cluster.id}"
    conforms(admin_api.get(f"{base}/workloads"), "get", f"{base}/workloads")
    for kind in ("deployment", "statefulset", "daemonset", "job", "cronjob", "bogus"):
        conforms(admin_api.get(f"{base}/workloads?type={kind}&pageSize=100"), "get", f"{base}/workloads")
    url = f"{base}/namespaces/default/deployments/nginx"
    detail = conforms(admin_api.get(url), "get", url)["data"]
    conforms(admin_api.get(f"{base}/namespaces/default/deployments/missing"), "get", url)
    conforms(admin_api.post(f"{url}/scale", {"replicas": 2}, format="json"), "post", f"{url}/scale")
    conforms(admin_api.post(f"{url}/scale", {"replicas": -1}, format="json"), "post", f"{url}/scale")
    conforms(api("viewer").post(f"{url}/scale", {"replicas": 1}, format="json"), "post", f"{url}/scale")
    conforms(admin_api.post(f"{url}/restart"), "post", f"{url}/restart")
    manifest = {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "nginx", "namespace": "default", "resourceVersion": "1"},
                "spec": {"replicas": 1, "selector": detail["selector"],
                         "template": {"metadata": {"labels": detail["selector"].get("matchLabels", {})},
                                      "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    conforms(admin_api.put(url, manifest, format="json"), "put", url)  # stale resourceVersion → 409
    manifest["metadata"].pop("resourceVersion")
    conforms(admin_api.put(url, manifest, format="json"), "put", url)
    conforms(admin_api.put(url, {"yaml": "kind: [oops"}, format="json"), "put", url)
    conforms(admin_api.delete(url), "delete", url)


@pytest.mark.django_db
def test_pod_responses(admin_api: Any, api: Any, fresh_kubesim: Any, conforms: Any) -> None:
    cluster = register_sim(fresh_kubesim(), "pods")
    base = f"/api/clusters/{cluster.id}"
    pods = conforms(admin_api.get(f"{base}/pods?pageSize=100"), "get", f"{base}/pods")["data"]["items"]
    conforms(admin_api.get(f"{base}/pods?status=Running&namespace=default&search=n"), "get", f"{base}/pods")
    conforms(admin_api.get(f"{base}/pods?pageSize=abc"), "get", f"{base}/pods")
    for pod in pods:  # every kind of pod the demo fleet has: each status, init containers, multi-container...
        url = f"{base}/namespaces/{pod['namespace']}/pods/{pod['name']}"
        conforms(admin_api.get(url), "get", url)
        conforms(admin_api.get(f"{url}/events"), "get", f"{url}/events")
        conforms(admin_api.get(f"{url}/logs?tailLines=5"), "get", f"{url}/logs")
    url = f"{base}/namespaces/{pods[0]['namespace']}/pods/{pods[0]['name']}"
    conforms(admin_api.get(f"{url}/logs?container=nope"), "get", f"{url}/logs")
    conforms(admin_api.get(f"{url}/logs?previous=true"), "get", f"{url}/logs")
    conforms(admin_api.get(f"{base}/namespaces/default/pods/missing"), "get", url)
    conforms(api("viewer").delete(url), "delete", url)
    conforms(admin_api.delete(f"{url}?force=true&gracePeriod=0"), "delete", url)
