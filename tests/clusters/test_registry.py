"""Cluster registry (contract §3) without a live cluster: validation, CRUD, roles, write-only credentials."""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from rest_framework.test import APIClient

from clusters.models import Cluster
from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.clusters.helpers import b64, encoded_kubeconfig

pytestmark = pytest.mark.django_db

TOKEN = "kp-test-token-0123456789abcdefXYZ"  # noqa: S105 - a test credential, searched for in outputs


def kubeconfig(server: str = "https://k8s.example.com:6443", token: str = TOKEN, **overrides: Any) -> dict[str, Any]:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "prod",
        "contexts": [{"name": "prod", "context": {"cluster": "prod-cluster", "user": "prod-user"}},
                     {"name": "other", "context": {"cluster": "other-cluster", "user": "other-user"}}],
        "clusters": [{"name": "prod-cluster", "cluster": {"server": server}},
                     {"name": "other-cluster", "cluster": {"server": "https://other.example.com"}}],
        "users": [{"name": "prod-user", "user": {"token": token}},
                  {"name": "other-user", "user": {"token": "other-context-secret-token"}}],
    }
    config.update(overrides)
    return config


def create(api: APIClient, **body: Any) -> Any:
    return api.post("/api/clusters", body, format="json")


class TestClusterListAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters"
    min_role = Role.VIEWER


class TestClusterCreateAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters"
    method = "post"
    body = {"name": "x", "apiServer": "https://k8s.example.com", "token": "abc"}
    min_role = Role.ADMIN


class TestClusterDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1"
    min_role = Role.VIEWER


class TestClusterUpdateAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1"
    method = "put"
    body = {"description": "x"}
    min_role = Role.ADMIN


class TestClusterDeleteAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1"
    method = "delete"
    min_role = Role.ADMIN


class TestClusterTestAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/test"
    method = "post"
    min_role = Role.ADMIN


def test_create_from_kubeconfig_takes_server_and_only_the_current_context(admin_api: APIClient) -> None:
    body = assert_envelope(create(admin_api, name="prod", kubeConfig=encoded_kubeconfig(kubeconfig()),
                                  description="Production"), 201)
    data = body["data"]
    assert set(data) == {"id", "name", "description", "apiServer", "status", "version", "nodeCount",
                         "createdAt", "updatedAt"}
    assert data["apiServer"] == "https://k8s.example.com:6443"
    assert (data["status"], data["version"], data["nodeCount"]) == ("unknown", "", None)
    assert data["createdAt"].endswith("Z")
    stored = yaml.safe_load(Cluster.objects.get(pk=data["id"]).get_kubeconfig())
    assert [c["name"] for c in stored["contexts"]] == ["prod"]
    assert "other-context-secret-token" not in yaml.safe_dump(stored)


def test_api_server_overrides_the_kubeconfig_server(admin_api: APIClient) -> None:
    data = assert_envelope(create(admin_api, name="prod", apiServer="https://lb.example.com:443/",
                                  kubeConfig=encoded_kubeconfig(kubeconfig())), 201)["data"]
    assert data["apiServer"] == "https://lb.example.com:443"
    stored = yaml.safe_load(Cluster.objects.get(pk=data["id"]).get_kubeconfig())
    assert stored["clusters"][0]["cluster"]["server"] == "https://lb.example.com:443"


def test_create_with_token_and_ca(admin_api: APIClient, unrelated_ca: bytes) -> None:
    data = assert_envelope(create(admin_api, name="tok", apiServer="https://10.0.0.1:6443", token=TOKEN,
                                  caData=b64(unrelated_ca)), 201)["data"]
    stored = yaml.safe_load(Cluster.objects.get(pk=data["id"]).get_kubeconfig())
    assert stored["users"][0]["user"] == {"token": TOKEN}
    assert stored["clusters"][0]["cluster"]["server"] == "https://10.0.0.1:6443"
    assert stored["clusters"][0]["cluster"]["certificate-authority-data"] == b64(unrelated_ca)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kubeConfig": "%%% not base64 %%%"}, "kubeConfig", "not valid base64"),
    ({"kubeConfig": b64("key: [unclosed")}, "kubeConfig", "not a YAML"),
    ({"kubeConfig": b64("- just\n- a list\n")}, "kubeConfig", "not a kubeconfig"),
    ({"kubeConfig": b64(b"\xff\xfe\x00binary")}, "kubeConfig", "not a YAML"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(contexts=[]))}, "kubeConfig", "no contexts"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(**{"current-context": "nope"}))}, "kubeConfig", "'nope'"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(clusters=[]))}, "kubeConfig", "no cluster"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(users=[]))}, "kubeConfig", "no user"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(users=[{"name": "prod-user", "user": {}}]))},
     "kubeConfig", "no usable credentials"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(users=[{"name": "prod-user", "user": {
        "exec": {"command": "/bin/sh", "args": ["-c", "id"]}}}]))}, "kubeConfig", "'exec'"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig(server="ftp://k8s.example.com"))}, "kubeConfig", "https://host"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig()), "apiServer": "k8s.example.com:6443"}, "apiServer", "https://"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig()), "apiServer": "https://:6443"}, "apiServer", "host"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig()), "apiServer": "https://h:99999"}, "apiServer", "port"),
    ({"kubeConfig": encoded_kubeconfig(kubeconfig()), "apiServer": "https://u:p@h"}, "apiServer", "user info"),
    ({"token": TOKEN}, "apiServer", "Required with a token"),
    ({"token": TOKEN, "apiServer": "https://h", "caData": b64("not a certificate")}, "caData", "not a PEM"),
    ({"token": TOKEN, "apiServer": "https://h", "kubeConfig": encoded_kubeconfig(kubeconfig())}, "token", "either"),
    ({"apiServer": "https://h"}, "kubeConfig", "Required"),
    ({"token": "two words", "apiServer": "https://h"}, "token", "without spaces"),
])
def test_bad_credentials_are_400_naming_the_field(admin_api: APIClient, body: dict, field: str, words: str) -> None:
    result = assert_envelope(create(admin_api, name="bad", **body), 400)
    errors = result["data"]["errors"]
    assert field in errors, errors
    assert words in " ".join(errors[field]), errors
    assert result["message"].startswith(field)
    assert TOKEN not in str(result)
    assert not Cluster.objects.exists()


