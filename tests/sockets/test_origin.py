"""Issue 10.7, in process: the origin check's edges that a real daphne run cannot easily reach (the Host header,
the allowed-origins setting read per handshake). The daphne run is in test_daphne_sessions.py."""
from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from common.permissions import Role
from tests.sockets.helpers import expect_error_close, frame, logs_path

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def handshake(path: str, token: str, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    from kubepolaris.asgi import application

    communicator = WebsocketCommunicator(application, f"{path}?token={token}", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    return communicator


async def served(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"type": "subscribe", "follow": False, "tailLines": 1})
    while (item := await frame(communicator))["type"] != "end":
        assert item["type"] == "log", item
    await communicator.disconnect()


async def test_origin_matching_a_host_we_do_not_serve_is_refused(sim_cluster: Any, single_pod: Any,
                                                                 tokens: dict) -> None:
    """DNS rebinding: evil.example resolves to us, so Host and Origin agree, but Host is not in ALLOWED_HOSTS."""
    namespace, pod, _ = single_pod
    path = logs_path(sim_cluster.pk, namespace, pod)
    rebound = await handshake(path, tokens[Role.VIEWER],
                              [(b"host", b"evil.example:8000"), (b"origin", b"http://evil.example:8000")])
    assert "origin" in (await expect_error_close(rebound, 4403)).lower()
    own = await handshake(path, tokens[Role.VIEWER],
                          [(b"host", b"localhost:8000"), (b"origin", b"http://LOCALHOST:8000")])
    await served(own)


async def test_allowed_origins_setting_applies(sim_cluster: Any, single_pod: Any, tokens: dict,
                                               settings: Any) -> None:
    namespace, pod, _ = single_pod
    path = logs_path(sim_cluster.pk, namespace, pod)
    headers = [(b"host", b"localhost:8000"), (b"origin", b"https://ops.example.org")]
    await expect_error_close(await handshake(path, tokens[Role.VIEWER], headers), 4403)
    settings.WS_ALLOWED_ORIGINS = ["https://ops.example.org"]
    await served(await handshake(path, tokens[Role.VIEWER], headers))
    settings.WS_ALLOWED_ORIGINS = ["http://ops.example.org"]  # the scheme is part of an origin
    await expect_error_close(await handshake(path, tokens[Role.VIEWER], headers), 4403)
