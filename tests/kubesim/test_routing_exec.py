"""The pods/exec route resolves pod and container before handing over to kubesim.exec."""

from __future__ import annotations

import json

import requests

from kubesim import KubeSim

from .conftest import wait_for


def _post(sim: KubeSim, path: str, ca: str) -> requests.Response:
    return requests.post(sim.url + path, headers={"Authorization": f"Bearer {sim.token}"}, verify=ca, timeout=5)


def test_exec_route_errors(sim: KubeSim, tmp_path) -> None:  # noqa: ANN001
    ca = tmp_path / "ca.crt"
    ca.write_bytes(sim.ca_pem)
    r = _post(sim, "/api/v1/namespaces/default/pods/ghost/exec?command=ls&stdout=true", str(ca))
    assert r.status_code == 404 and r.json()["message"] == 'pods "ghost" not found'
    sim.store.create("pods", {"metadata": {"name": "ex", "namespace": "default"},
                              "spec": {"containers": [{"name": "main", "image": "busybox"}]}})
    r = _post(sim, "/api/v1/namespaces/default/pods/ex/exec?container=nope&command=ls&stdout=true", str(ca))
    assert r.status_code == 400 and json.loads(r.text)["message"] == "container nope is not valid for pod ex"
    wait_for(lambda: sim.store.get("pods", "default", "ex")["spec"].get("nodeName"), what="scheduled")
