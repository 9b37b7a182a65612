"""Issue 10.1: namespace and object names are checked with Kubernetes' grammar before anything reaches a cluster.

Over real HTTP (daphne) and real WebSockets against the simulated cluster. Requests are sent with
http.client, which sends the path exactly as written: `requests` would remove dot segments itself.
Afterwards the cluster's own list shows that nothing was deleted.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import secrets
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import websockets

from scripts.liveserver import LiveServer

pytestmark = pytest.mark.timeout(300)  # the module starts its own server and simulated cluster


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    admin = live.client()
    out = {}
    for role in ("viewer", "operator"):
        username, password = f"{role}-{secrets.token_hex(3)}", "Names-" + secrets.token_urlsafe(12)
        admin.users.create(username, password, role=role)
        response = requests.post(f"{live.url}/api/auth/login", json={"username": username, "password": password},
                                 timeout=10)
        out[role] = response.json()["data"]["token"]
    return out


def cluster_get(live: LiveServer, path: str) -> Any:
    """The simulated cluster's own answer (not ours): the judge of what survived."""
    with tempfile.NamedTemporaryFile(suffix=".pem") as ca:
        ca.write(live.sim.ca_pem)
        ca.flush()
        response = requests.get(f"{live.sim.url}{path}", headers={"Authorization": f"Bearer {live.sim.token}"},
                                verify=ca.name, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def target(live: LiveServer) -> dict[str, Any]:
    """A namespace with deployments and pods, and what the cluster holds there before the attempts."""
    deployments = cluster_get(live, "/apis/apps/v1/deployments")["items"]
    namespace = sorted({d["metadata"]["namespace"] for d in deployments})[0]
    return {
        "namespace": namespace,
        "deployments": sorted(d["metadata"]["name"] for d in deployments if d["metadata"]["namespace"] == namespace),
        "pods": len(cluster_get(live, f"/api/v1/namespaces/{namespace}/pods")["items"]),
    }


def raw_request(live: LiveServer, method: str, path: str, token: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """Send `path` byte for byte (no dot-segment removal, no re-encoding)."""
    address = urlsplit(live.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    status, text = response.status, response.read()
    connection.close()
    return status, json.loads(text)


DOT_ATTEMPTS = [
    # (role, method, path under /api/clusters/<id>/, the parameter the 400 must name)
    ("operator", "DELETE", "namespaces/{ns}/pods/%2E%2E", "name"),
    ("operator", "DELETE", "namespaces/{ns}/pods/..", "name"),
    ("operator", "DELETE", "namespaces/{ns}/deployments/%2E", "name"),
    ("operator", "DELETE", "namespaces/{ns}/deployments/.", "name"),
    ("operator", "POST", "namespaces/{ns}/deployments/%2E%2E/restart", "name"),
    ("operator", "POST", "namespaces/{ns}/deployments/%2e/scale", "name"),
    ("operator", "PUT", "namespaces/{ns}/deployments/..", "name"),
    ("operator", "DELETE", "namespaces/%2E%2E/pods/x", "namespace"),
    ("operator", "DELETE", "namespaces/{ns}/pods/a%2Fb", "name"),
    ("operator", "DELETE", "namespaces/{ns}/pods/..%2F..", "name"),
    ("operator", "POST", "nodes/%2E%2E/cordon", "name"),
    ("operator", "POST", "nodes/Upper-Case/drain", "name"),
    ("viewer", "GET", "namespaces/{ns}/pods/..", "name"),
    ("viewer", "GET", "namespaces/{ns}/pods/%2E%2E/logs", "name"),
    ("viewer", "GET", "namespaces/{ns}/pods/%2E%2E/events", "name"),
    ("viewer", "GET", "namespaces/{ns}/deployments/..", "name"),
    ("viewer", "GET", "namespaces/Default/pods/x", "namespace"),
    ("viewer", "GET", "namespaces/{ns}/pods/" + "a" * 254, "name"),
    ("viewer", "GET", "namespaces/" + "a" * 64 + "/pods/x", "namespace"),
    ("viewer", "GET", "namespaces/{ns}/pods/-leading-dash", "name"),
    ("viewer", "GET", "nodes/..", "name"),
    ("viewer", "GET", "pods?namespace=..", "namespace"),
    ("viewer", "GET", "pods?nodeName=%2E%2E", "nodeName"),
    ("viewer", "GET", "workloads?namespace=a%2Fb", "namespace"),
]


@pytest.mark.parametrize(("role", "method", "path", "parameter"), DOT_ATTEMPTS)
def test_bad_name_is_a_400_naming_the_parameter(live: LiveServer, tokens: dict[str, str], target: dict[str, Any],
                                                role: str, method: str, path: str, parameter: str) -> None:
    url = f"/api/clusters/{live.cluster_id}/" + path.format(ns=target["namespace"])
    body = {"replicas": 0} if method in ("POST", "PUT") else None
    status, envelope = raw_request(live, method, url, tokens[role], body)
    assert status == 400, (url, envelope)
    assert envelope["code"] == 400 and envelope["data"] is not None
    assert envelope["message"].startswith(f"{parameter}:"), envelope["message"]
    assert parameter in envelope["data"]["errors"]


def test_nothing_reached_the_cluster(live: LiveServer, tokens: dict[str, str], target: dict[str, Any]) -> None:
    """After every attempt above, the namespace, its deployments and its pods are all still there."""
    for role, method, path, _ in DOT_ATTEMPTS:  # again, in case this test runs alone
        url = f"/api/clusters/{live.cluster_id}/" + path.format(ns=target["namespace"])
        raw_request(live, method, url, tokens[role], {"replicas": 0} if method in ("POST", "PUT") else None)
    namespace = target["namespace"]
    assert cluster_get(live, f"/api/v1/namespaces/{namespace}")["metadata"]["name"] == namespace
    deployments = cluster_get(live, f"/apis/apps/v1/namespaces/{namespace}/deployments")["items"]
    assert sorted(d["metadata"]["name"] for d in deployments) == target["deployments"]
    assert all(d["spec"]["replicas"] != 0 or d["metadata"]["name"] not in target["deployments"]
               for d in deployments if d["spec"].get("replicas") is not None) or not deployments
    pods = cluster_get(live, f"/api/v1/namespaces/{namespace}/pods")["items"]
    assert len(pods) >= target["pods"] - 1  # controllers may be mid-way through replacing one pod, never fewer
    assert not any(p["metadata"].get("deletionTimestamp") for p in pods if p["spec"].get("restartPolicy") == "Always")


def test_a_valid_name_still_works(live: LiveServer, tokens: dict[str, str], target: dict[str, Any]) -> None:
    """The check refuses only what Kubernetes would: real names (with dots, too) pass."""
    name = target["deployments"][0]
    status, envelope = raw_request(
        live, "GET", f"/api/clusters/{live.cluster_id}/namespaces/{target['namespace']}/deployments/{name}",
        tokens["viewer"])
    assert status == 200 and envelope["data"]["name"] == name
    status, envelope = raw_request(
        live, "GET", f"/api/clusters/{live.cluster_id}/namespaces/{target['namespace']}/pods/no.such.pod",
        tokens["viewer"])
    assert status == 404, envelope


@pytest.mark.parametrize(("pod", "expected"), [("%2E%2E", "name:"), ("..", "name:"), ("a%2Fb", "name:"),
                                               ("Upper", "name:")])
@pytest.mark.parametrize("socket", ["logs", "exec"])
def test_socket_refuses_a_bad_name(live: LiveServer, tokens: dict[str, str], target: dict[str, Any],
                                   socket: str, pod: str, expected: str) -> None:
    url = (f"{live.url.replace('http', 'ws', 1)}/ws/clusters/{live.cluster_id}/namespaces/{target['namespace']}"
           f"/pods/{pod}/{socket}?token={tokens['operator']}")

    async def attempt() -> tuple[dict[str, Any], int | None]:
        async with websockets.connect(url) as ws:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return frame, ws.close_code

    frame, code = asyncio.run(attempt())
    assert frame["type"] == "error" and frame["message"].startswith(expected), frame
    assert code == 4400


@pytest.mark.parametrize(("method", "path", "status"), [
    ("POST", "/api/no-such-endpoint", 404),         # a plain Django view: once a CSRF refusal in HTML
    ("PATCH", "/api/clusters/{id}/pods", 405),
    ("DELETE", "/api/auth/me", 405),
    ("GET", "/api/clusters/1%2F2", 400),
])
def test_odd_paths_answer_with_the_envelope(live: LiveServer, tokens: dict[str, str], method: str, path: str,
                                            status: int) -> None:
    got, envelope = raw_request(live, method, path.format(id=live.cluster_id), tokens["operator"], {})
    assert got == status and envelope["code"] == status and set(envelope) == {"code", "message", "data"}


def test_csrf_refusal_is_an_envelope(live: LiveServer) -> None:
    """A cookie-less POST to a view that is not CSRF-exempt, under /api/, answers with the envelope, not HTML."""
    from common.views import csrf_failure

    class Request:
        path = "/api/anything"

    response = csrf_failure(Request(), "CSRF cookie not set.")  # type: ignore[arg-type]
    body = json.loads(response.content)
    assert response.status_code == 403 and body["code"] == 403 and "CSRF" in body["message"]
