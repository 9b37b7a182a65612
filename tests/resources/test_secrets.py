"""Secrets over HTTP to kubesim: type, keys and lengths, never a value (every response of these tests is searched
for the seeded values by conftest); reveal for admins or SECRET_REVEAL_ROLES, audited without the values."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from audit.models import AuditEvent
from tests.api_mixins import assert_envelope
from tests.pods.helpers import all_pages
from tests.resources.conftest import API_SECRET, APPLIED_SECRET, NS, SECRET_VALUES, SEEDED_SECRETS, encoded_forms

ITEM = {"name", "namespace", "labels", "type", "keys", "createdAt"}


def base(cluster: Any) -> str:
    return f"/api/clusters/{cluster.pk}"


def in_ns(cluster: Any, suffix: str = "") -> str:
    return f"{base(cluster)}/namespaces/{NS}/secrets{suffix}"


@pytest.mark.django_db
class TestSecretReads:
    def test_list_as_kubectl_lists_them_with_lengths(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        items = all_pages(viewer, f"{base(cluster)}/secrets")
        expected = sorted((o["metadata"]["namespace"], o["metadata"]["name"])
                          for o in kubectl.json("get", "secrets", "-A")["items"])
        assert [(i["namespace"], i["name"]) for i in items] == expected
        db = next(i for i in items if i["name"] == "db-creds")
        assert set(db) == ITEM and db["type"] == "Opaque"
        assert db["keys"] == [{"name": k, "length": len(v.encode())} for k, v in
                              sorted(SEEDED_SECRETS["db-creds"].items())]

    def test_filters(self, viewer: Any, cluster: Any) -> None:
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), key="token")] == ["api-token"]
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), labelSelector="app=web")] == [APPLIED_SECRET[0]]
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), search="CREDS")] == ["applied-creds",
                                                                                           "db-creds"]
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), type="kubernetes.io/tls")] == ["shop-tls"]
        assert len(all_pages(viewer, in_ns(cluster), type="Opaque")) >= 3

    def test_detail_never_has_a_value_nor_the_last_applied_copy(self, viewer: Any, admin: Any, cluster: Any,
                                                                 kubectl: Any) -> None:
        raw = kubectl.json("get", "secret", APPLIED_SECRET[0], "-n", NS)
        assert "kubectl.kubernetes.io/last-applied-configuration" in raw["metadata"]["annotations"]
        for client in (viewer, admin):
            detail = assert_envelope(client.get(in_ns(cluster, f"/{APPLIED_SECRET[0]}")), 200)["data"]
            assert detail["keys"] == [{"name": "key", "length": len(APPLIED_SECRET[1])}]
            assert "kubectl.kubernetes.io/last-applied-configuration" not in detail["annotations"]
            assert set(detail) == ITEM | {"annotations", "immutable", "resourceVersion"}


@pytest.mark.django_db
class TestReveal:
    def test_admins_reveal_and_the_audit_row_holds_no_value(self, admin: Any, operator: Any, viewer: Any,
                                                             cluster: Any) -> None:
        body = assert_envelope(admin.post(in_ns(cluster, "/db-creds/reveal")), 200)["data"]
        assert body["data"] == SEEDED_SECRETS["db-creds"] and body["binaryData"] == {}
        for client in (operator, viewer):
            refused = assert_envelope(client.post(in_ns(cluster, "/db-creds/reveal")), 403)
            assert "revealing a secret's values requires the admin role" in refused["message"]
        rows = list(AuditEvent.objects.filter(action="secret.reveal").order_by("id").values())
        assert [(r["status_code"], r["name"], r["namespace"]) for r in rows] == [(200, "db-creds", NS),
                                                                                  (403, "db-creds", NS),
                                                                                  (403, "db-creds", NS)]
        stored = repr(list(AuditEvent.objects.values()))
        assert not [v for v in SECRET_VALUES for form in encoded_forms(v) if form in stored]

    def test_a_setting_lets_operators_reveal(self, operator: Any, viewer: Any, cluster: Any, settings: Any) -> None:
        settings.SECRET_REVEAL_ROLES = ["operator"]
        body = assert_envelope(operator.post(in_ns(cluster, "/api-token/reveal")), 200)["data"]
        assert body["data"] == SEEDED_SECRETS["api-token"]
        assert_envelope(viewer.post(in_ns(cluster, "/api-token/reveal")), 403)
        assert_envelope(operator.get(in_ns(cluster, "/api-token/reveal")), 405)
        assert_envelope(operator.post(in_ns(cluster, "/nope/reveal")), 404)


@pytest.mark.django_db
class TestSecretChanges:
    def test_create_update_delete_never_echo_values(self, operator: Any, admin: Any, viewer: Any, cluster: Any,
                                                    kubectl: Any) -> None:
        name, value = API_SECRET
        created = assert_envelope(operator.post(in_ns(cluster), {"name": name, "data": {"pw": value}},
                                                format="json"), 201)["data"]
        assert created["keys"] == [{"name": "pw", "length": len(value)}] and created["type"] == "Opaque"
        stored = kubectl.json("get", "secret", name, "-n", NS)
        assert base64.b64decode(stored["data"]["pw"]).decode() == value  # base64 for the cluster
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), search=name)] == [name]

        rv = created["resourceVersion"]
        updated = assert_envelope(operator.put(in_ns(cluster, f"/{name}"),
                                               {"data": {"pw": value + "-2", "user": "u"}, "resourceVersion": rv},
                                               format="json"), 200)["data"]
        assert updated["keys"] == [{"name": "pw", "length": len(value) + 2}, {"name": "user", "length": 1}]
        assert_envelope(operator.put(in_ns(cluster, f"/{name}"), {"data": {"pw": value}, "resourceVersion": rv},
                                     format="json"), 409)
        revealed = assert_envelope(admin.post(in_ns(cluster, f"/{name}/reveal")), 200)["data"]
        assert revealed["data"] == {"pw": value + "-2", "user": "u"}

        assert_envelope(operator.delete(in_ns(cluster, f"/{name}")), 200)
        assert all_pages(viewer, in_ns(cluster), search=name) == []
        assert kubectl.run("get", "secret", name, "-n", NS, "--ignore-not-found") == ""

    def test_a_refused_create_does_not_quote_the_value(self, operator: Any, cluster: Any) -> None:
        name, value = API_SECRET
        body = assert_envelope(operator.post(in_ns(cluster), {"name": "db-creds", "data": {"pw": value}},
                                             format="json"), 409)
        assert value not in body["message"]
        assert_envelope(operator.post(in_ns(cluster), {"name": "x", "data": {"pw": 5}}, format="json"), 400)
        assert_envelope(operator.post(in_ns(cluster), {"name": "x", "data": {"../k": "v"}}, format="json"), 400)
