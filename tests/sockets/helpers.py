"""Helpers for socket tests: a Channels communicator on the real ASGI application, JSON frames, counters."""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from channels.testing import WebsocketCommunicator

from accounts.tokens import SessionToken


def token_for(user: Any) -> str:
    return str(SessionToken.for_user(user))


def logs_path(cluster_id: Any, namespace: str, pod: str) -> str:
    return f"/ws/clusters/{cluster_id}/namespaces/{namespace}/pods/{pod}/logs"


def exec_path(cluster_id: Any, namespace: str, pod: str) -> str:
    return f"/ws/clusters/{cluster_id}/namespaces/{namespace}/pods/{pod}/exec"


async def open_socket(path: str, token: str | None = None, *, header: bool = False, query: str = "") -> Any:
    """Connect through kubepolaris.asgi.application (JWT middleware + router), like a browser would."""
    from kubepolaris.asgi import application

    params = [p for p in (query, f"token={token}" if token and not header else "") if p]
    full = path + ("?" + "&".join(params) if params else "")
    headers = [(b"authorization", f"Bearer {token}".encode())] if token and header else []
    communicator = WebsocketCommunicator(application, full, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected, "the server accepts every socket (errors come as a frame and a close code)"
    return communicator


async def frame(communicator: Any, timeout: float = 10) -> dict[str, Any]:
    message = await communicator.receive_output(timeout)
    assert message["type"] == "websocket.send", message
    return json.loads(message["text"])


async def closed_with(communicator: Any, timeout: float = 10) -> int:
    message = await communicator.receive_output(timeout)
    assert message["type"] == "websocket.close", message
    return message.get("code", 1000)


async def expect_error_close(communicator: Any, code: int, timeout: float = 10) -> str:
    """The error frame, then the close code. Returns the error message."""
    first = await frame(communicator, timeout)
    assert first["type"] == "error", first
    assert await closed_with(communicator, timeout) == code
    await communicator.disconnect()
    return first["message"]


async def frames_until(communicator: Any, stop: Any, timeout: float = 15) -> list[dict[str, Any]]:
    """Frames until `stop(frame)` is true (inclusive)."""
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        item = await frame(communicator, max(0.1, deadline - loop.time()))
        seen.append(item)
        if stop(item):
            return seen


def upstream_connections(port: int) -> int:
    """Established TCP connections to the simulated apiserver's port, client side (/proc/net/tcp{,6}).

    The port is private to the test's simulator, so these are our upstream streams (in-process or daphne's)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01":  # 01 = ESTABLISHED
                count += 1
    return count


def thread_count() -> int:
    return threading.active_count()
