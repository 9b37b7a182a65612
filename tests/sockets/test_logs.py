"""The log socket against the simulated cluster over HTTPS, through Channels' communicator."""
from __future__ import annotations

import calendar
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async

from common.permissions import Role
from kube import gateway
from tests.conftest import register_sim
from tests.sockets.conftest import find_pod
from tests.sockets.helpers import expect_error_close, frame, frames_until, logs_path, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


def upstream_log(cluster: Any, namespace: str, pod: str, container: str, **options: Any) -> list[str]:
    """The container's log as the cluster serves it to the REST gateway (the reference for the socket)."""
    text = gateway.core_v1(cluster).read_namespaced_pod_log(pod, namespace, container=container, **options)
    return text.splitlines()


async def test_follow_sends_lines_live_one_per_frame(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    subscribed = time.time()
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": True,
                               "tailLines": 2, "timestamps": True})
    first = [await frame(socket), await frame(socket)]
    live = await frame(socket, timeout=10)  # the pod writes a line every 1-3 s
    await socket.disconnect()
    assert all(f["type"] == "log" for f in [*first, live])
    assert all("\n" not in f["data"] for f in [*first, live])
    history = await database_sync_to_async(upstream_log)(sim_cluster, namespace, pod, container, timestamps=True)
    assert [f["data"] for f in first] == [line for line in history if line in {f["data"] for f in first}]
    stamp = live["data"].split(" ", 1)[0]
    written = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
    assert written >= subscribed - 1, "the third line was written after the subscription: it arrived live"


async def test_non_follow_sends_the_tail_then_end(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": False, "tailLines": 3})
    got = await frames_until(socket, lambda f: f["type"] != "log")
    assert [f["type"] for f in got] == ["log", "log", "log", "end"]
    history = await database_sync_to_async(upstream_log)(sim_cluster, namespace, pod, container)
    assert all(f["data"] in history for f in got[:3])
    # The socket stays open after `end`: another subscribe works.
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": False, "tailLines": 1})
    again = await frames_until(socket, lambda f: f["type"] != "log")
    assert [f["type"] for f in again] == ["log", "end"]
    await socket.disconnect()


async def test_subscribe_switches_container(sim_cluster: Any, multi_pod: Any, tokens: dict) -> None:
    namespace, pod, (first, second) = multi_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_json_to({"type": "subscribe", "container": first, "follow": True, "tailLines": 1})
    assert (await frame(socket))["type"] == "log"
    await socket.send_json_to({"type": "subscribe", "container": second, "follow": False})
    got = await frames_until(socket, lambda f: f["type"] == "end", timeout=20)
    await socket.disconnect()
    first_log = await database_sync_to_async(upstream_log)(sim_cluster, namespace, pod, first)
    second_log = await database_sync_to_async(upstream_log)(sim_cluster, namespace, pod, second)
    # A line of the old stream may still have been in flight; once the new one starts, only its lines come.
    switched = next(i for i, f in enumerate(got) if f["type"] == "log" and f["data"] in second_log
                    and f["data"] not in first_log)
    assert got[switched:-1] and all(f["data"] in second_log for f in got[switched:-1])
    assert [f["data"] for f in got[switched:-1]] == second_log[second_log.index(got[switched]["data"]):][
        : len(got) - 1 - switched]


async def test_unknown_container_lists_the_containers_and_stays_open(
    sim_cluster: Any, multi_pod: Any, tokens: dict
) -> None:
    namespace, pod, containers = multi_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.ADMIN])
    await socket.send_json_to({"type": "subscribe", "container": "no-such-container"})
    error = await frame(socket)
    assert error["type"] == "error" and "no-such-container" in error["message"]
    assert all(name in error["message"] for name in containers)
    await socket.send_json_to({"type": "subscribe", "container": containers[0], "follow": False, "tailLines": 1})
    assert [f["type"] for f in await frames_until(socket, lambda f: f["type"] != "log")] == ["log", "end"]
    await socket.disconnect()


@pytest.mark.parametrize(
    "bad, words",
    [
        ("not json", "JSON"),
        ('["subscribe"]', "object"),
        ('{"type": "input", "data": "x"}', "subscribe"),
        ('{"type": "subscribe", "tailLines": -1}', "tailLines"),
        ('{"type": "subscribe", "sinceSeconds": "ten"}', "sinceSeconds"),
        ('{"type": "subscribe", "follow": "yes"}', "follow"),
        ('{"type": "subscribe", "container": 7}', "container"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays(
    sim_cluster: Any, single_pod: Any, tokens: dict, bad: str, words: str
) -> None:
    namespace, pod, (container,) = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_to(text_data=bad)
    error = await frame(socket)
    assert error["type"] == "error" and words in error["message"]
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": False, "tailLines": 1})
    assert [f["type"] for f in await frames_until(socket, lambda f: f["type"] != "log")] == ["log", "end"]
    await socket.disconnect()


async def test_unknown_pod_is_4404(sim_cluster: Any, tokens: dict) -> None:
    socket = await open_socket(logs_path(sim_cluster.pk, "default", "no-such-pod-xyz"), tokens[Role.VIEWER])
    message = await expect_error_close(socket, 4404)
    assert "no-such-pod-xyz" in message


async def test_deleted_pod_ends_the_follow(fresh_kubesim: Any, tokens: dict) -> None:
    sim = fresh_kubesim()
    cluster = await database_sync_to_async(register_sim)(sim, "private")
    namespace, pod, (container,) = await database_sync_to_async(find_pod)(sim)
    socket = await open_socket(logs_path(cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": True, "tailLines": 1})
    assert (await frame(socket))["type"] == "log"
    await database_sync_to_async(
        lambda: gateway.core_v1(cluster).delete_namespaced_pod(pod, namespace, grace_period_seconds=0)
    )()
    rest = await frames_until(socket, lambda f: f["type"] != "log", timeout=15)
    assert rest[-1] == {"type": "end"}
    await socket.disconnect()
