"""Issue 10.3 and 10.7 end to end: a real daphne (scripts/liveserver.py), real HTTP with `requests`, real
WebSockets with `websockets`, the simulated cluster registered through the API.

- An access change made through the REST API ends the user's open sockets at once and kills their old token;
  a reactivated user logs in again.
- A socket from a foreign Origin is refused (4403); this server's own origin, a listed one and none pass.
- An exec session whose process keeps printing still closes when the user sends nothing (4408).
"""
from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from scripts.liveserver import LiveServer
from tests.sockets.conftest import find_pod

pytestmark = [pytest.mark.timeout(180)]

IDLE = 4.0  # EXEC_IDLE_TIMEOUT of this server, seconds
ALLOWED = "https://console.example.com,.trusted.example"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True, env={"EXEC_IDLE_TIMEOUT": str(IDLE), "WS_ALLOWED_ORIGINS": ALLOWED})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_token(live: LiveServer) -> str:
    return live.token()


def call(live: LiveServer, method: str, path: str, token: str | None = None, **body: Any) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(method, f"{live.url}{path}", json=body or None, headers=headers, timeout=15)
    envelope = response.json()
    assert envelope["code"] == response.status_code, envelope
    return response.status_code, envelope


def new_user(live: LiveServer, admin_token: str, role: str) -> tuple[int, str, str]:
    """(id, username, password) of a user made through the API."""
    username, password = f"{role}-{secrets.token_hex(4)}", "Live-" + secrets.token_urlsafe(12)
    status, body = call(live, "POST", "/api/users", admin_token, username=username, password=password, role=role)
    assert status == 201, body
    return body["data"]["id"], username, password


def login(live: LiveServer, username: str, password: str) -> str:
    status, body = call(live, "POST", "/api/auth/login", username=username, password=password)
    assert status == 200, body
    return body["data"]["token"]


def socket_url(live: LiveServer, kind: str, query: str = "") -> str:
    namespace, pod, (container,) = find_pod(live.sim)
    base = f"ws://127.0.0.1:{live.port}/ws/clusters/{live.cluster_id}/namespaces/{namespace}/pods/{pod}/{kind}"
    return f"{base}?container={container}" + (f"&{query}" if query else "")


async def next_frame(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def ending(ws: ClientConnection, skip: tuple[str, ...] = ("output", "log")) -> tuple[dict[str, Any], int | None]:
    """The first frame that is not output (skipping what was in flight), then the close code."""
    while (item := await next_frame(ws))["type"] in skip:
        pass
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 10)
    return item, ws.close_code


async def shell_ready(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "input", "data": "echo ready\n"}))
    text = ""
    while text.count("ready") < 2:
        text += (await next_frame(ws))["data"]


async def log_works(ws: ClientConnection) -> None:
    """A one-shot subscribe answers with lines and `end`: the socket was accepted and served."""
    await ws.send(json.dumps({"type": "subscribe", "follow": False, "tailLines": 1}))
    while (item := await next_frame(ws))["type"] != "end":
        assert item["type"] == "log", item


# --- 10.3: access changes through the REST API ------------------------------------------------------------

async def test_demoted_operator_loses_open_shell_and_token(live: LiveServer, admin_token: str) -> None:
    user_id, username, password = new_user(live, admin_token, "operator")
    token = login(live, username, password)
    async with connect(socket_url(live, "exec") + f"&token={token}") as shell:
        await shell_ready(shell)
        status, _ = await asyncio.to_thread(call, live, "PUT", f"/api/users/{user_id}", admin_token, role="viewer")
        assert status == 200
        started = time.monotonic()
        item, code = await ending(shell)
        assert item["type"] == "error" and code in (4401, 4403), (item, code)
        assert time.monotonic() - started < IDLE, "ended by the change, not by the idle limit"
    status, body = call(live, "GET", "/api/auth/me", token)
    assert status == 401 and body["data"] is None
    fresh = login(live, username, password)
    assert call(live, "GET", "/api/auth/me", fresh)[1]["data"]["role"] == "viewer"
    async with connect(socket_url(live, "exec") + f"&token={fresh}") as again:
        item, code = await ending(again)
        assert code == 4403 and item["type"] == "error"


async def test_reactivated_user_must_log_in_again(live: LiveServer, admin_token: str) -> None:
    user_id, username, password = new_user(live, admin_token, "viewer")
    token = login(live, username, password)
    async with connect(socket_url(live, "logs") + f"&token={token}") as ws:
        await log_works(ws)
        assert (await asyncio.to_thread(call, live, "PUT", f"/api/users/{user_id}", admin_token, isActive=False))[
            0] == 200
        item, code = await ending(ws)
        assert item["type"] == "error" and code == 4401
    assert call(live, "PUT", f"/api/users/{user_id}", admin_token, isActive=True)[0] == 200
    assert call(live, "GET", "/api/auth/me", token)[0] == 401
    async with connect(socket_url(live, "logs") + f"&token={token}") as ws:
        item, code = await ending(ws)
        assert item["type"] == "error" and code == 4401
    fresh = login(live, username, password)
    assert call(live, "GET", "/api/auth/me", fresh)[0] == 200


# --- 10.7: origins --------------------------------------------------------------------------------------

async def test_foreign_origin_is_refused(live: LiveServer, admin_token: str) -> None:
    url = socket_url(live, "logs") + f"&token={admin_token}"
    for origin in ("http://evil.example", f"http://evil.example:{live.port}", "https://console.example.com.evil.example",
                   f"https://127.0.0.1:{live.port + 1}", "null"):
        async with connect(url, origin=origin) as ws:
            item, code = await ending(ws)
            assert code == 4403 and item["type"] == "error" and "origin" in item["message"].lower(), origin
    async with connect(socket_url(live, "logs"), origin="http://evil.example") as ws:  # no token either
        assert (await ending(ws))[1] == 4403


async def test_own_listed_and_missing_origins_are_accepted(live: LiveServer, admin_token: str) -> None:
    url = socket_url(live, "logs") + f"&token={admin_token}"
    for origin in (f"http://127.0.0.1:{live.port}", "https://console.example.com", "https://ui.trusted.example",
                   None):
        async with connect(url, origin=origin) as ws:
            await log_works(ws)


# --- 10.7: exec idle counts only the user's frames -------------------------------------------------------

async def test_chatty_shell_still_closes_when_the_user_is_idle(live: LiveServer, admin_token: str) -> None:
    ticks = "; ".join(["echo tick", "sleep 0.4"] * 50)  # ~20 s of output, far past the idle limit
    url = socket_url(live, "exec", f"command={quote(f'sh -c {json.dumps(ticks)}')}")
    started = time.monotonic()
    async with connect(url, additional_headers={"Authorization": f"Bearer {admin_token}"}) as ws:
        output = ""
        while (item := await next_frame(ws, timeout=IDLE * 3))["type"] == "output":
            output += item["data"]
        elapsed = time.monotonic() - started
        assert item["type"] == "error" and "without activity" in item["message"], item
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 4408
    assert output.count("tick") >= 3, "the process was printing while the session went idle"
    assert IDLE - 0.5 <= elapsed < IDLE + 5
