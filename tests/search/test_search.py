"""GET /api/search: names and labels across clusters, access, per-cluster errors, deadlines, bad input."""
from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import override_settings

from accounts.models import Grant
from clusters.models import Cluster
from common.permissions import Role
from kube import cache
from search import selectors
from search.selectors import KINDS as SEARCH_KINDS
from tests.conftest import bearer_client, register_sim
from tests.search.conftest import register_at

pytestmark = pytest.mark.django_db


def hits_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["data"]["items"]


def test_finds_a_pod_by_partial_name_across_two_clusters_one_of_them_down(
        api: Any, kubesim: Any, closed_port: int) -> None:
    alive = register_sim(kubesim, "alive")
    dead = register_at(kubesim, "dead", f"https://127.0.0.1:{closed_port}")

    def web_pods() -> set[str]:
        names = (p["metadata"]["name"] for p in kubesim.cluster.store.list("pods"))
        return {name for name in names if name.startswith("web-")}

    before = web_pods()
    started = time.monotonic()
    response = api(Role.VIEWER).get("/api/search?q=WEB-&kinds=pod&pageSize=100")
    assert time.monotonic() - started < 5
    after = web_pods()
    data = response.json()["data"]
    found = {h["name"] for h in data["items"]}
    # `WEB-` (a partial name, any case; "w" is no hex digit, so no random uid label can contain it).
    # The shared simulator's controllers may replace a pod meanwhile: whatever existed throughout is found,
    # and nothing that never existed.
    assert before & after and before & after <= found <= before | after
    assert data["total"] == len(data["items"]) == len(found)
    assert {(h["clusterId"], h["clusterName"], h["kind"], h["namespace"]) for h in data["items"]} == {
        (alive.pk, "alive", "Pod", "shop")}
    assert all(h["name"].startswith("web-") and h["status"] for h in data["items"])
    assert [e["clusterId"] for e in data["errors"]] == [dead.pk]
    assert data["errors"][0]["clusterName"] == "dead" and "dead" in data["errors"][0]["message"]


def test_a_silent_cluster_costs_no_more_than_the_deadline(api: Any, kubesim: Any, silent_port: int) -> None:
    alive = register_sim(kubesim, "alive")
    hung = register_at(kubesim, "hung", f"https://127.0.0.1:{silent_port}")
    # A first search starts the watch caches (on by default); once the live cluster's are warm, the silent one
    # is all that is left to wait for, and it must cost no more than the deadline.
    api(Role.VIEWER).get("/api/search?q=nginx")
    kinds = {kind.resource for kind in SEARCH_KINDS.values()}
    settle = time.monotonic() + 60
    while not all(cache.warm(alive, resource) for resource in kinds):
        assert time.monotonic() < settle, "the live cluster's caches did not warm up"
        time.sleep(0.1)
    with override_settings(SEARCH_CLUSTER_TIMEOUT=0.5):
        started = time.monotonic()
        response = api(Role.VIEWER).get("/api/search?q=nginx")
        elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 1.5, f"the search took {elapsed:.2f} s with a 0.5 s deadline"
    data = response.json()["data"]
    assert data["total"] > 0 and {h["clusterName"] for h in data["items"]} == {"alive"}
    assert [(e["clusterId"], e["clusterName"]) for e in data["errors"]] == [(hung.pk, "hung")]


def test_hits_are_sorted_by_cluster_kind_namespace_name_and_paginated(api: Any, kubesim: Any) -> None:
    register_sim(kubesim, "b-cluster")
    register_sim(kubesim, "a-cluster")
    client = api(Role.VIEWER)
    everything = client.get("/api/search?q=e&pageSize=100").json()["data"]
    keys = [(h["clusterName"], h["kind"], h["namespace"] or "", h["name"]) for h in everything["items"]]
    assert keys == sorted(keys) and keys[0][0] == "a-cluster" and keys[-1][0] == "b-cluster"
    assert len({h["kind"] for h in everything["items"]}) >= 4  # pods, nodes and workloads all matched "e"
    second = client.get("/api/search?q=e&pageSize=3&page=2").json()["data"]
    assert second["total"] == everything["total"] and second["page"] == 2 and second["pageSize"] == 3
    assert [h["name"] for h in second["items"]] == [h["name"] for h in everything["items"][3:6]]
    past = client.get("/api/search?q=e&page=100000").json()["data"]
    assert past["items"] == [] and past["total"] == everything["total"]


def test_kinds_filter(api: Any, kubesim: Any) -> None:
    register_sim(kubesim)
    client = api(Role.VIEWER)
    everything = hits_of(client.get("/api/search?q=web&pageSize=100"))
    assert {"Pod", "Deployment"} <= {h["kind"] for h in everything}
    deployments = hits_of(client.get("/api/search?q=web&kinds=deployment&pageSize=100"))
    assert [(h["kind"], h["namespace"], h["name"]) for h in deployments] == [("Deployment", "shop", "web")]
    assert deployments[0]["status"] in {"Available", "Progressing", "Degraded", "Unavailable"}
    nodes = hits_of(client.get("/api/search?q=worker&kinds=node,Pod"))
    assert {h["kind"] for h in nodes} == {"Node"} and all(h["namespace"] is None for h in nodes)
    assert {h["status"] for h in nodes} == {"Ready", "NotReady"}  # worker-4 is not ready in the demo fleet


