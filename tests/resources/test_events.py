"""Events: events.k8s.io/v1 and core v1 shaped alike, newest first, the filters (since: a time or a duration), and
the fallback to core v1 on a cluster that does not serve events.k8s.io/v1."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from resources.shapes.events import core_event_item, event_item, newest_first, parse_since
from tests.resources.kinds_support import Kubectl, all_pages, assert_envelope, detail, listed, url

NEW_EVENT = {
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "web-7d4b9.17a1", "namespace": "shop", "creationTimestamp": "2026-11-30T10:00:00Z"},
    "eventTime": "2026-11-30T10:00:00.123456Z", "reportingController": "kubelet", "reportingInstance": "node-1",
    "action": "Pulling", "reason": "BackOff", "type": "Warning", "note": "Back-off pulling image \"web:9\"",
    "regarding": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9", "uid": "p-1"},
    "series": {"count": 14, "lastObservedTime": "2026-11-30T10:12:30.000001Z"},
}
CORE_EVENT = {
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "data.17b2", "namespace": "data", "creationTimestamp": "2026-11-30T09:00:00Z"},
    "involvedObject": {"kind": "PersistentVolumeClaim", "namespace": "data", "name": "data"},
    "reason": "ProvisioningFailed", "type": "Warning", "message": "storageclass \"gold\" not found",
    "source": {"component": "persistentvolume-controller"}, "count": 3,
    "firstTimestamp": "2026-11-30T09:00:00Z", "lastTimestamp": "2026-11-30T09:05:00Z",
}


def test_both_apis_shape_alike() -> None:
    new = event_item(NEW_EVENT)
    assert {k: new[k] for k in ("type", "reason", "message", "involvedKind", "involvedName", "involvedNamespace",
                                "source", "action", "count", "firstSeen", "lastSeen")} == {
        "type": "Warning", "reason": "BackOff", "message": 'Back-off pulling image "web:9"', "involvedKind": "Pod",
        "involvedName": "web-7d4b9", "involvedNamespace": "shop", "source": "kubelet", "action": "Pulling",
        "count": 14, "firstSeen": "2026-11-30T10:00:00Z", "lastSeen": "2026-11-30T10:12:30Z"}
    core = core_event_item(CORE_EVENT)
    assert (core["involvedKind"], core["message"], core["source"], core["count"], core["firstSeen"],
            core["lastSeen"]) == ("PersistentVolumeClaim", 'storageclass "gold" not found',
                                  "persistentvolume-controller", 3, "2026-11-30T09:00:00Z", "2026-11-30T09:05:00Z")
    # an events.k8s.io view of an old core event: the deprecated* copies
    old = {"metadata": {"name": "x", "namespace": "d"}, "regarding": {"kind": "Node", "name": "n1"},
           "deprecatedFirstTimestamp": "2026-11-30T08:00:00Z", "deprecatedLastTimestamp": "2026-11-30T08:30:00Z",
           "deprecatedCount": 5, "deprecatedSource": {"component": "kubelet"}, "eventTime": None}
    shaped = event_item(old)
    assert (shaped["count"], shaped["source"], shaped["lastSeen"]) == (5, "kubelet", "2026-11-30T08:30:00Z")


def test_newest_first() -> None:
    items = [event_item(NEW_EVENT), core_event_item(CORE_EVENT), {"name": "never", "namespace": "a", "lastSeen": None}]
    assert [i["name"] for i in sorted(items, key=newest_first)] == ["web-7d4b9.17a1", "data.17b2", "never"]


def test_since_grammar() -> None:
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    assert parse_since("10m", now) == dt.datetime(2026, 11, 30, 11, 50, tzinfo=dt.UTC)
    assert parse_since("1h30m", now) == dt.datetime(2026, 11, 30, 10, 30, tzinfo=dt.UTC)
    assert parse_since("2d", now) == dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert parse_since("2026-11-30T11:00:00Z", now) == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
    assert parse_since("2026-11-30T19:00:00+08:00", now) == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
    assert parse_since("2026-11-30T11:00:00", now) == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
    assert parse_since("999999999d", now) < now  # capped, never an overflow
    for bad in ("", "10", "m", "10x", "yesterday", "1" * 5000 + "s", "2026-13-01T00:00:00Z"):
        with pytest.raises(ValueError):
            parse_since(bad, now)


# --- over HTTP, against kubesim ------------------------------------------------------------------

@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(kubesim, tmp_path)


def _names(kubectl: Kubectl, *args: str) -> set[tuple[str, str]]:
    items = kubectl.json("get", "events.events.k8s.io", *args)["items"]
    return {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in items}


def test_list_matches_kubectl_newest_first(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    before = _names(kubectl, "-A")
    items = listed(client, sim_cluster, "events")
    after = _names(kubectl, "-A")
    ours = {(i["namespace"], i["name"]) for i in items}
    assert before <= ours <= after  # the simulated cluster keeps reporting (crash loops): compare with both reads
    stamps = [i["lastSeen"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    shop = listed(client, sim_cluster, "events", "shop")
    assert shop and {i["namespace"] for i in shop} == {"shop"}
    assert _names(kubectl, "-n", "shop") - {(i["namespace"], i["name"]) for i in shop} <= after - before


def test_filters(api: Any, sim_cluster: Any) -> None:
    client = api(Role.VIEWER)
    warnings = listed(client, sim_cluster, "events", type="warning")
    assert warnings and all(i["type"] == "Warning" for i in warnings)
    assert {"FailedScheduling", "BackoffLimitExceeded"} <= {i["reason"] for i in warnings}
    scheduling = listed(client, sim_cluster, "events", reason="failedscheduling")
    assert scheduling and all(i["reason"] == "FailedScheduling" for i in scheduling)
    claims = listed(client, sim_cluster, "events", involvedKind="persistentvolumeclaim")
    assert claims and all(i["involvedKind"] == "PersistentVolumeClaim" for i in claims)
    target = claims[0]["involvedName"]
    named = listed(client, sim_cluster, "events", involvedName=target)
    assert named and all(i["involvedName"] == target for i in named)
    newest = listed(client, sim_cluster, "events")[0]["lastSeen"]
    recent = listed(client, sim_cluster, "events", since=newest)
    assert recent and all(i["lastSeen"] >= newest for i in recent)
    day = listed(client, sim_cluster, "events", since="1d")
    bound = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(i["lastSeen"] >= bound for i in day)
    assert listed(client, sim_cluster, "events", since="2999-01-01T00:00:00Z") == []
    found = listed(client, sim_cluster, "events", search="successfully assigned")
    assert found and all("successfully assigned" in (i["message"] or "").lower() for i in found)
    body = assert_envelope(client.get(url(sim_cluster, "events"), {"since": "yesterday"}), 400)
    assert "since" in body["message"] and "10m" in body["message"]
    assert_envelope(client.get(url(sim_cluster, "events"), {"type": "Error"}), 400)


def test_detail(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    first = listed(client, sim_cluster, "events", "shop")[0]
    one = detail(client, sim_cluster, "events", "shop", first["name"])
    assert (one["name"], one["reason"], one["involvedName"]) == (first["name"], first["reason"], first["involvedName"])
    raw = kubectl.json("get", "events.events.k8s.io", first["name"], "-n", "shop")
    assert one["message"] == raw.get("note")
    body = assert_envelope(client.get(url(sim_cluster, "events", "shop", "nope")), 404)
    assert "Event 'nope'" in body["message"]


def test_core_v1_when_events_k8s_io_is_not_served(api: Any) -> None:
    from tests.clusters.helpers import token_cluster
    from tests.kube.faults import JsonServer

    later = {**CORE_EVENT, "metadata": {"name": "web.1", "namespace": "shop"}, "type": "Normal", "reason": "Pulled",
             "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web"},
             "firstTimestamp": "2026-11-30T09:10:00Z", "lastTimestamp": "2026-11-30T09:10:00Z"}
    routes = {
        "/api/v1/namespaces/data": {"kind": "Namespace", "metadata": {"name": "data"}},
        "/api/v1/events": {"kind": "EventList", "items": [CORE_EVENT, later]},
        "/api/v1/namespaces/data/events": {"kind": "EventList", "items": [CORE_EVENT]},
        "/api/v1/namespaces/data/events/data.17b2": CORE_EVENT,
    }
    with JsonServer(routes) as server:
        cluster = token_cluster("core-events-only", server.url)
        client = api(Role.VIEWER)
        items = all_pages(client, url(cluster, "events"))
        assert [(i["name"], i["reason"]) for i in items] == [("web.1", "Pulled"), ("data.17b2", "ProvisioningFailed")]
        assert [i["name"] for i in all_pages(client, url(cluster, "events"), type="Warning")] == ["data.17b2"]
        assert [i["name"] for i in all_pages(client, url(cluster, "events", "data"))] == ["data.17b2"]
        assert detail(client, cluster, "events", "data", "data.17b2")["message"] == 'storageclass "gold" not found'
