"""The log pump's memory bound and line splitting, and cluster failures reaching the socket as close codes."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async

from clusters.models import Cluster
from common.permissions import Role
from kube import gateway
from pods.sockets.logs import drain_lines, pump_lines
from tests.sockets.helpers import exec_path, expect_error_close, frames_until, logs_path, open_socket

pytestmark = [pytest.mark.timeout(60)]


async def test_a_full_queue_blocks_the_reader() -> None:
    """Back-pressure: a source far faster than the socket is read only as fast as the queue drains."""
    produced = 0

    async def chatty() -> AsyncIterator[str]:
        nonlocal produced
        while produced < 10_000:
            produced += 1
            yield f"line {produced}"

    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=50)
    reader = asyncio.create_task(pump_lines(chatty(), queue))
    await asyncio.sleep(0.2)
    assert queue.qsize() == 50 and produced <= 51, "the reader waits instead of buffering"
    lines = [line async for line in drain_lines(queue)]
    await reader
    assert lines == [f"line {n}" for n in range(1, 10_001)], "nothing dropped, order kept"


async def test_a_reader_failure_reaches_the_writer() -> None:
    async def failing() -> AsyncIterator[str]:
        yield "one"
        raise ConnectionResetError("gone")

    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=5)
    reader = asyncio.create_task(pump_lines(failing(), queue))
    got = []
    with pytest.raises(ConnectionResetError):
        async for line in drain_lines(queue):
            got.append(line)
    await reader
    assert got == ["one"]


@pytest.mark.django_db(transaction=True)
async def test_long_lines_arrive_in_bounded_pieces(sim_cluster: Any, single_pod: Any, tokens: dict,
                                                   settings: Any) -> None:
    settings.LOG_MAX_LINE_BYTES = 16
    namespace, pod, (container,) = single_pod
    socket = await open_socket(logs_path(sim_cluster.pk, namespace, pod), tokens[Role.VIEWER])
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": False, "tailLines": 2})
    got = await frames_until(socket, lambda f: f["type"] == "end")
    await socket.disconnect()
    pieces = [f["data"] for f in got[:-1]]
    text = await database_sync_to_async(
        lambda: gateway.core_v1(sim_cluster).read_namespaced_pod_log(pod, namespace, container=container)
    )()
    upstream = text.splitlines()
    assert all(len(p.encode()) <= 16 for p in pieces) and len(pieces) > 2
    # The two lines, cut in pieces, are two consecutive lines of the log (a newer one may have been written since).
    assert any("".join(pieces) == upstream[i] + upstream[i + 1] for i in range(len(upstream) - 1))


@pytest.fixture
def dead_cluster(db: Any, kubesim: Any) -> Cluster:
    """A registered cluster whose API server address answers nothing (a closed loopback port)."""
    import socket

    import yaml

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cluster = Cluster(name="dead", api_server=f"https://127.0.0.1:{port}")
    cluster.set_kubeconfig(yaml.safe_dump(kubesim.kubeconfig()))
    cluster.save()
    return cluster


@pytest.mark.django_db(transaction=True)
async def test_unreachable_cluster_is_4502(dead_cluster: Cluster, tokens: dict) -> None:
    logs = await open_socket(logs_path(dead_cluster.pk, "default", "web"), tokens[Role.VIEWER])
    assert "dead" in await expect_error_close(logs, 4502)
    shell = await open_socket(exec_path(dead_cluster.pk, "default", "web"), tokens[Role.OPERATOR])
    assert "Cannot connect" in await expect_error_close(shell, 4502)
