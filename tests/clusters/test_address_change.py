"""Stored credentials never go somewhere new unasked, and never over plain http (issue 10, point 4).

Moving a cluster's `apiServer` to another scheme, host or port needs `kubeConfig` or `token` in the same
request (API and Django admin); a different path on the same server does not. `http://` API servers are
refused unless KUBE_ALLOW_INSECURE_HTTP allows them. (`POST .../test` is admin-only: TestClusterTestAccess.)
"""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.api_mixins import assert_envelope
from tests.clusters.helpers import b64, encoded_kubeconfig

pytestmark = pytest.mark.django_db

TOKEN = "kp-move-test-token-0123456789abcdef"  # noqa: S105 - a test credential
SERVER = "https://k8s.example.com:6443"


def kubeconfig(server: str = SERVER, token: str = TOKEN) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": token}}],
    }


def register(admin_api: APIClient, server: str = SERVER) -> int:
    body = {"name": "prod", "kubeConfig": encoded_kubeconfig(kubeconfig(server))}
    return assert_envelope(admin_api.post("/api/clusters", body, format="json"), 201)["data"]["id"]


def stored_server(cluster_id: int) -> str:
    cluster = Cluster.objects.get(pk=cluster_id)
    server = yaml.safe_load(cluster.get_kubeconfig())["clusters"][0]["cluster"]["server"]
    assert server == cluster.api_server
    return server


@pytest.mark.parametrize("new_server", [
    "https://evil.example.com:6443",  # another host
    "https://k8s.example.com:7443",   # another port
    "https://10.0.0.1:6443",          # another host, even if it may be the same machine
    "https://k8s.example.com",        # 443 is another port than 6443
])
def test_moving_without_credentials_is_400_naming_api_server(admin_api: APIClient, new_server: str) -> None:
    cluster_id = register(admin_api)
    body = assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {"apiServer": new_server,
                                                                         "description": "moved"}, format="json"), 400)
    errors = body["data"]["errors"]
    assert list(errors) == ["apiServer"]
    assert "kubeConfig or token" in errors["apiServer"][0] and "another host, scheme or port" in errors["apiServer"][0]
    assert body["message"].startswith("apiServer")
    cluster = Cluster.objects.get(pk=cluster_id)
    assert cluster.description == "" and stored_server(cluster_id) == SERVER


def test_moving_to_another_scheme_needs_credentials_even_where_http_is_allowed(admin_api: APIClient,
                                                                                settings: Any) -> None:
    settings.KUBE_ALLOW_INSECURE_HTTP = True
    cluster_id = register(admin_api)
    body = assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {"apiServer": "http://k8s.example.com:6443"},
                                         format="json"), 400)
    assert "apiServer" in body["data"]["errors"]
    assert stored_server(cluster_id) == SERVER


@pytest.mark.parametrize("credentials", [
    {"token": "a-new-token-for-the-new-place"},
    {"kubeConfig": encoded_kubeconfig(kubeconfig("https://ignored.example.com", "another-new-token"))},
])
def test_moving_with_credentials_in_the_same_request_is_allowed(admin_api: APIClient,
                                                                credentials: dict[str, str]) -> None:
    cluster_id = register(admin_api)
    body = {"apiServer": "https://new.example.com:6443", **credentials}
    data = assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", body, format="json"), 200)["data"]
    assert data["apiServer"] == "https://new.example.com:6443"
    assert stored_server(cluster_id) == "https://new.example.com:6443"
    assert TOKEN not in Cluster.objects.get(pk=cluster_id).get_kubeconfig()


@pytest.mark.parametrize(("new_server", "expected"), [
    ("https://k8s.example.com:6443/", SERVER),                              # a trailing slash
    ("https://K8S.example.com:6443/k8s/clusters/c-1", "https://K8S.example.com:6443/k8s/clusters/c-1"),  # a path
])
def test_same_server_with_another_path_keeps_the_credential(admin_api: APIClient, new_server: str,
                                                            expected: str) -> None:
    cluster_id = register(admin_api)
    data = assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {"apiServer": new_server}, format="json"),
                           200)["data"]
    assert data["apiServer"] == expected and stored_server(cluster_id) == expected
    assert TOKEN in Cluster.objects.get(pk=cluster_id).get_kubeconfig()


