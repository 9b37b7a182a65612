"""A real daphne server: a request stuck on a black-hole cluster, or a long drain, holds up no other request."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from clusters import kubeconfig as kc
from tests.kube.faults import BlackHole
from tests.kube.live import LiveServer

TIMEOUT = 3  # the live server's connect and read timeouts to clusters


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    from kubesim import KubeSim

    sim = KubeSim(fleet="demo").start()
    tmp = tmp_path_factory.mktemp("live")
    ca_file = tmp / "sim-ca.pem"
    ca_file.write_bytes(sim.ca_pem)
    try:
        with BlackHole() as hole:
            hole_config = kc.token_kubeconfig(server=hole.url, token="irrelevant-token", ca_data=None)
            clusters = {"sim": (sim.url, sim.kubeconfig()), "hole": (hole.url, hole_config)}
            env = {"KUBE_CONNECT_TIMEOUT": str(TIMEOUT), "KUBE_READ_TIMEOUT": str(TIMEOUT),
                   "DRAIN_RETRY_INTERVAL": "0.5", "DRAIN_POLL_INTERVAL": "0.2"}
            with LiveServer(tmp, clusters, env) as live:
                yield {"live": live, "sim": sim, "ca_file": str(ca_file)}
    finally:
        sim.stop()


def timed(call: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_black_hole_cluster_does_not_hold_other_requests(fleet: dict[str, Any]) -> None:
    live: LiveServer = fleet["live"]
    hole = f"/api/clusters/{live.ids['hole']}/nodes"
    sim = f"/api/clusters/{live.ids['sim']}/nodes"
    assert live.request("GET", sim).status_code == 200  # warm up
    with ThreadPoolExecutor(max_workers=12) as pool:
        stuck = [pool.submit(timed, lambda: live.request("GET", hole)) for _ in range(4)]
        time.sleep(0.3)
        quick = [pool.submit(timed, lambda: live.request("GET", sim)) for _ in range(4)]
        quick += [pool.submit(timed, lambda: live.request("GET", "/api/clusters"))]
        for future in quick:
            response, elapsed = future.result()
            assert response.status_code == 200 and elapsed < 1.5, (response.status_code, elapsed)
        assert not any(future.done() for future in stuck), "the black-hole requests should still be waiting"
        for future in stuck:
            response, elapsed = future.result()
            body = response.json()
            assert response.status_code == 504 and body["code"] == 504, body
            assert "hole" in body["message"]
            assert TIMEOUT - 0.5 < elapsed < TIMEOUT + 3, elapsed


def test_a_long_drain_does_not_hold_other_requests(fleet: dict[str, Any]) -> None:
    live: LiveServer = fleet["live"]
    sim = fleet["sim"]
    blocked = requests.patch(
        f"{sim.url}/apis/policy/v1/namespaces/shop/poddisruptionbudgets/web-pdb",
        json={"spec": {"minAvailable": 4}}, verify=fleet["ca_file"], timeout=10,
        headers={"Authorization": f"Bearer {sim.token}", "Content-Type": "application/merge-patch+json"})
    assert blocked.status_code == 200, blocked.text
    node = next(p["spec"]["nodeName"] for p in sim.store.list("pods", "shop")
                if p["metadata"]["name"].startswith("web-") and p["spec"].get("nodeName"))
    drain_path = f"/api/clusters/{live.ids['sim']}/nodes/{node}/drain"
    body = {"timeoutSeconds": 5, "force": True, "deleteEmptyDirData": True}
    with ThreadPoolExecutor(max_workers=8) as pool:
        draining = pool.submit(timed, lambda: live.request("POST", drain_path, json=body))
        time.sleep(1)
        for path in ("/api/clusters", f"/api/clusters/{live.ids['sim']}/nodes", "/api/auth/me"):
            response, elapsed = timed(lambda p=path: live.request("GET", p))
            assert response.status_code == 200 and elapsed < 1.5, (path, response.status_code, elapsed)
        assert not draining.done(), "the drain should still be retrying the refused eviction"
        response, elapsed = draining.result()
    assert response.status_code == 200 and elapsed >= 5
    failed = response.json()["data"]["failed"]
    assert failed and all("disruption budget" in entry["reason"] for entry in failed)
