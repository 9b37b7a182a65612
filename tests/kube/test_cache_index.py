"""The lean watch cache's indexes (kube/cache_index.py) stay exact through every kind of change, over real HTTPS to
kubesim: adds, updates, deletes, moves between nodes, status changes, a 410 relist and a broken watch; and a
read during the first list of a big cluster gets a direct read or a 503 with Retry-After, never a hang."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.test import override_settings

from clusters.nodes import selectors as node_selectors
from kube import cache
from kube.cache_index import Index
from kube.cache_rows import Interner, make_record
from pods.selectors import pod_item, pod_list
from tests.api_mixins import assert_envelope
from tests.conftest import register_sim
from tests.kube.test_cache import _cache_on, bare_pod, eventually, the_cache  # noqa: F401
from tests.kube.test_cache import still as still  # noqa: F401 - the fixture
from tests.pods.helpers import pods_url


def assert_consistent(index: Index) -> None:
    """Every index equals the one rebuilt from the records from scratch."""
    records = index.records

    def grouped(bucket: Any) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in sorted(records):
            name = bucket(records[key])
            if name is not None:
                out[name].append(key)
        return dict(out)

    assert list(index.order) == sorted(records)
    assert {k: list(v) for k, v in index.by_namespace.items()} == grouped(lambda r: r.key[0])
    assert {k: list(v) for k, v in index.by_node.items()} == grouped(lambda r: r.node or None)
    states: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(records):
        for state in sorted({(records[key].status or "").lower(), (records[key].phase or "").lower()}):
            states[state].append(key)
    assert {k: list(v) for k, v in index.by_status.items()} == dict(states)
    assert index.node_phase == Counter((r.node, r.phase or "") for r in records.values() if r.node)


def live_index(cluster: Any) -> Index:
    return the_cache(cluster, "pods")._index


FILTERS: list[dict[str, Any]] = [{}, {"namespace": "default"}, {"status": "running"}, {"status": "PENDING"},
                                 {"status": "failed"}, {"search": "idx-"}, {"namespace": "default", "search": "n"}]


def same_as_direct(cluster: Any, node_names: list[str]) -> bool:
    """Every filtered list from the cache equals the direct one (read just before), and the indexes are whole."""
    cases = FILTERS + [{"node_name": n} for n in node_names] + [{"node_name": node_names[0], "status": "running"}]
    for filters in cases:
        with override_settings(KUBE_WATCH_CACHE=False):
            direct = list(pod_list(cluster=cluster, **filters))
        rows = pod_list(cluster=cluster, **filters)
        assert isinstance(rows, cache.Rows), "the cache should answer"
        if list(rows) != direct or len(rows) != len(direct) or rows[:5] != direct[:5]:
            return False
    with override_settings(KUBE_WATCH_CACHE=False):
        direct_counts = node_selectors.live_pod_counts(cluster=cluster)
    if node_selectors.live_pod_counts(cluster=cluster) != direct_counts:
        return False
    assert_consistent(live_index(cluster))
    return True


def nodes_of(sim: Any) -> list[str]:
    return sorted(n["metadata"]["name"] for n in sim.store.list("nodes"))


def set_node(name: str) -> Any:
    def change(pod: dict[str, Any]) -> dict[str, Any]:
        pod["spec"]["nodeName"] = name
        return pod
    return change


def set_phase(phase: str, waiting: str | None = None) -> Any:
    def change(pod: dict[str, Any]) -> dict[str, Any]:
        pod.setdefault("status", {})["phase"] = phase
        if waiting:
            pod["status"]["containerStatuses"] = [{"name": "main", "ready": False, "restartCount": 3,
                                                   "state": {"waiting": {"reason": waiting}}}]
        return pod
    return change


def test_indexes_follow_adds_updates_moves_status_changes_and_deletes(still: tuple[Any, Any]) -> None:
    sim, cluster = still
    nodes = nodes_of(sim)
    assert len(nodes) >= 2
    assert same_as_direct(cluster, nodes)  # starts the lean cache: the first list
    watcher = the_cache(cluster, "pods")
    assert watcher._index.raw is None  # lean: no whole objects kept

    for i in range(3):  # adds
        sim.store.create("pods", bare_pod(f"idx-{i}", labels={"made-by": "test-index", "n": str(i)}))
    eventually(lambda: same_as_direct(cluster, nodes))
    sim.store.mutate("pods", "default", "idx-0", set_node(nodes[0]))  # bound to a node
    sim.store.mutate("pods", "default", "idx-1", set_node(nodes[0]))
    eventually(lambda: same_as_direct(cluster, nodes))
    sim.store.mutate("pods", "default", "idx-0", set_node(nodes[1]))  # moved between nodes
    sim.store.mutate("pods", "default", "idx-1", set_phase("Running"))  # status changes
    sim.store.mutate("pods", "default", "idx-2", set_phase("Pending", waiting="CrashLoopBackOff"))
    eventually(lambda: same_as_direct(cluster, nodes))
    sim.store.mutate("pods", "default", "idx-1", set_phase("Failed"))  # a terminal phase leaves the node count
    sim.store.mutate("pods", "default", "idx-0", lambda p: {**p, "metadata": {**p["metadata"], "labels": {"v": "2"}}})
    eventually(lambda: same_as_direct(cluster, nodes))
    rows = cache.rows(cluster, "pods", namespace="default", label_selector="v=2")
    assert rows is not None and [r["name"] for r in rows] == ["idx-0"]
    for i in range(3):  # deletes
        sim.store.remove("pods", "default", f"idx-{i}")
    eventually(lambda: same_as_direct(cluster, nodes))
    assert not [k for k in live_index(cluster).records if k[1].startswith("idx-")]
    assert watcher.stats["lists"] == 1  # every change came through the watch


def test_a_410_relist_rebuilds_the_indexes(still: tuple[Any, Any], settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_WATCH_SECONDS = 1
    settings.KUBE_READ_TIMEOUT = 0.5
    settings.KUBE_CONNECT_TIMEOUT = 0.5
    sim, cluster = still
    nodes = nodes_of(sim)
    assert same_as_direct(cluster, nodes)
    watcher = the_cache(cluster, "pods")
    eventually(lambda: watcher.stats["watches"] >= 1)
    victim = next(k for k in live_index(cluster).records if k[0] == "default")
    sim._loop.call_soon_threadsafe(time.sleep, 3.0)  # the API server stops answering for 3 s
    time.sleep(0.3)
    sim.store.create("pods", bare_pod("idx-missed"))
    sim.store.mutate("pods", "default", "idx-missed", set_node(nodes[-1]))
    sim.store.remove("pods", *victim)
    sim.store.compact("pods")  # the history the watch would resume from is gone: 410, relist
    eventually(lambda: watcher.stats["expired"] >= 1, timeout=20)
    eventually(lambda: ("default", "idx-missed") in live_index(cluster).records, timeout=10)
    assert watcher.stats["lists"] >= 2
    settings.KUBE_READ_TIMEOUT = 30
    eventually(lambda: same_as_direct(cluster, nodes))
    assert victim not in live_index(cluster).records


def test_a_broken_watch_resumes_and_the_indexes_stay_exact(still: tuple[Any, Any]) -> None:
    sim, cluster = still
    nodes = nodes_of(sim)
    assert same_as_direct(cluster, nodes)
    watcher = the_cache(cluster, "pods")
    eventually(lambda: watcher.stats["watches"] >= 1)
    watches = watcher.stats["watches"]
    watcher._abort_stream()  # the watch's connection breaks
    sim.store.create("pods", bare_pod("idx-during-break"))
    sim.store.mutate("pods", "default", "idx-during-break", set_node(nodes[0]))
    eventually(lambda: watcher.stats["watches"] > watches)
    eventually(lambda: same_as_direct(cluster, nodes))
    assert ("default", "idx-during-break") in live_index(cluster).records
    assert watcher.stats["lists"] == 1  # resumed from its resourceVersion: no relist


def test_a_whole_read_makes_a_lean_cache_keep_whole_objects(still: tuple[Any, Any]) -> None:
    sim, cluster = still
    assert cache.rows(cluster, "pods") is not None
    watcher = the_cache(cluster, "pods")
    assert watcher._index.raw is None
    whole = cache.list_objects(cluster, "pods", fallback=lambda: pytest.fail("the cache should answer"))
    assert {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in whole} == set(live_index(cluster).records)
    assert watcher.stats["lists"] == 2 and the_cache(cluster, "pods") is watcher


def test_index_unit_moves_and_status_buckets() -> None:
    """The indexes without a server: one pod moved between nodes and through phases, then deleted."""
    index, interner = Index(), Interner()

    def pod(name: str, node: str | None, phase: str, ns: str = "a") -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": ns, "labels": {"app": "x"}},
                "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]}, "status": {"phase": phase}}

    for obj in (pod("p1", "n1", "Pending"), pod("p2", "n1", "Running"), pod("p0", None, "Pending", ns="b")):
        index.put(make_record("pods", obj, interner))
    index.put(make_record("pods", pod("p1", "n2", "Running"), interner))
    index.put(make_record("pods", pod("p2", "n1", "Succeeded"), interner))
    assert_consistent(index)
    assert index.node_phase == Counter({("n2", "Running"): 1, ("n1", "Succeeded"): 1})
    rows = index.query(_Lock(), status="running")
    assert [r["name"] for r in rows] == ["p1"] and rows[0] == pod_item(pod("p1", "n2", "Running"))
    assert [r["name"] for r in index.query(_Lock(), namespaces={"b"})] == ["p0"]
    assert [r["name"] for r in index.query(_Lock(), node_name="n1", status="succeeded")] == ["p2"]
    index.remove(("a", "p1"))
    index.remove(("a", "nothing"))
    assert_consistent(index)
    assert "n2" not in index.by_node and len(index.query(_Lock())) == 2


def test_index_unit_name_search() -> None:
    """A name search finds every name containing the text, few or many, upper-case names too, in key order."""
    index, interner = Index(), Interner()
    names = [f"web-{i:03d}" for i in range(40)] + ["api-1", "Odd-Web-9"]
    for i, name in enumerate(names):
        index.put(make_record("pods", {"metadata": {"name": name, "namespace": f"ns-{i % 3}"}}, interner))
    expected = sorted(k for k in index.records if "web-01" in k[1].lower())
    assert [(r["namespace"], r["name"]) for r in index.query(_Lock(), name_contains="web-01")] == expected
    assert len(index.query(_Lock(), name_contains="web")) == 41  # most match: the other path
    assert [r["name"] for r in index.query(_Lock(), name_contains="odd-web")] == ["Odd-Web-9"]
    index.remove(("ns-1", "web-001"))  # the names' text is made again after a delete
    index.put(make_record("pods", {"metadata": {"name": "web-017x", "namespace": "ns-0"}}, interner))
    expected = sorted(k for k in index.records if "web-01" in k[1].lower())
    assert [(r["namespace"], r["name"]) for r in index.query(_Lock(), name_contains="web-01")] == expected
    assert not index.query(_Lock(), name_contains="nothing")


class _Lock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: Any) -> None:
        return None


# --- the first list of a big cluster ---------------------------------------------------------------------

@pytest.fixture
def big(db: Any, fresh_kubesim: Any, settings: Any) -> tuple[Any, Any]:
    """A cluster whose first list takes a while: 1,500 pods read 2 at a time."""
    settings.KUBE_WATCH_CACHE_PAGE_SIZE = 2
    sim = fresh_kubesim(fleet="bench", pods=1500, nodes=10, tick=3600)
    return sim, register_sim(sim, name=f"big-{sim.port}")


@pytest.mark.timeout(300)
def test_a_read_during_a_big_first_list_is_a_503_with_retry_after(big: tuple[Any, Any], admin_api: Any,
                                                                   settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_LOADING_WAIT = 0.1
    settings.KUBE_WATCH_CACHE_DIRECT_MAX = 4
    sim, cluster = big
    assert not cache.warm(cluster, "pods")  # starts the (lean) cache without waiting for it
    watcher = the_cache(cluster, "pods")
    eventually(lambda: watcher._loaded >= 4)
    sim._loop.call_soon_threadsafe(time.sleep, 2.0)  # the list cannot finish during the next request
    response = admin_api.get(pods_url(cluster))
    body = assert_envelope(response, 503)
    assert "still loading" in body["message"] and cluster.name in body["message"]
    assert 1 <= int(response["Retry-After"]) <= 60
    eventually(lambda: watcher.state().synced, timeout=120)
    body = assert_envelope(admin_api.get(pods_url(cluster)), 200)  # loaded: answered from memory
    assert body["data"]["total"] == len(sim.store.list("pods"))


@pytest.mark.timeout(300)
def test_a_read_during_a_small_first_list_reads_directly(big: tuple[Any, Any], admin_api: Any,
                                                          settings: Any) -> None:
    settings.KUBE_WATCH_CACHE_INITIAL_WAIT = 0.1
    settings.KUBE_WATCH_CACHE_DIRECT_MAX = 10**9  # never "big": the read falls back to a direct read
    sim, cluster = big
    assert not cache.warm(cluster, "pods")
    watcher = the_cache(cluster, "pods")
    body = assert_envelope(admin_api.get(pods_url(cluster), {"pageSize": 5}), 200)
    assert body["data"]["total"] == len(sim.store.list("pods"))
    assert watcher.stats["fallbacks"] >= 1
