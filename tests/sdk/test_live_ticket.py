"""The SDK's `auth.ws_ticket()` against a real server: a ticket opens one socket, once."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kubepolaris import Client
from kubepolaris.client import AuthenticationError
from scripts.liveserver import LiveServer


def _close_code(live: LiveServer, ticket: str) -> tuple[int | None, str]:
    """Open a log socket of an unknown cluster with `?ticket=`: 4404 means the ticket passed, 4401 it did not."""
    url = f"ws://127.0.0.1:{live.port}/ws/clusters/987654/namespaces/default/pods/web/logs?ticket={ticket}"

    async def run() -> tuple[int | None, str]:
        async with connect(url) as ws:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))["message"]
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code, message

    return asyncio.run(run())


def test_ws_ticket(admin: Client, live: LiveServer) -> None:
    result = admin.auth.ws_ticket()
    assert set(result) == {"ticket", "expire"}
    expire = datetime.strptime(result["expire"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert datetime.now(UTC) - timedelta(seconds=2) < expire <= datetime.now(UTC) + timedelta(seconds=31)
    assert _close_code(live, result["ticket"]) == (4404, "Cluster 987654 not found")
    assert _close_code(live, result["ticket"])[0] == 4401  # single use


def test_ws_ticket_needs_a_token(live: LiveServer) -> None:
    with pytest.raises(AuthenticationError) as caught:
        Client(live.url).auth.ws_ticket()
    assert caught.value.code == 401
