"""ConfigMaps over HTTP to kubesim: list/filter/page/detail as kubectl sees them, create, guarded update, delete."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api_mixins import assert_envelope, assert_page
from tests.pods.helpers import all_pages
from tests.resources.conftest import CONFIGMAPS, NS

ITEM = {"name", "namespace", "labels", "keys", "createdAt"}


def base(cluster: Any) -> str:
    return f"/api/clusters/{cluster.pk}"


def in_ns(cluster: Any, suffix: str = "", namespace: str = NS) -> str:
    return f"{base(cluster)}/namespaces/{namespace}/configmaps{suffix}"


def kubectl_names(kubectl: Any, *args: str) -> list[tuple[str, str]]:
    return sorted((o["metadata"]["namespace"], o["metadata"]["name"])
                  for o in kubectl.json("get", "configmaps", *args)["items"])


@pytest.mark.django_db
class TestConfigMapList:
    def test_every_namespace_as_kubectl_lists_them(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        items = all_pages(viewer, f"{base(cluster)}/configmaps")
        assert [(i["namespace"], i["name"]) for i in items] == kubectl_names(kubectl, "-A")
        assert all(set(i) == ITEM for i in items)
        web = next(i for i in items if i["name"] == "storefront-settings")
        assert web["keys"] == sorted(CONFIGMAPS["storefront-settings"]) and web["labels"] == {"app": "storefront"}

    def test_one_namespace_by_path_or_query(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        by_path = all_pages(viewer, in_ns(cluster))
        by_query = all_pages(viewer, f"{base(cluster)}/configmaps", namespace=NS)
        assert by_path == by_query
        assert [(i["namespace"], i["name"]) for i in by_path] == kubectl_names(kubectl, "-n", NS)
        assert_envelope(viewer.get(in_ns(cluster, namespace="no-such-ns")), 404)

    def test_filters_and_pages(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), search="FLAGS")] == ["feature-flags"]
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), labelSelector="app=storefront")] == [
            "storefront-settings"]
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), key="workers")] == ["storefront-settings"]
        everything = all_pages(viewer, f"{base(cluster)}/configmaps")
        page = assert_page(assert_envelope(viewer.get(f"{base(cluster)}/configmaps", {"page": 2, "pageSize": 1}),
                                           200))
        assert page == everything[1:2]
        assert_envelope(viewer.get(f"{base(cluster)}/configmaps", {"namespace": "Bad_NS"}), 400)
        assert_envelope(viewer.get(f"{base(cluster)}/configmaps", {"pageSize": 0}), 400)

    def test_detail_has_the_data(self, viewer: Any, cluster: Any, kubectl: Any) -> None:
        detail = assert_envelope(viewer.get(in_ns(cluster, "/storefront-settings")), 200)["data"]
        cm = kubectl.json("get", "configmap", "storefront-settings", "-n", NS)
        assert detail["data"] == cm["data"] == CONFIGMAPS["storefront-settings"]
        assert detail["resourceVersion"] == cm["metadata"]["resourceVersion"]
        assert detail["binaryKeys"] == [] and detail["immutable"] is False
        body = assert_envelope(viewer.get(in_ns(cluster, "/nope")), 404)
        assert "ConfigMap 'nope' not found" in body["message"]


@pytest.mark.django_db
class TestConfigMapChanges:
    def test_create_update_delete_show_in_the_next_list(self, operator: Any, viewer: Any, cluster: Any,
                                                        kubectl: Any) -> None:
        created = assert_envelope(operator.post(in_ns(cluster), {"name": "made-here", "data": {"a": "1"},
                                                                 "labels": {"made": "api"}}, format="json"),
                                  201)["data"]
        assert created["data"] == {"a": "1"}
        assert kubectl.json("get", "configmap", "made-here", "-n", NS)["data"] == {"a": "1"}
        assert [i["name"] for i in all_pages(viewer, in_ns(cluster), labelSelector="made=api")] == ["made-here"]
        assert_envelope(operator.post(in_ns(cluster), {"name": "made-here"}, format="json"), 409)

        rv = created["resourceVersion"]
        updated = assert_envelope(operator.put(in_ns(cluster, "/made-here"),
                                               {"data": {"b": "2"}, "resourceVersion": rv}, format="json"), 200)
        assert updated["data"]["data"] == {"b": "2"} and updated["data"]["labels"] == {"made": "api"}
        stale = assert_envelope(operator.put(in_ns(cluster, "/made-here"),
                                             {"data": {"c": "3"}, "resourceVersion": rv}, format="json"), 409)
        assert "made-here" in stale["message"]
        assert kubectl.json("get", "configmap", "made-here", "-n", NS)["data"] == {"b": "2"}
        assert [i["keys"] for i in all_pages(viewer, in_ns(cluster), search="made-here")] == [["b"]]

        assert_envelope(viewer.delete(in_ns(cluster, "/made-here")), 403)
        assert_envelope(operator.delete(in_ns(cluster, "/made-here")), 200)
        assert all_pages(viewer, in_ns(cluster), search="made-here") == []
        assert kubectl.run("get", "configmap", "made-here", "-n", NS, "--ignore-not-found") == ""
        assert_envelope(operator.delete(in_ns(cluster, "/made-here")), 404)

    def test_bad_bodies(self, operator: Any, cluster: Any) -> None:
        for body in ({}, {"name": "UPPER"}, {"name": "x", "data": {"bad key": "v"}}, {"name": "x", "data": {"k": 1}},
                     {"name": "x", "data": ["k"]}):
            assert_envelope(operator.post(in_ns(cluster), body, format="json"), 400)
        assert_envelope(operator.put(in_ns(cluster, "/storefront-settings"), {"data": {"a": "b"}}, format="json"), 400)
        assert_envelope(operator.post(in_ns(cluster, namespace="no-such-ns"), {"name": "x"}, format="json"), 404)
        assert_envelope(operator.patch(in_ns(cluster, "/storefront-settings"), {}, format="json"), 405)


@pytest.mark.django_db
def test_unknown_kinds_and_verbs_are_enveloped(viewer: Any, operator: Any, cluster: Any) -> None:
    assert_envelope(viewer.get(f"{base(cluster)}/widgets"), 404)
    assert_envelope(viewer.get(f"{base(cluster)}/namespaces/{NS}/widgets"), 404)
    assert_envelope(operator.post(f"{base(cluster)}/configmaps", {"name": "x"}, format="json"), 405)
    assert_envelope(operator.post(f"{base(cluster)}/pods", {}, format="json"), 405)
    assert_envelope(operator.put(f"{base(cluster)}/nodes/worker-1", {}, format="json"), 405)
