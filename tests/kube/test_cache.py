"""The watch cache against kubesim over real HTTPS: list, watch, 410, read-your-writes, fallback, threads."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings

from common.permissions import Role
from kube import cache, clients, gateway
from kube.raw import read_json
from tests.api_mixins import assert_envelope
from tests.conftest import register_sim
from tests.pods.helpers import all_pages, deployment_url, pod_url, pods_url

LISTS = {
    "pods": lambda c: gateway.core_v1(c).list_pod_for_all_namespaces,
    "nodes": lambda c: gateway.core_v1(c).list_node,
    "deployments": lambda c: gateway.apps_v1(c).list_deployment_for_all_namespaces,
    "statefulsets": lambda c: gateway.apps_v1(c).list_stateful_set_for_all_namespaces,
    "daemonsets": lambda c: gateway.apps_v1(c).list_daemon_set_for_all_namespaces,
    "jobs": lambda c: gateway.batch_v1(c).list_job_for_all_namespaces,
    "cronjobs": lambda c: gateway.batch_v1(c).list_cron_job_for_all_namespaces,
}


@pytest.fixture(autouse=True)
def _cache_on(settings: Any, fresh_kubesim: Any) -> Iterator[None]:
    """The watch cache on (through pytest-django's `settings`, so every override unwinds in order), and every
    cache stopped before the private sims stop (an open watch would hold up the server's shutdown)."""
    settings.KUBE_WATCH_CACHE = True
    settings.KUBE_WATCH_CACHE_SYNC_WAIT = 1.0
    yield
    cache.shutdown_all()


def cache_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("kube-watch-cache-") and t.is_alive()]


def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(interval)


def not_expected() -> list[dict[str, Any]]:
    raise AssertionError("the cache should have answered, not the direct read")


def cached(cluster: Any, resource: str, **filters: Any) -> list[dict[str, Any]]:
    return cache.list_objects(cluster, resource, fallback=not_expected, **filters)


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["metadata"].get("namespace") or "", o["metadata"]["name"]): o for o in objects}


def bare_pod(name: str, namespace: str = "default", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {"made-by": "test-cache"}},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]}}


def the_cache(cluster: Any, resource: str) -> cache.ResourceCache:
    return next(c for c in cache.caches() if c.key[0] == cluster.pk and c.key[2] == resource)


@pytest.fixture
def still(db: Any, fresh_kubesim: Any) -> tuple[Any, Any]:
    """A private demo sim whose controllers do not run (a cluster that holds still), and its record."""
    sim = fresh_kubesim(tick=3600)
    return sim, register_sim(sim, name=f"still-{sim.port}")


@pytest.fixture
def live(db: Any, fresh_kubesim: Any) -> tuple[Any, Any]:
    """A private demo sim with fast controllers, and its record."""
    sim = fresh_kubesim(tick=0.2, start_seconds=0.2)
    return sim, register_sim(sim, name=f"live-{sim.port}")


# --- list, then watch --------------------------------------------------------------------------------

@pytest.mark.parametrize("resource", list(LISTS))
def test_initial_list_equals_a_direct_list(still: tuple[Any, Any], resource: str) -> None:
    sim, cluster = still
    direct = read_json(cluster, LISTS[resource](cluster))
    assert direct["items"], f"the demo fleet should have {resource}"
    from_cache = cached(cluster, resource)
    assert sim.store.resource_version == int(direct["metadata"]["resourceVersion"])  # nothing changed meanwhile
    assert by_key(from_cache) == by_key(direct["items"])
    assert the_cache(cluster, resource).stats["lists"] == 1


