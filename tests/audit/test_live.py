"""The audit trail end to end: real HTTP and real WebSockets against daphne, the simulated cluster behind it,
read back through the SDK (`client.audit`) and checked against /api/schema."""
from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from kubepolaris.client import Client, NotFoundError, PermissionDeniedError
from scripts.liveserver import LiveServer
from tests.audit.conftest import RECORDING_CAP
from tests.schema.validation import assert_matches_schema

pytestmark = [pytest.mark.timeout(180)]


def rows(admin: Client, **filters: Any) -> list[dict[str, Any]]:
    return list(admin.audit.iter_all(**filters))


def running_pod(admin: Client, cluster_id: int) -> str:
    pods = admin.pods(cluster_id).list(namespace="default", status="Running")
    assert pods, "the demo fleet has running pods in default"
    return str(pods[0]["name"])


def parse_cast(text: str) -> tuple[dict[str, Any], list[list[Any]]]:
    """asciicast v2: a JSON object header line, then [time, code, data] lines with non-decreasing times."""
    lines = text.splitlines()
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    assert all(isinstance(e, list) and len(e) == 3 and e[1] in "oirm" and isinstance(e[2], str) for e in events)
    times = [e[0] for e in events]
    assert times == sorted(times) and all(t >= 0 for t in times)
    return header, events


def test_logins_failed_and_successful_are_recorded_with_the_username_tried(live: LiveServer, admin: Client,
                                                                           make_client: Any) -> None:
    ghost = "ghost-user-that-does-not-exist"
    answer = requests.post(f"{live.url}/api/auth/login", json={"username": ghost, "password": "Wrong-Passw0rd!"},
                           timeout=10)
    assert answer.status_code == 401
    _, username = make_client("viewer")  # logs in successfully
    failed = rows(admin, username=ghost)
    assert [(r["action"], r["statusCode"], r["resource"]) for r in failed] == [("auth.login_failed", 401, "auth")]
    assert failed[0]["sourceIp"] == "127.0.0.1" and failed[0]["message"] == "Invalid username or password"
    assert [r["statusCode"] for r in rows(admin, username=username, action="auth.login")] == [200]


def test_logout_and_refresh_are_recorded(live: LiveServer, admin: Client, make_client: Any) -> None:
    client, username = make_client("viewer")
    client.auth.refresh()
    client.auth.logout()
    actions = [r["action"] for r in rows(admin, username=username)]
    assert actions[:3] == ["auth.logout", "auth.refresh", "auth.login"]  # newest first


def test_operator_changes_and_a_viewer_refusal_are_recorded(live: LiveServer, admin: Client,
                                                            make_client: Any) -> None:
    cluster = live.attach_sim()
    operator, op_name = make_client("operator")
    viewer, viewer_name = make_client("viewer")
    deployment = admin.deployments(cluster, "default").get("nginx")
    operator.deployments(cluster, "default").scale("nginx", deployment["replicas"])
    pod = running_pod(admin, cluster)
    with pytest.raises(PermissionDeniedError):
        viewer.pods(cluster).delete("default", pod)
    operator.pods(cluster).delete("default", pod)

    scale = rows(admin, username=op_name, action="deployment.scale")
    assert len(scale) == 1
    assert {k: scale[0][k] for k in ("clusterId", "namespace", "name", "resource", "statusCode")} == {
        "clusterId": cluster, "namespace": "default", "name": "nginx", "resource": "deployment", "statusCode": 200}
    delete = rows(admin, username=op_name, action="pod.delete")
    assert [(r["clusterId"], r["namespace"], r["name"], r["statusCode"]) for r in delete] == [
        (cluster, "default", pod, 200)]
    assert delete[0]["message"] == "Pod deleted successfully"
    refused = rows(admin, username=viewer_name, status_code=403)
    assert [(r["action"], r["name"]) for r in refused] == [("pod.delete", pod)]
    assert "requires the operator role" in refused[0]["message"]
    created = rows(admin, action="cluster.create", cluster_id=cluster)
    assert [r["name"] for r in created] == [live.cluster_name]


def test_filters_and_bad_values_over_http(live: LiveServer, admin: Client, make_client: Any) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    _, name = make_client("viewer")
    after = datetime.now(UTC) + timedelta(seconds=2)
    assert [r["username"] for r in rows(admin, username=name, since=before, until=after)] == [name]
    assert rows(admin, username=name, until=before) == []
    assert rows(admin, username=name, since=after) == []
    assert all(r["statusCode"] == 401 for r in rows(admin, status_code=401))
    assert all(r["action"] == "user.create" for r in rows(admin, action="user.create"))
    headers = {"Authorization": f"Bearer {admin.token}"}
    for query, field in [("statusCode=x", "statusCode"), ("since=yesterday", "since"), ("clusterId=-3", "clusterId")]:
        response = requests.get(f"{live.url}/api/audit?{query}", headers=headers, timeout=10)
        assert response.status_code == 400 and field in response.json()["data"]["errors"], response.text
        assert_matches_schema(response, "get", "/api/audit")
    ok = requests.get(f"{live.url}/api/audit?pageSize=5", headers=headers, timeout=10)
    assert_matches_schema(ok, "get", "/api/audit")


def test_non_admins_get_403(make_client: Any) -> None:
    for role in ("viewer", "operator"):
        client, _ = make_client(role)
        with pytest.raises(PermissionDeniedError):
            client.audit.list()
        with pytest.raises(PermissionDeniedError):
            client.audit.recording(1)