def test_a_refused_move_keeps_talking_to_the_real_cluster(admin_api: APIClient, fresh_kubesim: Any) -> None:
    """Against two simulated clusters: the stored token is not taken to the second one; with its own token it is."""
    first, second = fresh_kubesim(), fresh_kubesim()
    cluster_id = assert_envelope(admin_api.post("/api/clusters", {
        "name": "sim", "kubeConfig": encoded_kubeconfig(first.kubeconfig())}, format="json"), 201)["data"]["id"]

    assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {"apiServer": second.url}, format="json"), 400)
    tested = assert_envelope(admin_api.post(f"/api/clusters/{cluster_id}/test"), 200)["data"]
    assert tested["connected"] is True
    assert Cluster.objects.get(pk=cluster_id).api_server == first.url

    assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {
        "apiServer": second.url, "token": second.token, "caData": b64(second.ca_pem)}, format="json"), 200)
    tested = assert_envelope(admin_api.post(f"/api/clusters/{cluster_id}/test"), 200)["data"]
    assert tested["connected"] is True
    assert Cluster.objects.get(pk=cluster_id).api_server == second.url


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "lab", "apiServer": "http://k8s.example.com:8080", "token": TOKEN}, "apiServer"),
    ({"name": "lab", "kubeConfig": encoded_kubeconfig(kubeconfig("http://k8s.example.com:8080"))}, "kubeConfig"),
    ({"name": "lab", "apiServer": "HTTP://k8s.example.com", "kubeConfig": encoded_kubeconfig(kubeconfig())},
     "apiServer"),
])
def test_plain_http_api_servers_are_refused_on_create(admin_api: APIClient, body: dict[str, str],
                                                      field: str) -> None:
    result = assert_envelope(admin_api.post("/api/clusters", body, format="json"), 400)
    assert "https://" in " ".join(result["data"]["errors"][field])
    assert "KUBE_ALLOW_INSECURE_HTTP" in " ".join(result["data"]["errors"][field])
    assert not Cluster.objects.exists()


def test_plain_http_is_refused_on_update_even_with_credentials(admin_api: APIClient) -> None:
    cluster_id = register(admin_api)
    result = assert_envelope(admin_api.put(f"/api/clusters/{cluster_id}", {
        "apiServer": "http://k8s.example.com:6443", "token": TOKEN}, format="json"), 400)
    assert "https://" in result["data"]["errors"]["apiServer"][0]
    assert stored_server(cluster_id) == SERVER


def test_a_lab_can_allow_plain_http(admin_api: APIClient, settings: Any) -> None:
    settings.KUBE_ALLOW_INSECURE_HTTP = True
    body = {"name": "lab", "kubeConfig": encoded_kubeconfig(kubeconfig("http://k8s.lab:8080"))}
    assert assert_envelope(admin_api.post("/api/clusters", body, format="json"), 201)["data"]["apiServer"] == (
        "http://k8s.lab:8080")


def test_admin_form_refuses_a_move_without_a_new_kubeconfig_and_plain_http(admin_api: APIClient,
                                                                           make_user: Any) -> None:
    cluster_id = register(admin_api)
    browser = Client()
    browser.force_login(make_user("superadmin", role="admin", is_staff=True, is_superuser=True))
    url = f"/admin/clusters/cluster/{cluster_id}/change/"

    moved = browser.post(url, {"name": "prod", "description": "", "api_server": "https://evil.example.com",
                               "new_kubeconfig": ""})
    assert moved.status_code == 200 and "needs a new kubeconfig" in moved.content.decode()
    assert stored_server(cluster_id) == SERVER

    plain = browser.post(url, {"name": "prod", "description": "", "api_server": "http://k8s.example.com:6443",
                               "new_kubeconfig": yaml.safe_dump(kubeconfig("http://k8s.example.com:6443"))})
    assert plain.status_code == 200 and "must use https://" in plain.content.decode()
    assert stored_server(cluster_id) == SERVER

    with_config = browser.post(url, {"name": "prod", "description": "", "api_server": "https://evil.example.com",
                                     "new_kubeconfig": yaml.safe_dump(kubeconfig(token="its-own-token"))})
    assert with_config.status_code == 302
    assert stored_server(cluster_id) == "https://evil.example.com"
