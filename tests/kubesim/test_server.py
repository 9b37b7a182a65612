"""Transport, authentication, discovery and health of the simulated API server."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

import pytest
import requests

from kubesim import KubeSim


def _get(sim: KubeSim, path: str, token: str | None, ca: str, **headers: str) -> requests.Response:
    h = dict(headers)
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    return requests.get(sim.url + path, headers=h, verify=ca, timeout=5)


@pytest.fixture(scope="module")
def ca_file(sim: KubeSim, tmp_path_factory: pytest.TempPathFactory) -> str:
    p = tmp_path_factory.mktemp("ca") / "ca.crt"
    p.write_bytes(sim.ca_pem)
    return str(p)


def test_tls_is_verified_against_the_kubeconfig_ca(sim: KubeSim, ca_file: str) -> None:
    assert sim.url.startswith("https://127.0.0.1:")
    assert _get(sim, "/version", sim.token, ca_file).json()["gitVersion"].startswith("v1.32")
    with pytest.raises(urllib.error.URLError) as exc:  # the default trust store does not know our CA
        urllib.request.urlopen(sim.url + "/version", context=ssl.create_default_context(), timeout=5)
    assert "CERTIFICATE_VERIFY_FAILED" in str(exc.value)


def test_wrong_token_gets_401_status(sim: KubeSim, ca_file: str) -> None:
    r = _get(sim, "/api/v1/namespaces", "not-the-token", ca_file)
    assert r.status_code == 401
    body = r.json()
    assert (body["kind"], body["reason"], body["code"], body["status"]) == ("Status", "Unauthorized", 401, "Failure")


def test_anonymous_may_read_health_but_not_resources(sim: KubeSim, ca_file: str) -> None:
    assert _get(sim, "/healthz", None, ca_file).text == "ok"
    assert _get(sim, "/readyz", None, ca_file).text == "ok"
    assert "livez check passed" in _get(sim, "/livez?verbose", None, ca_file).text
    r = _get(sim, "/api/v1/pods", None, ca_file)
    assert r.status_code == 403
    assert r.json()["message"] == ('pods is forbidden: User "system:anonymous" cannot list resource "pods" in '
                                   'API group "" at the cluster scope')


def test_discovery_documents(sim: KubeSim, ca_file: str) -> None:
    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    api = _get(sim, "/api", sim.token, ca_file, Accept=aggregated)
    assert api.headers["Content-Type"] == "application/json"
    assert api.json()["kind"] == "APIVersions" and api.json()["versions"] == ["v1"]
    groups = {g["name"]: g for g in _get(sim, "/apis", sim.token, ca_file).json()["groups"]}
    assert {"apps", "batch", "policy"} <= set(groups)
    assert groups["apps"]["preferredVersion"]["groupVersion"] == "apps/v1"
    core = {r["name"]: r for r in _get(sim, "/api/v1", sim.token, ca_file).json()["resources"]}
    assert core["pods"]["namespaced"] and "watch" in core["pods"]["verbs"] and core["pods"]["shortNames"] == ["po"]
    # kubectl drain finds the eviction API through this entry
    assert (core["pods/eviction"]["group"], core["pods/eviction"]["version"], core["pods/eviction"]["kind"]) == \
        ("policy", "v1", "Eviction")
    assert core["nodes"]["namespaced"] is False
    apps = {r["name"]: r for r in _get(sim, "/apis/apps/v1", sim.token, ca_file).json()["resources"]}
    assert apps["deployments/scale"]["group"] == "autoscaling"
    assert _get(sim, "/apis/nope/v1", sim.token, ca_file).status_code == 404


def test_unknown_path_is_a_404_status(sim: KubeSim, ca_file: str) -> None:
    r = _get(sim, "/api/v1/widgets", sim.token, ca_file)
    assert r.status_code == 404 and r.json()["reason"] == "NotFound"


def test_binds_to_loopback_only() -> None:
    with pytest.raises(ValueError):
        KubeSim(host="0.0.0.0")


def test_kubeconfig_shape(sim: KubeSim) -> None:
    cfg = sim.kubeconfig()
    assert cfg["current-context"] == cfg["contexts"][0]["name"]
    assert cfg["clusters"][0]["cluster"]["server"] == sim.url
    assert cfg["users"][0]["user"]["token"] == sim.token
    assert "certificate-authority-data" in cfg["clusters"][0]["cluster"]


def test_stop_and_restart_keeps_address_and_objects() -> None:
    import kubernetes

    sim = KubeSim(fleet="empty", tick=0.1).start()
    try:
        v1 = kubernetes.client.CoreV1Api(kubernetes.config.new_client_from_config_dict(sim.kubeconfig()))
        v1.create_namespace({"metadata": {"name": "survivor"}})
        url = sim.url
        sim.stop()
        with pytest.raises(Exception):  # noqa: B017 - urllib3 raises its own connection errors
            v1.list_namespace(_request_timeout=2)
        sim.start()
        assert sim.url == url
        assert "survivor" in {n.metadata.name for n in v1.list_namespace().items}
    finally:
        sim.stop()