def test_paginated_initial_list_is_complete(still: tuple[Any, Any], settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_PAGE_SIZE = 3
    _, cluster = still
    direct = read_json(cluster, LISTS["pods"](cluster))["items"]
    assert len(direct) > 3 * 3
    assert by_key(cached(cluster, "pods")) == by_key(direct)


def test_filters_match_the_api_servers(still: tuple[Any, Any]) -> None:
    _, cluster = still
    core = gateway.core_v1(cluster)
    some_node = read_json(cluster, core.list_node)["items"][0]["metadata"]["name"]
    cases = [
        ({"namespace": "default"}, lambda: read_json(cluster, core.list_namespaced_pod, "default")),
        ({"node_name": some_node},
         lambda: read_json(cluster, core.list_pod_for_all_namespaces, field_selector=f"spec.nodeName={some_node}")),
        ({"namespace": "default", "label_selector": "app=nginx"},
         lambda: read_json(cluster, core.list_namespaced_pod, "default", label_selector="app=nginx")),
        ({"label_selector": "app in (nginx,redis),!no-such-label"},
         lambda: read_json(cluster, core.list_pod_for_all_namespaces,
                           label_selector="app in (nginx,redis),!no-such-label")),
    ]
    for filters, direct in cases:
        expected = by_key(direct()["items"])
        assert expected, filters
        assert by_key(cached(cluster, "pods", **filters)) == expected, filters


def test_changes_in_the_cluster_arrive_through_the_watch(still: tuple[Any, Any]) -> None:
    sim, cluster = still
    assert ("default", "watched") not in by_key(cached(cluster, "pods"))
    sim.store.create("pods", bare_pod("watched"))  # made behind our back, straight in the cluster's store
    added = eventually(lambda: by_key(cached(cluster, "pods")).get(("default", "watched")), timeout=5)
    assert added["spec"]["containers"][0]["image"] == "busybox:1.36"

    def relabel(pod: dict[str, Any]) -> dict[str, Any]:
        pod["metadata"]["labels"]["colour"] = "blue"
        return pod

    sim.store.mutate("pods", "default", "watched", relabel)
    eventually(lambda: (by_key(cached(cluster, "pods")).get(("default", "watched")) or {})
               .get("metadata", {}).get("labels", {}).get("colour") == "blue", timeout=5)
    sim.store.remove("pods", "default", "watched")
    eventually(lambda: ("default", "watched") not in by_key(cached(cluster, "pods")), timeout=5)
    watcher = the_cache(cluster, "pods")
    assert watcher.stats["lists"] == 1  # all of it came through the watch, no relist
    assert watcher.stats["ADDED"] == watcher.stats["MODIFIED"] == watcher.stats["DELETED"] == 1
    assert watcher.resource_version == str(sim.store.resource_version)


def test_change_through_the_official_client_shows_in_the_rest_list(still: tuple[Any, Any], admin_api: Any) -> None:
    sim, cluster = still
    assert all_pages(admin_api, pods_url(cluster), namespace="default")  # warms the cache
    client = clients.client_for(cluster)
    from kubernetes import client as k8s  # the official client, used as any other writer would

    k8s.CoreV1Api(client).create_namespaced_pod("default", bare_pod("from-kubectl-like-writer"))
    names = eventually(lambda: {p["name"] for p in all_pages(admin_api, pods_url(cluster), namespace="default")
                                if p["name"] == "from-kubectl-like-writer"}, timeout=5)
    assert names == {"from-kubectl-like-writer"}
    assert the_cache(cluster, "pods").stats["lists"] == 1


def test_410_gone_makes_the_cache_relist(still: tuple[Any, Any], settings: Any) -> None:
    """The API server stalls long enough for the watch to time out, and compacts its history meanwhile.

    kubesim serves from one asyncio loop (`sim._loop`): a blocking call on it is an unresponsive API server. The
    cache's next watch asks for a resourceVersion older than the compaction: 410 Expired, so it must relist.
    """
    settings.KUBE_WATCH_CACHE_WATCH_SECONDS = 1
    settings.KUBE_READ_TIMEOUT = 0.5
    settings.KUBE_CONNECT_TIMEOUT = 0.5
    sim, cluster = still
    assert ("default", "missed") not in by_key(cached(cluster, "pods"))
    watcher = the_cache(cluster, "pods")
    eventually(lambda: watcher.stats["watches"] >= 1)
    sim._loop.call_soon_threadsafe(time.sleep, 3.0)  # the API server stops answering for 3 s
    time.sleep(0.3)
    sim.store.create("pods", bare_pod("missed"))
    sim.store.compact("pods")  # etcd compaction: the history the cache would resume from is gone
    eventually(lambda: watcher.stats["expired"] >= 1, timeout=20)
    eventually(lambda: ("default", "missed") in by_key(cached(cluster, "pods")), timeout=10)
    assert watcher.stats["lists"] >= 2
    assert by_key(cached(cluster, "pods")) == by_key(read_json(cluster, LISTS["pods"](cluster))["items"])


# --- read-your-writes ----------------------------------------------------------------------------------

def test_scale_then_list_reads_our_write(live: tuple[Any, Any], api: Any) -> None:
    sim, cluster = live
    operator = api(Role.OPERATOR)
    workloads = f"/api/clusters/{cluster.pk}/workloads"
    before = assert_envelope(operator.get(workloads, {"type": "deployment", "namespace": "default"}), 200)
    assert {w["name"]: w["replicas"] for w in before["data"]["items"]}["nginx"] == 3
    assert len([p for p in all_pages(operator, pods_url(cluster), namespace="default")
                if p["name"].startswith("nginx-")]) == 3

    assert_envelope(operator.post(deployment_url(cluster, "default", "nginx", "/scale"), {"replicas": 5},
                                  format="json"), 200)
    after = assert_envelope(operator.get(workloads, {"type": "deployment", "namespace": "default"}), 200)
    assert {w["name"]: w["replicas"] for w in after["data"]["items"]}["nginx"] == 5  # at once, no polling

    deployments = the_cache(cluster, "deployments")
    assert deployments.stats["consistent_reads"] == 1  # the read waited for our write ...
    assert deployments.stats["relists_for_reads"] == 0  # ... and the write's own watch event sufficed

    # the pods are the controller's doing, a moment later in the cluster itself (a direct list made right after
    # the scale would not show them either); the cached list follows the cluster
    def nginx_pods_in_cluster() -> set[str]:
        pods = [p for p in sim.store.list("pods", "default") if p["metadata"]["name"].startswith("nginx-")
                and not p["metadata"].get("deletionTimestamp")]
        return {p["metadata"]["name"] for p in pods} if len(pods) == 5 else set()

    truth = eventually(nginx_pods_in_cluster, timeout=10)
    eventually(lambda: {p["name"] for p in all_pages(operator, pods_url(cluster), namespace="default")
                        if p["name"].startswith("nginx-")} == truth, timeout=5)


def test_our_patch_is_read_back_at_once(still: tuple[Any, Any]) -> None:
    _, cluster = still
    pod = next(p for p in cached(cluster, "pods", namespace="default"))
    name = pod["metadata"]["name"]
    for n in range(5):
        read_json(cluster, gateway.core_v1(cluster).patch_namespaced_pod, name, "default",
                  {"metadata": {"labels": {"round": str(n)}}}, _content_type=gateway.MERGE_PATCH)
        mine = by_key(cached(cluster, "pods", namespace="default"))[("default", name)]
        assert mine["metadata"]["labels"]["round"] == str(n)  # no polling: the read waited for our write
    watcher = the_cache(cluster, "pods")
    assert watcher.stats["consistent_reads"] == 5 and watcher.stats["relists_for_reads"] == 0


def test_delete_pod_then_list_reads_our_write(live: tuple[Any, Any], api: Any) -> None:
    sim, cluster = live
    operator = api(Role.OPERATOR)
    pods = all_pages(operator, pods_url(cluster), namespace="default")
    victim = next(p["name"] for p in pods if p["name"].startswith("nginx-"))
    assert_envelope(operator.delete(pod_url(cluster, "default", victim)), 200)
    after = {p["name"]: p for p in all_pages(operator, pods_url(cluster), namespace="default")}
    stored = sim.store.get("pods", "default", victim)
    if stored is None:
        assert victim not in after
    else:  # graceful deletion: the pod is Terminating, and the list says so at once
        assert stored["metadata"].get("deletionTimestamp")
        assert after[victim]["status"] == "Terminating"


def test_cordon_then_list_nodes_reads_our_write(still: tuple[Any, Any], admin_api: Any) -> None:
    _, cluster = still
    nodes_url = f"/api/clusters/{cluster.pk}/nodes"
    nodes = assert_envelope(admin_api.get(nodes_url), 200)["data"]["items"]
    target = next(n["name"] for n in nodes if not n["unschedulable"])
    assert_envelope(admin_api.post(f"{nodes_url}/{target}/cordon"), 200)
    after = {n["name"]: n for n in assert_envelope(admin_api.get(nodes_url), 200)["data"]["items"]}
    assert after[target]["unschedulable"] is True
    assert the_cache(cluster, "nodes").stats["lists"] >= 1


def test_node_pod_counts_from_the_cache_match_the_direct_counts(still: tuple[Any, Any], admin_api: Any) -> None:
    _, cluster = still
    from clusters.nodes import selectors

    with override_settings(KUBE_WATCH_CACHE=False):
        direct = selectors.live_pod_counts(cluster=cluster)
    assert direct
    assert selectors.live_pod_counts(cluster=cluster) == direct
    assert the_cache(cluster, "pods").stats["lists"] == 1


# --- fallback ------------------------------------------------------------------------------------------

def test_unreachable_cluster_answers_502_from_the_direct_read(db: Any, fresh_kubesim: Any, admin_api: Any) -> None:
    sim = fresh_kubesim(tick=3600)
    cluster = register_sim(sim, name="gone")
    sim.stop()
    body = assert_envelope(admin_api.get(pods_url(cluster)), 502)  # the initial list this read waited for
    assert "gone" in body["message"]
    body = assert_envelope(admin_api.get(pods_url(cluster)), 502)  # the cache is backing off: a direct read
    assert "gone" in body["message"]
    assert the_cache(cluster, "pods").stats["fallbacks"] >= 1


def test_a_cluster_that_dies_is_not_served_from_old_data(db: Any, fresh_kubesim: Any, admin_api: Any,
                                                         settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_STALE_SECONDS = 0.5
    settings.KUBE_WATCH_CACHE_WATCH_SECONDS = 1
    sim = fresh_kubesim(tick=3600)
    cluster = register_sim(sim, name="dying")
    assert all_pages(admin_api, pods_url(cluster))
    sim.stop()
    eventually(lambda: admin_api.get(pods_url(cluster)).status_code == 502, timeout=10, interval=0.2)


def test_cache_off_starts_no_threads(still: tuple[Any, Any], admin_api: Any, settings: Any) -> None:
    settings.KUBE_WATCH_CACHE = False
    _, cluster = still
    assert all_pages(admin_api, pods_url(cluster))
    assert cache.cached_objects(cluster, "pods") is None
    assert not cache.caches() and not cache_threads()


# --- lifecycle -------------------------------------------------------------------------------------------

def test_threads_end_when_the_client_is_dropped_and_on_shutdown(still: tuple[Any, Any], admin_api: Any) -> None:
    _, cluster = still
    assert not cache_threads()
    for url in ("pods", "nodes", "workloads"):
        assert_envelope(admin_api.get(f"/api/clusters/{cluster.pk}/{url}"), 200)
    started = cache_threads()
    assert {t.name for t in started} >= {f"kube-watch-cache-{cluster.pk}-{r}" for r in ("pods", "nodes",
                                                                                      "deployments", "cronjobs")}
    clients.drop_client(cluster.pk)  # what updating or deleting the cluster does
    eventually(lambda: not any(t.is_alive() for t in started), timeout=10)
    assert not cache.caches()

    assert_envelope(admin_api.get(pods_url(cluster)), 200)
    assert cache_threads()
    cache.shutdown_all()
    assert not cache_threads() and not cache.caches()


def test_idle_caches_stop(still: tuple[Any, Any], settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_IDLE_SECONDS = 1.0
    _, cluster = still
    assert cached(cluster, "pods")
    thread = the_cache(cluster, "pods").thread
    eventually(lambda: not thread.is_alive(), timeout=10)
    assert not cache.caches()
    assert cached(cluster, "pods")  # the next read starts a new one


def test_a_new_cache_after_shutdown_reuses_the_client(still: tuple[Any, Any]) -> None:
    _, cluster = still
    before = by_key(cached(cluster, "pods"))
    client = clients.client_for(cluster)
    cache.shutdown_all()  # shuts the open watch connection
    assert clients.client_for(cluster) is client
    assert by_key(cached(cluster, "pods")) == before  # a shut-down connection never went back to the pool


# --- derived items ----------------------------------------------------------------------------------------

def test_transform_is_computed_once_per_object_version(still: tuple[Any, Any]) -> None:
    sim, cluster = still
    calls: list[str] = []

    def shape(pod: dict[str, Any]) -> dict[str, Any]:
        calls.append(pod["metadata"]["name"])
        return {"name": pod["metadata"]["name"], "labels": dict(pod["metadata"].get("labels") or {})}

    def listed() -> dict[str, dict[str, Any]]:
        items = cache.list_objects(cluster, "pods", namespace="default", transform=shape, fallback=not_expected)
        return {i["name"]: i for i in items}

    first = listed()
    assert len(calls) == len(first) > 1
    assert listed() == first and len(calls) == len(first)  # nothing recomputed
    name = sorted(first)[0]
    sim.store.mutate("pods", "default", name, lambda p: {**p, "metadata": {**p["metadata"], "labels": {"v": "2"}}})
    eventually(lambda: listed()[name]["labels"] == {"v": "2"}, timeout=5)
    assert calls.count(name) == 2 and len(calls) == len(first) + 1  # only the changed pod


def test_label_selectors_parse_like_the_api_servers() -> None:
    from common.errors import InvalidRequest
    from kube.cache_filters import label_matcher

    labels = {"app": "web", "tier": "front"}
    truths = {"app=web": True, "app==web": True, "app!=web": False, "app in (web, db)": True,
              "tier notin (front)": False, "missing": False, "!missing": True, "app,tier=front": True,
              "app=web,tier in (back)": False, "missing!=x": True, "missing notin (x)": True}
    for selector, expected in truths.items():
        matcher = label_matcher(selector)
        assert matcher is not None and matcher(labels) is expected, selector
    assert label_matcher("") is None
    with pytest.raises(InvalidRequest):
        label_matcher("app=(web")