def test_duplicate_name_is_409_on_create_and_update(admin_api: APIClient) -> None:
    config = encoded_kubeconfig(kubeconfig())
    first = assert_envelope(create(admin_api, name="prod", kubeConfig=config), 201)["data"]
    assert "already exists" in assert_envelope(create(admin_api, name="prod", kubeConfig=config), 409)["message"]
    second = assert_envelope(create(admin_api, name="stage", kubeConfig=config), 201)["data"]
    assert_envelope(admin_api.put(f"/api/clusters/{second['id']}", {"name": "prod"}, format="json"), 409)
    assert Cluster.objects.get(pk=first["id"]).name == "prod"


def test_list_search_detail_update_delete(admin_api: APIClient, api: Any) -> None:
    config = encoded_kubeconfig(kubeconfig())
    ids = {name: assert_envelope(create(admin_api, name=name, kubeConfig=config), 201)["data"]["id"]
           for name in ("prod-eu", "prod-us", "staging")}
    viewer = api(Role.VIEWER)
    items = assert_page(assert_envelope(viewer.get("/api/clusters?search=PROD"), 200))
    assert [c["name"] for c in items] == ["prod-eu", "prod-us"]
    page = assert_envelope(viewer.get("/api/clusters?pageSize=2&page=2"), 200)["data"]
    assert page["total"] == 3 and [c["name"] for c in page["items"]] == ["staging"]
    assert_envelope(viewer.get("/api/clusters?page=0"), 400)

    detail = assert_envelope(viewer.get(f"/api/clusters/{ids['staging']}"), 200)["data"]
    assert detail["name"] == "staging"

    # Same server, another path: the stored credential may follow (another host would need it again).
    updated = assert_envelope(admin_api.put(f"/api/clusters/{ids['staging']}",
                                            {"description": "pre-prod", "apiServer": "https://k8s.example.com:6443/st"},
                                            format="json"), 200)["data"]
    assert updated["description"] == "pre-prod" and updated["apiServer"] == "https://k8s.example.com:6443/st"
    stored = yaml.safe_load(Cluster.objects.get(pk=ids["staging"]).get_kubeconfig())
    assert stored["clusters"][0]["cluster"]["server"] == "https://k8s.example.com:6443/st"
    assert stored["users"][0]["user"]["token"] == TOKEN  # untouched credential

    bad = assert_envelope(admin_api.put(f"/api/clusters/{ids['staging']}", {"kubeConfig": "@@"}, format="json"), 400)
    assert "kubeConfig" in bad["data"]["errors"]

    assert_envelope(admin_api.delete(f"/api/clusters/{ids['staging']}"), 200)
    assert_envelope(viewer.get(f"/api/clusters/{ids['staging']}"), 404)
    assert_envelope(admin_api.delete(f"/api/clusters/{ids['staging']}"), 404)


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "-1", "0", "99999999999999999999999", "%20"])
def test_non_numeric_or_unknown_cluster_id_is_404(admin_api: APIClient, bad_id: str) -> None:
    body = assert_envelope(admin_api.get(f"/api/clusters/{bad_id}"), 404)
    assert "not found" in body["message"].lower()
    assert_envelope(admin_api.get(f"/api/clusters/{bad_id}/nodes"), 404)
    assert_envelope(admin_api.post(f"/api/clusters/{bad_id}/test"), 404)


def test_trailing_slash_post_is_not_redirected(admin_api: APIClient) -> None:
    assert_envelope(admin_api.post("/api/clusters/", {"name": "slash", "kubeConfig": encoded_kubeconfig(kubeconfig())},
                                   format="json"), 201)