def test_label_match_key_value_and_value_substring(api: Any, kubesim: Any) -> None:
    register_sim(kubesim)
    client = api(Role.VIEWER)
    exact = hits_of(client.get("/api/search?q=tier=frontend&pageSize=100"))
    web_pods = {p["metadata"]["name"] for p in kubesim.cluster.store.list("pods")
                if (p["metadata"].get("labels") or {}).get("tier") == "frontend"}
    assert web_pods and {h["name"] for h in exact if h["kind"] == "Pod"} == web_pods
    assert ("Deployment", "web") in {(h["kind"], h["name"]) for h in exact}
    by_value = hits_of(client.get("/api/search?q=FRONTEN&kinds=pod&pageSize=100"))  # a value's substring, any case
    assert {h["name"] for h in by_value} == web_pods
    assert hits_of(client.get("/api/search?q=tier=Frontend&kinds=pod")) == []  # key=value is exact
    assert hits_of(client.get("/api/search?q=tier&kinds=pod")) == []  # keys alone do not match


def test_scoped_user_finds_only_what_their_grant_shows(make_user: Any, kubesim: Any) -> None:
    granted, other = register_sim(kubesim, "granted"), register_sim(kubesim, "other")
    user = make_user(role=Role.VIEWER)
    Grant.objects.create(user=user, cluster=granted, namespace="shop", role=Role.VIEWER)
    client = bearer_client(user)
    hits = hits_of(client.get("/api/search?q=e&pageSize=100"))
    assert hits and {(h["clusterId"], h["namespace"]) for h in hits} == {(granted.pk, "shop")}
    assert hits_of(client.get("/api/search?q=nginx")) == []  # nginx lives in `default`
    assert hits_of(client.get("/api/search?q=e&namespace=default")) == []
    assert hits_of(client.get("/api/search?q=worker&kinds=node")) == []  # no whole-cluster grant: no nodes
    response = client.get(f"/api/search?q=e&clusterId={other.pk}")
    assert response.status_code == 404 and response.json()["data"] is None


def test_nodes_need_a_whole_cluster_grant(make_user: Any, kubesim: Any) -> None:
    whole, partial = register_sim(kubesim, "whole"), register_sim(kubesim, "partial")
    user = make_user(role=Role.VIEWER)
    Grant.objects.create(user=user, cluster=whole, role=Role.VIEWER)
    Grant.objects.create(user=user, cluster=partial, namespace="shop", role=Role.VIEWER)
    hits = hits_of(bearer_client(user).get("/api/search?q=worker&kinds=node,pod&pageSize=100"))
    assert hits and {(h["clusterName"], h["kind"]) for h in hits} == {("whole", "Node")}


def test_cluster_and_namespace_filters(api: Any, kubesim: Any) -> None:
    one, two = register_sim(kubesim, "one"), register_sim(kubesim, "two")
    client = api(Role.VIEWER)
    hits = hits_of(client.get(f"/api/search?q=e&clusterId={two.pk}&namespace=shop&pageSize=100"))
    assert hits and {(h["clusterId"], h["namespace"]) for h in hits} == {(two.pk, "shop")}
    assert "Node" not in {h["kind"] for h in hits}
    assert client.get(f"/api/search?q=e&clusterId={one.pk + two.pk + 100}").status_code == 404


@pytest.mark.parametrize(("query", "field"), [
    ("", "q"),
    ("?q=", "q"),
    ("?q=" + "a" * 254, "q"),
    ("?q=web&kinds=pod,service", "kinds"),
    ("?q=web&namespace=Bad_NS", "namespace"),
    ("?q=web&namespace=..", "namespace"),
    ("?q=web&clusterId=abc", "clusterId"),
    ("?q=web&page=0", "page"),
])
def test_bad_input_is_a_400_naming_the_parameter(api: Any, query: str, field: str) -> None:
    response = api(Role.VIEWER).get(f"/api/search{query}")
    body = response.json()
    assert response.status_code == 400 and body["code"] == 400
    assert list(body["data"]["errors"]) == [field]
    if field == "kinds":
        assert "service" in body["data"]["errors"]["kinds"][0]


def test_viewer_may_search_and_anonymous_may_not(api: Any, anon_api: Any, kubesim: Any) -> None:
    register_sim(kubesim)
    assert hits_of(api(Role.VIEWER).get("/api/search?q=nginx"))
    response = anon_api.get("/api/search?q=nginx")
    assert response.status_code == 401 and response.json()["code"] == 401


def test_warm_caches_answer_without_listing_the_cluster(api: Any, kubesim: Any, monkeypatch: Any) -> None:
    """With the watch cache on, the first search starts the caches; once warm, no direct list is made."""
    register_sim(kubesim, "cached")
    client = api(Role.VIEWER)
    with override_settings(KUBE_WATCH_CACHE=True):
        first = hits_of(client.get("/api/search?q=web&pageSize=100"))  # cold: direct lists, caches started
        deadline = time.monotonic() + 10
        from kube import cache
        while not all(cache.warm(c, k.resource) for c in [Cluster.objects.get(name="cached")]
                      for k in selectors.KINDS.values()):
            assert time.monotonic() < deadline, "the caches never finished their first list"
            time.sleep(0.05)

        def refuse(*args: Any, **kwargs: Any) -> list[Any]:
            raise AssertionError("a direct list although the cache is warm")

        for key, kind in selectors.KINDS.items():
            monkeypatch.setitem(selectors.KINDS, key, selectors.SearchKind(
                kind.kind, kind.resource, kind.namespaced, kind.status, refuse))
        assert hits_of(client.get("/api/search?q=web&pageSize=100")) == first
