"""/healthz, /readyz and /metrics on a real daphne with the simulated cluster registered (DEBUG off)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from scripts.liveserver import LiveServer
from tests.observe.helpers import sample

pytestmark = [pytest.mark.timeout(180)]
TOKEN = "scrape-" + "x" * 32


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(with_sim=True, env={"METRICS_TOKEN": TOKEN}) as server:
        yield server


def scrape(live: LiveServer) -> str:
    response = requests.get(f"{live.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return response.text


def api_get(live: LiveServer, token: str, path: str) -> dict[str, Any]:
    response = requests.get(f"{live.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_healthz(live: LiveServer) -> None:
    response = requests.get(f"{live.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_every_check(live: LiveServer) -> None:
    response = requests.get(f"{live.url}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channelLayer"]["ok"] is True
    assert set(body["checks"]["caches"]) == {"enabled", "count", "synced"}
    assert body["checks"]["caches"]["enabled"] is True
    assert live.cluster_name not in response.text


def test_metrics_needs_the_token(live: LiveServer) -> None:
    assert requests.get(f"{live.url}/metrics", timeout=5).status_code == 401
    wrong = requests.get(f"{live.url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert "kubepolaris_" not in wrong.text


def test_metrics_after_cluster_and_pod_lists(live: LiveServer) -> None:
    token, cid = live.token(), str(live.cluster_id)
    assert api_get(live, token, "/api/clusters")["total"] >= 1
    pods = api_get(live, token, f"/api/clusters/{cid}/pods?pageSize=100")
    assert pods["total"] > 0
    requests.post(f"{live.url}/api/clusters/{cid}/test", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    text = scrape(live)
    assert sample(text, "kubepolaris_http_requests_total", route="cluster-list", method="GET", status="200") >= 1
    assert sample(text, "kubepolaris_http_requests_total", route="pod-list", method="GET", status="200") >= 1
    assert sample(text, "kubepolaris_http_request_duration_seconds_count", route="cluster-list", method="GET") >= 1
    assert sample(text, "kubepolaris_upstream_request_duration_seconds_count", cluster_id=cid) >= 1
    assert sample(text, "kubepolaris_watch_cache_objects", cluster_id=cid, resource="pods") == pods["total"]
    assert sample(text, "kubepolaris_watch_cache_synced", cluster_id=cid, resource="pods") == 1
    assert sample(text, "kubepolaris_watch_cache_relists_total", cluster_id=cid, resource="pods") == 0
    assert sample(text, "kubepolaris_watch_cache_watch_restarts_total", cluster_id=cid, resource="pods") is not None
    assert sample(text, "kubepolaris_watch_cache_enabled") == 1
    assert sample(text, "process_resident_memory_bytes") > 0
    assert "/api/clusters/" not in text  # routes are URL names, never raw paths


def test_cluster_detail_shows_the_cache_state(live: LiveServer) -> None:
    token, cid = live.token(), live.cluster_id
    total = api_get(live, token, f"/api/clusters/{cid}/pods")["total"]
    detail = api_get(live, token, f"/api/clusters/{cid}")
    pods = detail["cache"]["pods"]
    assert pods["synced"] is True and pods["objects"] == total > 0
    assert pods["relists"] == 0 and pods["lastEventAt"].endswith("Z")
    listed = api_get(live, token, "/api/clusters")["items"]
    assert listed and all("cache" not in item for item in listed)


def test_open_sockets_per_kind(live: LiveServer) -> None:
    token, cid = live.token(), live.cluster_id
    pod = api_get(live, token, f"/api/clusters/{cid}/pods?status=Running")["items"][0]
    url = (f"ws://127.0.0.1:{live.port}/ws/clusters/{cid}/namespaces/{pod['namespace']}/pods/{pod['name']}"
           f"/logs?token={token}")
    before = sample(scrape(live), "kubepolaris_open_sockets", kind="logs") or 0
    with connect(url, open_timeout=10) as socket:
        socket.send(json.dumps({"type": "subscribe", "follow": True, "tailLines": 1}))
        assert json.loads(socket.recv(timeout=10))["type"] in ("log", "end")
        assert sample(scrape(live), "kubepolaris_open_sockets", kind="logs") == before + 1
    deadline = time.monotonic() + 10
    while sample(scrape(live), "kubepolaris_open_sockets", kind="logs") != before:
        assert time.monotonic() < deadline, "the closed socket is still counted"
        time.sleep(0.1)


def test_operations_paths_are_not_in_the_openapi_document(live: LiveServer) -> None:
    schema = requests.get(f"{live.url}/api/schema?format=json", timeout=10).json()
    assert not [p for p in schema["paths"] if p.strip("/") in ("healthz", "readyz", "metrics")]
    detail = schema["paths"]["/api/clusters/{id}"]["get"]
    assert "per process" in detail["description"].lower()
