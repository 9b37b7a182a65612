"""Lifecycles: teardown in both directions, the idle limit, token expiry, termination through the channel
layer, and the leak count (tasks, threads, upstream connections) after a mix of opens and closes."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer

from accounts.sessions import terminate_user_sockets
from accounts.tokens import SessionToken
from common.permissions import Role
from tests.sockets.helpers import (
    closed_with,
    exec_path,
    expect_error_close,
    frame,
    frames_until,
    logs_path,
    open_socket,
    thread_count,
    upstream_connections,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


async def eventually(check: Any, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def assert_shell_alive(socket: Any) -> None:
    """The terminal still answers: only output frames (no error, no close) until an echo comes back."""
    await socket.send_json_to({"type": "input", "data": "echo alive\n"})
    text = ""
    while text.count("alive") < 2:
        item = await frame(socket)
        assert item["type"] == "output", item
        text += item["data"]


def sim_port(sim: Any) -> int:
    return int(sim.url.rsplit(":", 1)[1])


async def test_browser_closing_exec_closes_the_upstream(sim_cluster: Any, kubesim: Any, single_pod: Any,
                                                        tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    before = upstream_connections(sim_port(kubesim))
    socket = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                               query=f"container={container}")
    await socket.send_json_to({"type": "input", "data": "sleep 600\n"})
    await frame(socket)  # the echo: the process is running
    assert upstream_connections(sim_port(kubesim)) > before
    await socket.disconnect()
    await eventually(lambda: upstream_connections(sim_port(kubesim)) == before)


async def test_browser_closing_a_follow_closes_the_upstream(sim_cluster: Any, kubesim: Any, single_pod: Any,
                                                            tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    before = upstream_connections(sim_port(kubesim))
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": True, "tailLines": 1})
    assert (await frame(socket))["type"] == "log"
    assert upstream_connections(sim_port(kubesim)) > before
    await socket.disconnect()
    await eventually(lambda: upstream_connections(sim_port(kubesim)) == before)


async def test_process_ending_closes_the_socket(sim_cluster: Any, kubesim: Any, single_pod: Any,
                                                tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    before = upstream_connections(sim_port(kubesim))
    socket = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                               query=f"container={container}&command=true")
    assert (await frames_until(socket, lambda f: f["type"] != "output"))[-1] == {"type": "exit", "code": 0}
    assert await closed_with(socket) == 1000
    await socket.disconnect()
    await eventually(lambda: upstream_connections(sim_port(kubesim)) == before)


async def test_idle_exec_is_closed_4408(sim_cluster: Any, single_pod: Any, tokens: dict, settings: Any) -> None:
    settings.EXEC_IDLE_TIMEOUT = 0.5
    namespace, pod, (container,) = single_pod
    socket = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                               query=f"container={container}")
    error = await frames_until(socket, lambda f: f["type"] == "error", timeout=5)
    assert "without activity" in error[-1]["message"]
    assert await closed_with(socket) == 4408
    await socket.disconnect()


async def test_activity_keeps_a_session_open(sim_cluster: Any, single_pod: Any, tokens: dict,
                                             settings: Any) -> None:
    settings.EXEC_IDLE_TIMEOUT = 1.0
    namespace, pod, (container,) = single_pod
    socket = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                               query=f"container={container}")
    for _ in range(4):  # 2 s in all, never 1 s quiet
        await asyncio.sleep(0.5)
        await socket.send_json_to({"type": "resize", "cols": 80, "rows": 24})
    await assert_shell_alive(socket)
    await socket.disconnect()


async def test_idle_log_socket_is_closed_4408(sim_cluster: Any, single_pod: Any, tokens: dict,
                                              settings: Any) -> None:
    settings.LOG_IDLE_TIMEOUT = 0.5
    namespace, pod, _ = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await expect_error_close(socket, 4408)


async def test_token_expiring_mid_session_closes_4401(sim_cluster: Any, single_pod: Any,
                                                      role_users: dict) -> None:
    token = SessionToken.for_user(role_users[Role.VIEWER])
    token.set_exp(lifetime=timedelta(seconds=2))
    namespace, pod, _ = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), str(token))
    assert "expired" in await expect_error_close(socket, 4401, timeout=6)


async def test_terminate_user_sockets_through_the_channel_layer(sim_cluster: Any, single_pod: Any,
                                                                role_users: dict, tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    viewer = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    operator = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                                 query=f"container={container}")
    await asyncio.sleep(0.2)  # the group joins happen at the end of connect
    await terminate_user_sockets(role_users[Role.VIEWER].pk, "Logged out")
    assert await expect_error_close(viewer, 4401) == "Logged out"
    await assert_shell_alive(operator)  # another user's socket is untouched
    await operator.disconnect()


async def test_channel_layer_round_trip() -> None:
    """The configured layer (in-memory, or Redis when REDIS_URL is set) carries a group message."""
    from django.conf import settings

    layer = get_channel_layer()
    assert type(layer).__name__ == ("RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer")
    channel = await layer.new_channel()
    await layer.group_add("sockets-test", channel)
    await layer.group_send("sockets-test", {"type": "ping.test", "n": 7})
    assert (await asyncio.wait_for(layer.receive(channel), 5)) == {"type": "ping.test", "n": 7}
    await layer.group_discard("sockets-test", channel)


async def test_nothing_left_behind_after_opens_and_closes(sim_cluster: Any, kubesim: Any, single_pod: Any,
                                                          multi_pod: Any, tokens: dict) -> None:
    namespace, pod, (container,) = single_pod
    port = sim_port(kubesim)
    open_threads: list[int] = []

    async def round_of_sockets() -> None:
        follows = [await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
                   for _ in range(4)]
        for socket in follows:
            await socket.send_json_to({"type": "subscribe", "container": container, "follow": True, "tailLines": 1})
            assert (await frame(socket))["type"] == "log"
        switch = follows[0]
        await switch.send_json_to({"type": "subscribe", "container": multi_pod[2][0], "follow": True})
        shells = [await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                                    query=f"container={container}") for _ in range(4)]
        for socket in shells:
            await socket.send_json_to({"type": "input", "data": "echo ready\n"})
        await asyncio.sleep(0.3)
        open_threads.append(thread_count())  # 8 streams open
        # Browser side closes half; the other half's processes exit (upstream side ends).
        for socket in follows + shells[:2]:
            await socket.disconnect()
        for socket in shells[2:]:
            await socket.send_json_to({"type": "input", "data": "exit 0\n"})
            await frames_until(socket, lambda f: f["type"] == "exit")
            assert await closed_with(socket) == 1000
            await socket.disconnect()
        refused = await open_socket(exec_path(sim_cluster.pk, namespace, "no-such-pod"), tokens[Role.OPERATOR])
        await expect_error_close(refused, 4404)

    await round_of_sockets()  # warm-up: executor threads and connection machinery start once
    await asyncio.sleep(0.5)
    baseline_tasks = len(asyncio.all_tasks())
    baseline_threads = thread_count()
    baseline_upstream = upstream_connections(port)
    for _ in range(2):
        await round_of_sockets()
    await eventually(lambda: upstream_connections(port) == baseline_upstream)
    await eventually(lambda: len(asyncio.all_tasks()) == baseline_tasks)
    assert thread_count() == baseline_threads
    assert max(open_threads) == baseline_threads, "streams run on the event loop: no thread per socket"


async def test_logout_and_deactivation_through_rest_close_open_sockets(sim_cluster: Any, single_pod: Any,
                                                                      role_users: dict, tokens: dict) -> None:
    """Tokens really die: a REST logout (or deactivating the user) ends that user's live sockets."""
    from asgiref.sync import sync_to_async
    from rest_framework.test import APIClient

    namespace, pod, (container,) = single_pod
    viewer = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    operator = await open_socket(exec_path(sim_cluster.pk, namespace, pod), tokens[Role.OPERATOR],
                                 query=f"container={container}")
    await asyncio.sleep(0.2)  # the group joins happen at the end of connect

    def logout_viewer() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[Role.VIEWER]}")
        return client.post("/api/auth/logout").status_code

    assert await sync_to_async(logout_viewer)() == 200
    assert await expect_error_close(viewer, 4401) == "Logged out"
    await assert_shell_alive(operator)

    def deactivate_operator() -> None:
        from accounts import services

        services.update_user(user=role_users[Role.OPERATOR], data={"is_active": False})

    await sync_to_async(deactivate_operator)()
    while (message := await frame(operator))["type"] == "output":  # the shell's prompt may still be in flight
        pass
    assert message["type"] == "error" and "log in again" in message["message"]
    assert await closed_with(operator) == 4401
