"""watch=true streams through the official client: events, resume, 410 Gone, bookmarks, timeouts."""

from __future__ import annotations

import json
import threading
import time

import kubernetes
import pytest
from kubernetes import watch
from kubernetes.client import ApiException, CoreV1Api

from kubesim import KubeSim


@pytest.fixture(scope="module")
def core(api: kubernetes.client.ApiClient) -> CoreV1Api:
    v1 = CoreV1Api(api)
    v1.create_namespace({"metadata": {"name": "watched"}})
    return v1


def _pod(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}


def test_watch_sees_added_modified_deleted(core: CoreV1Api) -> None:
    rv = core.list_namespaced_pod("watched").metadata.resource_version
    events: list[tuple[str, str, str]] = []

    def consume() -> None:
        w = watch.Watch()
        for ev in w.stream(core.list_namespaced_pod, "watched", resource_version=rv, timeout_seconds=5,
                           label_selector="w=1"):
            events.append((ev["type"], ev["object"].metadata.name, ev["object"].metadata.resource_version))
            if ev["type"] == "DELETED":
                w.stop()

    t = threading.Thread(target=consume)
    t.start()
    time.sleep(0.3)
    core.create_namespaced_pod("watched", _pod("w1", w="1"))
    core.create_namespaced_pod("watched", _pod("other", w="2"))  # filtered out by the selector
    core.delete_namespaced_pod("w1", "watched", grace_period_seconds=0)
    t.join(10)
    types = [e[0] for e in events]
    assert types[0] == "ADDED" and types[-1] == "DELETED"
    assert {e[1] for e in events} == {"w1"}
    versions = [int(e[2]) for e in events]
    assert versions == sorted(versions) and versions[0] > int(rv)


def test_watch_replays_from_a_resource_version(core: CoreV1Api) -> None:
    rv = core.list_namespaced_pod("watched").metadata.resource_version
    core.create_namespaced_pod("watched", _pod("replayed"))
    core.patch_namespaced_pod("replayed", "watched", {"metadata": {"labels": {"x": "y"}}})
    seen = []
    for ev in watch.Watch().stream(core.list_namespaced_pod, "watched", resource_version=rv, timeout_seconds=1):
        if ev["object"].metadata.name == "replayed":
            seen.append(ev["type"])
    assert seen[:2] == ["ADDED", "MODIFIED"]


def test_label_change_out_of_selection_is_a_delete(core: CoreV1Api) -> None:
    core.create_namespaced_pod("watched", _pod("mover", team="a"))
    rv = core.list_namespaced_pod("watched").metadata.resource_version
    core.patch_namespaced_pod("mover", "watched", {"metadata": {"labels": {"team": "b"}}})
    evs = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core.list_namespaced_pod, "watched", label_selector="team=a", resource_version=rv, timeout_seconds=1)]
    assert ("DELETED", "mover") in evs


def test_too_old_resource_version_is_410_gone(sim: KubeSim, core: CoreV1Api) -> None:
    rv = core.list_namespaced_pod("watched").metadata.resource_version
    core.create_namespaced_pod("watched", _pod("before-compaction"))
    sim.store.compact("pods")
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(core.list_namespaced_pod, "watched", resource_version=rv, timeout_seconds=2):
            pass
    assert e.value.status == 410
    # the raw stream carries an ERROR event with the Expired Status
    resp = core.list_namespaced_pod("watched", watch=True, resource_version=rv, timeout_seconds=2,
                                    _preload_content=False)
    first = json.loads(resp.readline())
    assert first["type"] == "ERROR"
    assert (first["object"]["code"], first["object"]["reason"]) == (410, "Expired")
    assert first["object"]["message"].startswith(f"too old resource version: {rv} (")


def test_bookmarks_and_timeout(core: CoreV1Api) -> None:
    rv = core.list_namespaced_pod("watched").metadata.resource_version
    t0 = time.monotonic()
    resp = core.list_namespaced_pod("watched", watch=True, resource_version=rv, timeout_seconds=6,
                                    allow_watch_bookmarks=True, _preload_content=False)
    lines = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    elapsed = time.monotonic() - t0
    assert 5.5 <= elapsed < 9, elapsed
    bookmarks = [ev for ev in lines if ev["type"] == "BOOKMARK"]
    assert bookmarks and bookmarks[0]["object"]["kind"] == "Pod"
    assert int(bookmarks[0]["object"]["metadata"]["resourceVersion"]) >= int(rv)


def test_watch_without_version_starts_with_current_state(core: CoreV1Api) -> None:
    names = {p.metadata.name for p in core.list_namespaced_pod("watched").items}
    got = {e["object"].metadata.name for e in watch.Watch().stream(core.list_namespaced_pod, "watched",
                                                                   timeout_seconds=1) if e["type"] == "ADDED"}
    assert names <= got


def test_legacy_watch_path_and_watch_1(sim: KubeSim, core: CoreV1Api, tmp_path) -> None:  # noqa: ANN001
    import requests

    ca = tmp_path / "ca.crt"
    ca.write_bytes(sim.ca_pem)
    headers = {"Authorization": f"Bearer {sim.token}"}
    names = {p.metadata.name for p in core.list_namespaced_pod("watched").items}
    for url in ("/api/v1/watch/namespaces/watched/pods?timeoutSeconds=1",
                "/api/v1/namespaces/watched/pods?watch=1&timeoutSeconds=1"):
        r = requests.get(sim.url + url, headers=headers, verify=str(ca), timeout=10)
        events = [json.loads(line) for line in r.text.splitlines()]
        assert {e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"} == names
