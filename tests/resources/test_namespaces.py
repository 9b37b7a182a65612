"""Namespaces over HTTP to kubesim: list (with counts), filters, pages, detail, create, confirmed delete."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.models import Grant
from common.permissions import Role
from tests.api_mixins import assert_envelope, assert_page
from tests.pods.helpers import all_pages

ITEM = {"name", "status", "labels", "pods", "workloadsReady", "workloadsUnready", "createdAt"}


def url(cluster: Any, suffix: str = "") -> str:
    return f"/api/clusters/{cluster.pk}/namespaces{suffix}"


@pytest.mark.django_db
class TestNamespaceList:
    def test_the_names_kubectl_lists_with_their_pod_counts(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        items = all_pages(viewer, url(cluster))
        assert [i["name"] for i in items] == sorted(n["metadata"]["name"] for n in
                                                     kubectl.json("get", "namespaces")["items"])
        pods = Counter(p["metadata"]["namespace"] for p in kubectl.json("get", "pods", "-A")["items"])
        for item in items:
            assert set(item) == ITEM
            assert item["pods"] == pods[item["name"]], item["name"]
            assert item["status"] == "Active" and item["createdAt"].endswith("Z")

    def test_workload_counts_follow_readiness(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        shop = next(i for i in all_pages(viewer, url(cluster)) if i["name"] == "shop")
        ready = unready = 0
        for plural in ("deployments", "statefulsets"):
            for obj in kubectl.json("get", plural, "-n", "shop")["items"]:
                wanted, have = obj["spec"].get("replicas", 1), obj["status"].get("readyReplicas", 0)
                ready, unready = (ready + 1, unready) if have >= wanted else (ready, unready + 1)
        for obj in kubectl.json("get", "daemonsets", "-n", "shop")["items"]:
            ok = obj["status"].get("numberReady", 0) >= obj["status"].get("desiredNumberScheduled", 0)
            ready, unready = (ready + 1, unready) if ok else (ready, unready + 1)
        assert (shop["workloadsReady"], shop["workloadsUnready"]) == (ready, unready)
        assert ready + unready > 0

    def test_search_label_selector_status_and_pages(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        assert {i["name"] for i in all_pages(viewer, url(cluster), search="SHO")} == {"shop"}
        labelled = {n["metadata"]["name"] for n in kubectl.json("get", "namespaces", "-l", "team=shop")["items"]}
        assert {i["name"] for i in all_pages(viewer, url(cluster), labelSelector="team=shop")} == labelled == {"shop"}
        assert all_pages(viewer, url(cluster), status="Terminating") == []
        everything = all_pages(viewer, url(cluster))
        page2 = assert_page(assert_envelope(viewer.get(url(cluster), {"page": 2, "pageSize": 2}), 200))
        assert page2 == everything[2:4]
        assert_envelope(viewer.get(url(cluster), {"status": "Gone"}), 400)
        assert_envelope(viewer.get(url(cluster), {"labelSelector": "a in (b"}), 400)

    def test_detail(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        detail = assert_envelope(viewer.get(url(cluster, "/shop")), 200)["data"]
        ns = kubectl.json("get", "namespace", "shop")
        assert detail["labels"] == ns["metadata"].get("labels", {})
        assert detail["resourceVersion"] == ns["metadata"]["resourceVersion"]
        assert set(detail) == ITEM | {"annotations", "resourceVersion"}
        body = assert_envelope(viewer.get(url(cluster, "/no-such-ns")), 404)
        assert "no-such-ns" in body["message"]
        assert_envelope(viewer.get(url(cluster, "/Bad..Name")), 400)

    def test_a_namespace_grant_lists_only_that_namespace(self, make_user: Any, as_role: Any, cluster: Any) -> None:
        from tests.resources.conftest import _client

        user = make_user(role=Role.VIEWER)
        Grant.objects.create(user=user, cluster=cluster, namespace="shop", role=Role.VIEWER)
        client = _client(user)
        assert [i["name"] for i in all_pages(client, url(cluster))] == ["shop"]
        assert_envelope(client.get(url(cluster, "/shop")), 200)
        assert_envelope(client.get(url(cluster, "/default")), 404)
        assert_envelope(client.post(url(cluster), {"name": "mine"}, format="json"), 403)


@pytest.mark.django_db
class TestNamespaceChanges:
    def test_create_with_labels_then_confirmed_delete(self, operator: Any, viewer: Any, cluster: Any,
                                                      kubectl: Any) -> None:
        created = assert_envelope(operator.post(url(cluster), {"name": "team-x", "labels": {"team": "x"}},
                                                format="json"), 201)["data"]
        assert created["name"] == "team-x" and created["labels"]["team"] == "x" and created["pods"] == 0
        assert kubectl.json("get", "namespace", "team-x")["metadata"]["labels"]["team"] == "x"
        listed = all_pages(viewer, url(cluster), labelSelector="team=x")
        assert [i["name"] for i in listed] == ["team-x"]
        assert_envelope(operator.post(url(cluster), {"name": "team-x"}, format="json"), 409)

        refused = assert_envelope(operator.delete(url(cluster, "/team-x")), 400)
        assert "?confirm=team-x" in refused["message"] and "0 pod(s)" in refused["message"]
        assert_envelope(operator.delete(url(cluster, "/team-x?confirm=team-y")), 400)
        assert_envelope(viewer.delete(url(cluster, "/team-x?confirm=team-x")), 403)
        assert_envelope(operator.delete(url(cluster, "/team-x?confirm=team-x")), 200)
        remaining = [i for i in all_pages(viewer, url(cluster)) if i["name"] == "team-x"]
        assert remaining == [] or remaining[0]["status"] == "Terminating"
        out = kubectl.run("get", "namespace", "team-x", "--ignore-not-found", "-o", "name")
        assert out.strip() in ("", "namespace/team-x")

    def test_delete_without_confirm_says_what_would_go(self, operator: Any, cluster: Any, kubectl: Any) -> None:
        body = assert_envelope(operator.delete(url(cluster, "/shop")), 400)
        pods = len(kubectl.json("get", "pods", "-n", "shop")["items"])
        assert f"{pods} pod(s)" in body["message"] and "?confirm=shop" in body["message"]
        assert kubectl.json("get", "namespace", "shop")["status"]["phase"] == "Active"

    def test_bad_bodies(self, operator: Any, cluster: Any) -> None:
        for body in ({}, {"name": "Not_A_Label"}, {"name": "ok", "labels": {"a": 1}}, {"name": "x" * 64},
                     {"name": "ok", "labels": "app=web"}):
            assert_envelope(operator.post(url(cluster), body, format="json"), 400)
        assert_envelope(operator.put(url(cluster, "/shop"), {}, format="json"), 405)
