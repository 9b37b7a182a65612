"""Pod logs and events against the simulated cluster (kubectl as the oracle)."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from common.permissions import Role
from pods.selectors import event_item
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope
from tests.pods.helpers import pod_url
from tests.pods.test_pod_detail import first_pod

RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")


def pods_where(kubectl: Any, predicate: Any) -> list[dict[str, Any]]:
    return [p for p in kubectl.json("get", "pods", "-A")["items"] if predicate(p)]


def restarted(pod: dict[str, Any]) -> bool:
    return any(s.get("restartCount", 0) > 0 and (s.get("lastState") or {}).get("terminated")
               for s in pod["status"].get("containerStatuses") or [])


class TestPodLogsAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/default/pods/x/logs"
    min_role = Role.VIEWER


class TestPodEventsAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/default/pods/x/events"
    min_role = Role.VIEWER


@pytest.mark.django_db
class TestPodLogs:
    def test_viewer_reads_logs_of_the_first_container(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        pod = first_pod(kubectl)
        name = pod["metadata"]["name"]
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", name, "/logs")), 200)
        assert set(body["data"]) == {"logs"}
        ours = body["data"]["logs"].splitlines()
        theirs = kubectl.run("logs", name, "-n", "default", "-c", pod["spec"]["containers"][0]["name"]).splitlines()
        assert ours and theirs
        # lines appear over time: one read is a prefix of the later one
        shorter = min(len(ours), len(theirs))
        assert ours[:shorter] == theirs[:shorter]

    def test_multi_container_pod_defaults_to_the_first(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        multi = pods_where(kubectl, lambda p: len(p["spec"]["containers"]) > 1
                           and p["status"].get("phase") == "Running")
        assert multi, "the demo fleet has a running multi-container pod"
        pod = multi[0]
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        containers = [c["name"] for c in pod["spec"]["containers"]]
        client = api(Role.VIEWER)
        default = client.get(pod_url(sim_cluster, ns, name, "/logs")).json()["data"]["logs"].splitlines()
        first = client.get(pod_url(sim_cluster, ns, name, "/logs"), {"container": containers[0]}).json()
        second = client.get(pod_url(sim_cluster, ns, name, "/logs"), {"container": containers[1]}).json()
        first_lines, second_lines = first["data"]["logs"].splitlines(), second["data"]["logs"].splitlines()
        assert default[:3] == first_lines[:3]
        assert first_lines[:3] != second_lines[:3]

    def test_tail_lines_and_timestamps(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        name = first_pod(kubectl)["metadata"]["name"]
        url = pod_url(sim_cluster, "default", name, "/logs")
        body = assert_envelope(api(Role.VIEWER).get(url, {"tailLines": 2, "timestamps": "true"}), 200)
        lines = body["data"]["logs"].splitlines()
        assert len(lines) == 2
        assert all(RFC3339NANO.match(line) for line in lines), lines

    def test_since_seconds(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        name = first_pod(kubectl)["metadata"]["name"]
        url = pod_url(sim_cluster, "default", name, "/logs")
        everything = api(Role.VIEWER).get(url).json()["data"]["logs"]
        recent = assert_envelope(api(Role.VIEWER).get(url, {"sinceSeconds": 1}), 200)["data"]["logs"]
        assert len(recent) <= len(everything)

    def test_byte_cap_cuts_at_a_whole_line(self, api: Any, sim_cluster: Any, kubectl: Any, settings: Any) -> None:
        settings.POD_LOG_LIMIT_BYTES = 120
        name = first_pod(kubectl)["metadata"]["name"]
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", name, "/logs")), 200)
        logs = body["data"]["logs"]
        assert 0 < len(logs.encode()) <= 120 and logs.endswith("\n")
        assert "truncated" in body["message"]

    def test_unknown_container_is_400_listing_the_containers(self, api: Any, sim_cluster: Any,
                                                             kubectl: Any) -> None:
        pod = first_pod(kubectl)
        url = pod_url(sim_cluster, "default", pod["metadata"]["name"], "/logs")
        body = assert_envelope(api(Role.VIEWER).get(url, {"container": "nope"}), 400)
        assert "nope" in body["message"]
        for container in pod["spec"]["containers"]:
            assert container["name"] in body["message"]

    def test_previous_without_a_previous_run_is_a_clear_400(self, api: Any, sim_cluster: Any,
                                                            kubectl: Any) -> None:
        fresh_pods = pods_where(kubectl, lambda p: p["status"].get("phase") == "Running" and all(
            s.get("restartCount", 0) == 0 for s in p["status"].get("containerStatuses") or []))
        pod = fresh_pods[0]
        url = pod_url(sim_cluster, pod["metadata"]["namespace"], pod["metadata"]["name"], "/logs")
        body = assert_envelope(api(Role.VIEWER).get(url, {"previous": "true"}), 400)
        assert "previous" in body["message"]

    def test_previous_of_a_restarted_container(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        crashing = pods_where(kubectl, restarted)
        assert crashing, "the demo fleet has a container that restarted"
        pod = crashing[0]
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        container = next(s["name"] for s in pod["status"]["containerStatuses"] if s.get("restartCount", 0) > 0)
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, ns, name, "/logs"),
                                                    {"previous": "true", "container": container}), 200)
        theirs = kubectl.run("logs", name, "-n", ns, "-c", container, "--previous")
        assert body["data"]["logs"] == theirs

    @pytest.mark.parametrize(("params", "field"), [
        ({"tailLines": "abc"}, "tailLines"), ({"tailLines": -1}, "tailLines"),
        ({"sinceSeconds": -1}, "sinceSeconds"), ({"sinceSeconds": 0}, "sinceSeconds"),
        ({"sinceSeconds": "soon"}, "sinceSeconds"), ({"previous": "perhaps"}, "previous"),
        ({"timestamps": "x"}, "timestamps"),
    ])
    def test_bad_parameters_are_400_naming_the_field(self, api: Any, sim_cluster: Any, kubectl: Any,
                                                     params: dict, field: str) -> None:
        name = first_pod(kubectl)["metadata"]["name"]
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", name, "/logs"), params), 400)
        assert field in body["data"]["errors"] and body["message"].startswith(field)

    def test_container_waiting_to_start_is_400_with_kubernetes_reason(self, api: Any, sim_cluster: Any,
                                                                      kubectl: Any) -> None:
        waiting = pods_where(kubectl, lambda p: any(
            (s.get("state") or {}).get("waiting", {}).get("reason") == "ImagePullBackOff"
            for s in p["status"].get("containerStatuses") or []))
        assert waiting, "the demo fleet has a pod in ImagePullBackOff"
        pod = waiting[0]
        url = pod_url(sim_cluster, pod["metadata"]["namespace"], pod["metadata"]["name"], "/logs")
        body = assert_envelope(api(Role.VIEWER).get(url), 400)
        assert "waiting to start" in body["message"]

    def test_unknown_pod_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", "ghost", "/logs")), 404)
        assert "ghost" in body["message"]


@pytest.mark.django_db
class TestPodEvents:
    def test_events_match_kubectl_oldest_first(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        pod = first_pod(kubectl)
        name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", name, "/events")), 200)
        events = body["data"]
        theirs = kubectl.json("get", "events", "-n", "default", "--field-selector",
                              f"involvedObject.name={name},involvedObject.kind=Pod")["items"]
        theirs = [e for e in theirs if e["involvedObject"].get("uid") in (None, "", uid)]
        assert events, "a scheduled, started pod has events"
        assert {(e["reason"], e["message"]) for e in events} == {(e["reason"], e["message"]) for e in theirs}
        for event in events:
            assert set(event) == {"type", "reason", "message", "firstSeen", "lastSeen", "count"}
            assert event["firstSeen"].endswith("Z") and event["lastSeen"] >= event["firstSeen"]
        assert [e["lastSeen"] for e in events] == sorted(e["lastSeen"] for e in events)
        assert "Scheduled" in [e["reason"] for e in events]

    def test_event_with_only_event_time_and_series(self, api: Any, fresh: Any, tmp_path: Any) -> None:
        """An events.k8s.io-style event: no first/lastTimestamp or count, but eventTime and series."""
        _, cluster, kubectl = fresh
        pod = first_pod(kubectl)
        meta = pod["metadata"]
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta['name']}.series-test", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": meta["name"], "namespace": "default", "uid": meta["uid"]},
            "reason": "ProbeWarning", "message": "probe slow", "type": "Warning",
            "eventTime": "2030-01-01T00:00:00.123456Z", "reportingComponent": "kubelet",
            "reportingInstance": "node", "action": "Probe",
            "series": {"count": 7, "lastObservedTime": "2030-01-01T00:05:00.000001Z"},
        }
        path = tmp_path / "event.json"
        path.write_text(json.dumps(event))
        kubectl.run("create", "--validate=false", "-f", str(path))  # kubesim serves no OpenAPI
        events = api(Role.VIEWER).get(pod_url(cluster, "default", meta["name"], "/events")).json()["data"]
        assert events[-1] == {"type": "Warning", "reason": "ProbeWarning", "message": "probe slow",
                              "firstSeen": "2030-01-01T00:00:00Z", "lastSeen": "2030-01-01T00:05:00Z", "count": 7}

    def test_unknown_pod_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "default", "ghost", "/events")), 404)
        assert "ghost" in body["message"]

    def test_unknown_namespace_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(pod_url(sim_cluster, "nowhere", "ghost", "/events")), 404)
        assert "Namespace 'nowhere'" in body["message"]


class TestEventItem:
    """The old-style and new-style event fields, on hand-made events."""

    def test_old_style(self) -> None:
        event = {"type": "Normal", "reason": "Pulled", "message": "m", "count": 3,
                 "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:10:00Z"}
        assert event_item(event) == {"type": "Normal", "reason": "Pulled", "message": "m",
                                     "firstSeen": "2026-01-01T00:00:00Z", "lastSeen": "2026-01-01T00:10:00Z",
                                     "count": 3}

    def test_event_time_only_counts_once(self) -> None:
        event = {"type": "Normal", "reason": "Scheduled", "message": "m", "eventTime": "2026-01-01T00:00:00.5Z"}
        item = event_item(event)
        assert (item["firstSeen"], item["lastSeen"], item["count"]) == (
            "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1)

    def test_nothing_but_creation_time(self) -> None:
        event = {"metadata": {"creationTimestamp": "2026-01-02T00:00:00Z"}, "reason": "X"}
        assert event_item(event)["firstSeen"] == "2026-01-02T00:00:00Z"
