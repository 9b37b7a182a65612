"""The credential appears nowhere: responses, the database row, the admin, the OpenAPI schema, the logs."""
from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client

from clusters.models import Cluster
from tests.api_mixins import assert_envelope
from tests.clusters.helpers import encoded_kubeconfig

pytestmark = pytest.mark.django_db

SECRET = "sEcReT-bearer-" + "q7Zx93LmW0pA"  # noqa: S105
CLIENT_KEY = base64.b64encode(b"-----BEGIN EC PRIVATE KEY-----\nnot-a-real-key\n-----END EC PRIVATE KEY-----\n")
CLIENT_KEY = CLIENT_KEY.decode()


def kubeconfig(token: str = SECRET) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "clusters": [{"name": "c", "cluster": {"server": "https://k8s.example.com:6443"}}],
        "users": [{"name": "u", "user": {"token": token, "client-certificate-data": CLIENT_KEY,
                                         "client-key-data": CLIENT_KEY}}],
    }


def secrets_in(text: str) -> list[str]:
    encoded = encoded_kubeconfig(kubeconfig())
    return [s for s in (SECRET, CLIENT_KEY, encoded, encoded[:40]) if s in text]


def test_credential_is_in_no_response_row_or_log(admin_api: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    created = admin_api.post("/api/clusters", {"name": "prod", "kubeConfig": encoded_kubeconfig(kubeconfig())},
                             format="json")
    cluster_id = assert_envelope(created, 201)["data"]["id"]
    responses = [
        created,
        admin_api.get("/api/clusters"),
        admin_api.get(f"/api/clusters/{cluster_id}"),
        admin_api.put(f"/api/clusters/{cluster_id}", {"token": SECRET + "2", "apiServer": "https://k8s.example.com"},
                      format="json"),
        admin_api.put(f"/api/clusters/{cluster_id}", {"kubeConfig": encoded_kubeconfig(kubeconfig())}, format="json"),
        # a rejected input must not be echoed back either
        admin_api.put(f"/api/clusters/{cluster_id}", {"kubeConfig": base64.b64encode(
            yaml.safe_dump({"users": [{"token": SECRET}]}).encode()).decode()}, format="json"),
    ]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200, 400]
    for response in responses:
        assert secrets_in(response.content.decode()) == []

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clusters_cluster WHERE id = %s", [cluster_id])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert secrets_in(row) == [] and "k8s.example.com" in row  # the address is not secret; the credential is
    assert SECRET in Cluster.objects.get(pk=cluster_id).get_kubeconfig()  # ...but it is stored, encrypted

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "prod" in logged  # the service does log its actions
    assert secrets_in(logged) == []


def test_admin_shows_no_credential_and_accepts_a_new_one(make_user: Any) -> None:
    admin = make_user("root", role="admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    page = browser.post("/admin/clusters/cluster/add/", {
        "name": "from-admin", "description": "", "api_server": "",
        "new_kubeconfig": yaml.safe_dump(kubeconfig()),
    })
    assert page.status_code == 302, page.content.decode()[:2000]
    cluster = Cluster.objects.get(name="from-admin")
    assert cluster.api_server == "https://k8s.example.com:6443" and SECRET in cluster.get_kubeconfig()

    change = browser.get(f"/admin/clusters/cluster/{cluster.pk}/change/")
    html = change.content.decode()
    assert change.status_code == 200 and "New kubeconfig" in html and "fingerprint" in html
    assert secrets_in(html) == []
    assert cluster.credential_ciphertext not in html

    # a bad paste comes back with an error, without echoing what was pasted
    bad = browser.post(f"/admin/clusters/cluster/{cluster.pk}/change/", {
        "name": "from-admin", "description": "", "api_server": "https://k8s.example.com:6443",
        "new_kubeconfig": yaml.safe_dump({"kind": "Config", "users": [{"name": "u", "user": {"token": SECRET}}]}),
    })
    assert bad.status_code == 200 and "no contexts" in bad.content.decode()
    assert secrets_in(bad.content.decode()) == []

    # changing only the path on the same server keeps the credential and re-points it (another host would
    # need a new kubeconfig: tests/clusters/test_address_change.py)
    ok = browser.post(f"/admin/clusters/cluster/{cluster.pk}/change/", {
        "name": "from-admin", "description": "moved", "api_server": "https://k8s.example.com:6443/new",
        "new_kubeconfig": "",
    })
    assert ok.status_code == 302
    cluster.refresh_from_db()
    stored = yaml.safe_load(cluster.get_kubeconfig())
    assert stored["clusters"][0]["cluster"]["server"] == "https://k8s.example.com:6443/new"
    assert stored["users"][0]["user"]["token"] == SECRET

    assert browser.post(f"/admin/clusters/cluster/{cluster.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Cluster.objects.exists()


def test_schema_marks_credentials_write_only_and_never_returns_them(anon_api: Any) -> None:
    response = anon_api.get("/api/schema?format=json")
    assert response.status_code == 200
    text = response.content.decode()
    schema = response.json() if response["Content-Type"].startswith("application/json") else yaml.safe_load(text)
    components = schema["components"]["schemas"]
    assert set(components["Cluster"]["properties"]) == {
        "id", "name", "description", "apiServer", "status", "version", "nodeCount", "createdAt", "updatedAt"}
    request_body = components["ClusterWriteRequest"]["properties"]
    for field in ("kubeConfig", "token", "caData"):
        assert request_body[field]["writeOnly"] is True
        assert "example" not in request_body[field]
    assert secrets_in(text) == []


def test_no_token_in_logs_or_answers_while_working_a_cluster(admin_api: Any, fresh_kubesim: Any, caplog: Any) -> None:
    """Register, test, list, cordon and drain a simulated cluster with every logger at DEBUG."""
    from tests.clusters.helpers import register_through_api

    caplog.set_level(logging.DEBUG)
    sim = fresh_kubesim()
    cluster_id = register_through_api(admin_api, sim)
    answers = [
        admin_api.post(f"/api/clusters/{cluster_id}/test"),
        admin_api.get(f"/api/clusters/{cluster_id}/nodes"),
        admin_api.get(f"/api/clusters/{cluster_id}/nodes/worker-3"),
        admin_api.post(f"/api/clusters/{cluster_id}/nodes/worker-3/cordon"),
        admin_api.post(f"/api/clusters/{cluster_id}/nodes/worker-3/drain", {"dryRun": True}, format="json"),
        admin_api.get(f"/api/clusters/{cluster_id}"),
    ]
    assert [a.status_code for a in answers] == [200] * len(answers)
    ca = base64.b64encode(sim.ca_pem).decode()
    for answer in answers:
        assert sim.token not in answer.content.decode() and ca not in answer.content.decode()
    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert "worker-3" in logged and sim.token not in logged
