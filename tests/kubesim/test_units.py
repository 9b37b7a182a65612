"""Pure helpers: patches, selectors, cron schedules, the pod STATUS printer, durations."""

from __future__ import annotations

import datetime as dt

import pytest

from kubesim.clock import human_duration, iso_nano
from kubesim.errors import ApiError
from kubesim.jobs import last_schedule, parse_cron
from kubesim.patch import json_patch, merge_patch, strategic_merge_patch
from kubesim.selectors import match_requirements, parse_label_selector
from kubesim.tables import pod_status_summary


def test_strategic_merge_directives() -> None:
    target = {"metadata": {"finalizers": ["a"]}, "spec": {"containers": [{"name": "x", "image": "1"},
                                                                          {"name": "y", "image": "2"}]}}
    out = strategic_merge_patch(target, {"metadata": {"finalizers": ["b"]}, "spec": {"containers": [
        {"name": "y", "$patch": "delete"}, {"name": "z", "image": "3"}]}})
    assert out["metadata"]["finalizers"] == ["a", "b"]
    assert [c["name"] for c in out["spec"]["containers"]] == ["x", "z"]
    out = strategic_merge_patch(target, {"spec": {"$patch": "replace", "containers": []}})
    assert out["spec"] == {"containers": []}
    assert "$setElementOrder/containers" not in strategic_merge_patch(
        target, {"spec": {"$setElementOrder/containers": [{"name": "x"}]}})["spec"]


def test_merge_and_json_patch() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": [1]}}) == {"a": {"c": 2, "d": [1]}}
    doc = {"a": [1, 2]}
    assert json_patch(doc, [{"op": "add", "path": "/a/-", "value": 3}, {"op": "remove", "path": "/a/0"},
                            {"op": "replace", "path": "/a/0", "value": 9}]) == {"a": [9, 3]}
    assert doc == {"a": [1, 2]}  # input untouched
    with pytest.raises(ApiError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])


def test_label_selector_parsing() -> None:
    reqs = parse_label_selector("app in (a, b),tier!=db,!legacy,env")
    assert match_requirements(reqs, {"app": "a", "tier": "web", "env": "x"})
    assert not match_requirements(reqs, {"app": "a", "tier": "db", "env": "x"})
    assert not match_requirements(reqs, {"app": "c", "env": "x"})
    assert not match_requirements(reqs, {"app": "a", "env": "x", "legacy": "1"})
    with pytest.raises(ApiError):
        parse_label_selector("app in a")


def test_cron_schedules() -> None:
    fields = parse_cron("*/15 9-17 * * mon-fri")
    assert fields is not None
    monday_930 = dt.datetime(2026, 11, 23, 9, 31, tzinfo=dt.UTC).timestamp()
    assert last_schedule(fields, monday_930 - 3600, monday_930) == monday_930 - 60
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC).timestamp()
    assert last_schedule(fields, saturday - 3600, saturday) is None
    assert parse_cron("@hourly") == parse_cron("0 * * * *")
    assert parse_cron("not a schedule") is None


def test_human_duration_matches_apimachinery() -> None:
    cases = {0: "0s", 119: "119s", 120: "2m", 150: "2m30s", 600: "10m", 3 * 3600: "3h", 3 * 3600 + 60: "3h1m",
             9 * 3600: "9h", 50 * 3600: "2d2h", 10 * 86400: "10d", 800 * 86400: "2y70d"}
    assert {k: human_duration(k) for k in cases} == cases
    assert iso_nano(1.5) == "1970-01-01T00:00:01.5Z"


def _pod(phase: str, statuses: list[dict], init: list[dict] | None = None, **meta: str) -> dict:
    spec = {"containers": [{"name": s["name"]} for s in statuses]}
    status: dict = {"phase": phase, "containerStatuses": statuses}
    if init is not None:
        spec["initContainers"] = [{"name": s["name"]} for s in init]
        status["initContainerStatuses"] = init
    return {"metadata": {"name": "p", **meta}, "spec": spec, "status": status}


def test_pod_status_printer() -> None:
    running = {"name": "a", "ready": True, "restartCount": 0, "state": {"running": {}}}
    assert pod_status_summary(_pod("Running", [running]))[:3] == ("Running", 1, 1)
    crash = {"name": "a", "ready": False, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:00:00Z"}}}
    status, _, _, restarts = pod_status_summary(_pod("Running", [crash]))
    assert status == "CrashLoopBackOff" and restarts.startswith("4 (") and restarts.endswith(" ago)")
    done = {"name": "a", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 0,
                                                                                      "reason": "Completed"}}}
    assert pod_status_summary(_pod("Succeeded", [done]))[0] == "Completed"
    sig = {"name": "a", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "signal": 9}}}
    assert pod_status_summary(_pod("Failed", [sig]))[0] == "Signal:9"
    waiting_init = {"name": "i", "ready": False, "restartCount": 0, "state": {"running": {}}}
    pending = {"name": "a", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
    assert pod_status_summary(_pod("Pending", [pending], [waiting_init]))[0] == "Init:0/1"
    assert pod_status_summary(_pod("Running", [running], deletionTimestamp="2026-01-01T00:00:00Z"))[0] == \
        "Terminating"
    assert pod_status_summary(_pod("Succeeded", [done], deletionTimestamp="2026-01-01T00:00:00Z"))[0] == \
        "Completed"