def test_an_exec_session_is_recorded_and_replays_output_and_resizes(live: LiveServer, admin: Client,
                                                                    make_client: Any) -> None:
    cluster = live.attach_sim()
    operator, op_name = make_client("operator")
    pod = running_pod(admin, cluster)
    with operator.pods(cluster).exec("default", pod) as session:
        session.send("echo audit-marker-one\n")
        session.read_until("audit-marker-one\r\n", timeout=20)
        session.resize(123, 41)
        session.send("stty size\n")
        assert "41 123" in session.read_until("41 123", timeout=20)
        session.send("exit 3\n")
        session.read_all(timeout=20)
    assert session.exit_code == 3

    deadline = time.monotonic() + 20
    while not (closed := rows(admin, username=op_name, action="exec.closed")) and time.monotonic() < deadline:
        time.sleep(0.2)  # the closing row is written at the socket's teardown, just after the exit frame
    opened = rows(admin, username=op_name, action="exec.opened")
    assert len(opened) == 1 and len(closed) == 1
    for row in (opened[0], closed[0]):
        assert (row["clusterId"], row["namespace"], row["name"], row["resource"]) == (cluster, "default", pod, "pod")
    assert opened[0]["recordingId"] is None and "command /bin/sh" in opened[0]["message"]
    assert "exit code 3" in closed[0]["message"] and "container " in closed[0]["message"]
    assert "closed after " in closed[0]["message"] and closed[0]["statusCode"] == 200
    assert closed[0]["recordingId"] is not None

    cast = admin.audit.recording(closed[0]["id"])
    header, events = parse_cast(cast)
    assert header["version"] == 2 and (header["width"], header["height"]) == (80, 24)
    assert header["command"] == "/bin/sh" and isinstance(header["timestamp"], int)
    output = "".join(e[2] for e in events if e[1] == "o")
    assert "audit-marker-one" in output and "41 123" in output
    assert ["r", "123x41"] in [e[1:] for e in events]
    assert not [e for e in events if e[1] == "i"], "input is not recorded unless AUDIT_RECORD_INPUT is on"
    resize_at = next(e[0] for e in events if e[1] == "r")
    assert resize_at <= next(e[0] for e in events if e[1] == "o" and "41 123" in e[2])

    raw = requests.get(f"{live.url}/api/audit/{closed[0]['id']}/recording", timeout=10,
                       headers={"Authorization": f"Bearer {admin.token}"})
    assert raw.headers["Content-Type"].startswith("application/x-asciicast") and raw.text == cast
    assert_matches_schema(raw, "get", "/api/audit/{id}/recording")
    with pytest.raises(NotFoundError):
        admin.audit.recording(opened[0]["id"])


def test_a_refused_exec_is_recorded(live: LiveServer, admin: Client, make_client: Any) -> None:
    cluster = live.attach_sim()
    viewer, viewer_name = make_client("viewer")
    pod = running_pod(admin, cluster)
    with pytest.raises(PermissionDeniedError):
        viewer.pods(cluster).exec("default", pod, command="true").read(timeout=20)
    deadline = time.monotonic() + 20
    while not (failed := rows(admin, username=viewer_name, action="exec.failed")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(r["statusCode"], r["clusterId"], r["name"]) for r in failed] == [(403, cluster, pod)]
    assert "requires the operator role" in failed[0]["message"]
    assert rows(admin, username=viewer_name, action="exec.opened") == []


def test_the_size_cap_truncates_the_recording_and_the_session_goes_on(live: LiveServer, admin: Client,
                                                                      make_client: Any) -> None:
    cluster = live.attach_sim()
    operator, op_name = make_client("operator")
    with operator.pods(cluster).exec("default", running_pod(admin, cluster)) as session:
        for i in range(12):  # each line is echoed by the TTY and printed by echo: ~4 KB of output per line
            marker = f"line-{i}-end"
            session.send(f"echo {'x' * 2000}{marker}\n")
            session.read_until(f"{marker}\r\n", timeout=20)
        session.send("echo still-alive-after-the-cap\n")
        assert "still-alive-after-the-cap\r\n" in session.read_until("still-alive-after-the-cap\r\n", timeout=20)
        session.send("exit\n")
        session.read_all(timeout=20)
    assert session.exit_code == 0

    deadline = time.monotonic() + 20
    while not (closed := rows(admin, username=op_name, action="exec.closed")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "recording truncated" in closed[0]["message"] and "exit code 0" in closed[0]["message"]
    cast = admin.audit.recording(closed[0]["id"])
    assert RECORDING_CAP < len(cast.encode()) <= RECORDING_CAP + 1024
    _, events = parse_cast(cast)
    assert events[-1][1:] == ["m", "recording truncated"]
    assert "recording truncated at 16384 bytes" in events[-2][2]
    assert "still-alive-after-the-cap" not in cast


def test_no_row_and_no_log_line_holds_a_password_or_token(live: LiveServer, admin: Client,
                                                          used_secrets: list[str]) -> None:
    """Runs last in this module: everything above has written its rows by now."""
    assert len(used_secrets) > 6
    database = sqlite3.connect(live.workdir / "db.sqlite3")
    try:
        stored = [str(value) for table in ("audit_auditevent", "audit_recording")
                  for record in database.execute(f"SELECT * FROM {table}") for value in record]  # noqa: S608
    finally:
        database.close()
    assert len(stored) > 100
    everything = "\n".join(stored) + live.log_tail(100000)
    leaked = [secret[:6] + "…" for secret in used_secrets if secret in everything]
    assert not leaked, f"secrets found in the audit tables or the server log: {leaked}"
