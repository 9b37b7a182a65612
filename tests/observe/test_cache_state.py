"""The watch cache is on by default; the cluster detail shows its state; a slow first list never hangs a read."""
from __future__ import annotations

import threading
import time
from typing import Any

from kube import cache
from kube.cache_resource import ResourceCache
from tests.api_mixins import assert_envelope
from tests.pods.helpers import all_pages, pods_url


def detail(admin_api: Any, cluster: Any) -> dict[str, Any]:
    return assert_envelope(admin_api.get(f"/api/clusters/{cluster.pk}"), 200)["data"]


def test_cache_is_on_by_default_and_the_detail_shows_it(sim_cluster: Any, admin_api: Any) -> None:
    assert cache.enabled()
    assert detail(admin_api, sim_cluster)["cache"] == {}  # nothing read yet: no cache runs
    pods = all_pages(admin_api, pods_url(sim_cluster))
    state = detail(admin_api, sim_cluster)["cache"]
    assert list(state) == ["pods"]
    assert state["pods"]["synced"] is True
    assert state["pods"]["objects"] == len(pods) > 0
    assert state["pods"]["relists"] == 0
    assert state["pods"]["lastEventAt"].endswith("Z")
    listed = assert_envelope(admin_api.get("/api/clusters"), 200)["data"]["items"]
    assert listed and all("cache" not in item for item in listed)


def test_cache_off_setting(sim_cluster: Any, admin_api: Any, settings: Any) -> None:
    settings.KUBE_WATCH_CACHE = False
    assert all_pages(admin_api, pods_url(sim_cluster))
    assert detail(admin_api, sim_cluster)["cache"] == {}
    assert not [c for c in cache.caches() if c.key[0] == sim_cluster.pk]


def test_a_slow_first_list_gives_direct_reads_within_the_initial_wait(sim_cluster: Any, admin_api: Any,
                                                                      settings: Any, monkeypatch: Any) -> None:
    """While the first list is loading, a read waits KUBE_WATCH_CACHE_INITIAL_WAIT at most, then reads directly."""
    settings.KUBE_WATCH_CACHE_INITIAL_WAIT = 0.5
    release = threading.Event()
    real_list = ResourceCache._list

    def slow_list(self: ResourceCache) -> None:
        release.wait(30)
        real_list(self)

    monkeypatch.setattr(ResourceCache, "_list", slow_list)
    try:
        started = time.monotonic()
        response = admin_api.get(pods_url(sim_cluster))
        assert time.monotonic() - started < 5
        assert assert_envelope(response, 200)["data"]["total"] > 0
        loading = detail(admin_api, sim_cluster)["cache"]["pods"]
        assert loading == {"synced": False, "objects": 0, "lastEventAt": None, "relists": 0}
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while not detail(admin_api, sim_cluster)["cache"]["pods"]["synced"]:
        assert time.monotonic() < deadline, "the cache never synced"
        time.sleep(0.05)
