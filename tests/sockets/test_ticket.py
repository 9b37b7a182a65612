"""WebSocket tickets and credentials kept out of logs (issue 10 point 6, contract §7 and §12).

Real HTTP and real WebSockets: a daphne process (`scripts.liveserver`, started as in production with
`python -m daphne`, access log on stdout) in front of the simulated cluster, with `WS_TICKET_SECONDS` tiny so
expiry is observable; and `manage.py demo`, which runs daphne's CLI in its own process.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from cryptography.fernet import Fernet
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from scripts.liveserver import LiveServer
from tests.schema.validation import assert_matches_schema
from tests.sockets.conftest import find_pod

pytestmark = [pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
TICKET_SECONDS = 3
PASSWORD = "Ticket-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True, env={"WS_TICKET_SECONDS": str(TICKET_SECONDS)}).start()
    yield server
    server.stop()


def _http(live: LiveServer, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{live.url}{path}", headers=headers, timeout=10, **kwargs)


@pytest.fixture(scope="module")
def admin_token(live: LiveServer) -> str:
    return live.token()


@pytest.fixture(scope="module")
def tokens(live: LiveServer, admin_token: str) -> dict[str, str]:
    """Tokens of a viewer and an operator, for the tests that do not change their user (logins cost seconds)."""
    return {role: _user(live, role, admin_token)[1] for role in ("viewer", "operator")}


def _user(live: LiveServer, role: str, admin_token: str) -> tuple[int, str]:
    """A new user of `role` (made by the admin through the API) and a token from a real login."""
    username = f"{role}-{secrets.token_hex(4)}"
    made = _http(live, "POST", "/api/users", admin_token, json={"username": username, "password": PASSWORD,
                                                                 "role": role})
    assert made.status_code == 201, made.text
    login = _http(live, "POST", "/api/auth/login", json={"username": username, "password": PASSWORD})
    return made.json()["data"]["id"], login.json()["data"]["token"]


def _ticket(live: LiveServer, token: str) -> str:
    response = _http(live, "POST", "/api/auth/ws-ticket", token)
    assert response.status_code == 200, response.text
    assert_matches_schema(response, "post", "/api/auth/ws-ticket")
    return str(response.json()["data"]["ticket"])


def _socket(live: LiveServer, namespace: str, pod: str, kind: str, query: str) -> str:
    return f"ws://127.0.0.1:{live.port}/ws/clusters/{live.cluster_id}/namespaces/{namespace}/pods/{pod}/{kind}?{query}"


async def _next(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _refused(url: str) -> tuple[int | None, dict[str, Any]]:
    """(close code, first frame) of a socket the server refuses."""
    async with connect(url) as ws:
        first = await _next(ws)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        return ws.close_code, first


async def _read_log(url: str, container: str) -> list[dict[str, Any]]:
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "subscribe", "container": container, "follow": False, "tailLines": 2}))
        frames = [await _next(ws)]
        while frames[-1]["type"] == "log":
            frames.append(await _next(ws))
        return frames


def test_ticket_response(live: LiveServer, tokens: dict[str, str]) -> None:
    token = tokens["viewer"]
    before = datetime.now(UTC).replace(microsecond=0)
    response = _http(live, "POST", "/api/auth/ws-ticket", token)
    assert_matches_schema(response, "post", "/api/auth/ws-ticket")
    body = response.json()
    assert (body["code"], body["message"], set(body["data"])) == (200, "success", {"ticket", "expire"})
    assert response.headers["Cache-Control"] == "no-store"
    expire = datetime.strptime(body["data"]["expire"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= expire <= before + timedelta(seconds=TICKET_SECONDS + 1)
    assert len(body["data"]["ticket"]) >= 32 and body["data"]["ticket"] != _ticket(live, token)


@pytest.mark.parametrize("token", [None, "not-a-jwt"])
def test_ticket_needs_a_valid_token(live: LiveServer, token: str | None) -> None:
    response = _http(live, "POST", "/api/auth/ws-ticket", token)
    assert_matches_schema(response, "post", "/api/auth/ws-ticket")
    body = response.json()
    assert response.status_code == 401 and body["code"] == 401 and body["data"] is None and body["message"]


async def test_ticket_opens_a_log_socket_once(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, (container,) = find_pod(live.sim)
    token = tokens["viewer"]
    url = _socket(live, namespace, pod, "logs", f"ticket={_ticket(live, token)}")
    frames = await _read_log(url, container)
    assert frames[-1] == {"type": "end"} and frames[0]["type"] == "log"
    code, first = await _refused(url)  # the same ticket again
    assert code == 4401 and first["type"] == "error" and "ticket" in first["message"].lower()


async def test_exec_socket_accepts_a_ticket(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, (container,) = find_pod(live.sim)
    token = tokens["operator"]
    url = _socket(live, namespace, pod, "exec", f"container={container}&ticket={_ticket(live, token)}")
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "input", "data": "echo by-ticket\n"}))
        text = ""
        while text.count("by-ticket") < 2:
            text += (await _next(ws))["data"]


async def test_ticket_keeps_the_role_of_its_user(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, _ = find_pod(live.sim)
    token = tokens["viewer"]
    code, first = await _refused(_socket(live, namespace, pod, "exec", f"ticket={_ticket(live, token)}"))
    assert code == 4403 and "viewer" in first["message"]


async def test_expired_ticket_is_4401(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, _ = find_pod(live.sim)
    token = tokens["viewer"]
    ticket = _ticket(live, token)
    await asyncio.sleep(TICKET_SECONDS + 0.5)
    code, first = await _refused(_socket(live, namespace, pod, "logs", f"ticket={ticket}"))
    assert code == 4401 and first["type"] == "error"


@pytest.mark.parametrize("ticket", ["", "made-up-" + "x" * 40])
async def test_unknown_ticket_is_4401(live: LiveServer, ticket: str) -> None:
    namespace, pod, _ = find_pod(live.sim)
    code, first = await _refused(_socket(live, namespace, pod, "logs", f"ticket={ticket}"))
    assert code == 4401 and first["type"] == "error" and "ticket" in first["message"].lower()  # says what to do


async def test_ticket_of_a_user_deactivated_meanwhile_is_4401(live: LiveServer, admin_token: str) -> None:
    namespace, pod, _ = find_pod(live.sim)
    user_id, token = _user(live, "viewer", admin_token)
    ticket = _ticket(live, token)
    changed = _http(live, "PUT", f"/api/users/{user_id}", admin_token, json={"isActive": False})
    assert changed.status_code == 200 and changed.json()["data"]["isActive"] is False
    code, first = await _refused(_socket(live, namespace, pod, "logs", f"ticket={ticket}"))
    assert code == 4401 and first["type"] == "error"


async def test_ticket_of_a_token_logged_out_meanwhile_is_4401(live: LiveServer, admin_token: str) -> None:
    namespace, pod, _ = find_pod(live.sim)
    _, token = _user(live, "viewer", admin_token)
    ticket = _ticket(live, token)
    assert _http(live, "POST", "/api/auth/logout", token).status_code == 200
    code, first = await _refused(_socket(live, namespace, pod, "logs", f"ticket={ticket}"))
    assert code == 4401 and "revoked" in first["message"]


async def test_token_still_works_in_the_query_and_the_header(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, (container,) = find_pod(live.sim)
    token = tokens["viewer"]
    assert (await _read_log(_socket(live, namespace, pod, "logs", f"token={token}"), container))[-1]["type"] == "end"
    url = _socket(live, namespace, pod, "logs", "tailLines=1")
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"type": "subscribe", "container": container, "follow": False, "tailLines": 1}))
        assert (await _next(ws))["type"] == "log"


async def _leave_credentials_in_urls(base: str, namespace: str, pod: str, container: str, token: str,
                                     ticket: str, cluster_id: int | None) -> None:
    """Every way a token or ticket can sit in a URL the server sees: HTTP queries and both socket kinds."""
    for query in (f"token={token}", f"ticket={ticket}", f"access_token={token}&Ticket={ticket}"):
        requests.get(f"{base}/api/auth/me?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    requests.get(f"{base}/api/no-such-path?token={token}", timeout=10)
    sockets = f"{base.replace('http', 'ws', 1)}/ws/clusters/{cluster_id}/namespaces/{namespace}/pods/{pod}"
    frames = await _read_log(f"{sockets}/logs?ticket={ticket}", container)
    assert frames[-1] == {"type": "end"}
    await _read_log(f"{sockets}/logs?token={token}", container)
    async with connect(f"{sockets}/exec?container={quote(container)}&token={token}") as ws:
        await ws.send(json.dumps({"type": "input", "data": "exit\n"}))
        with pytest.raises(ConnectionClosed):
            while True:
                await _next(ws)


async def test_no_token_or_ticket_in_daphnes_output(live: LiveServer, tokens: dict[str, str]) -> None:
    namespace, pod, (container,) = find_pod(live.sim)
    token = tokens["operator"]
    ticket = _ticket(live, token)
    await _leave_credentials_in_urls(live.url, namespace, pod, container, token, ticket, live.cluster_id)
    await asyncio.sleep(0.5)  # daphne writes its access log as requests complete
    logged = live.log_path.read_text()
    assert '"GET /api/auth/me?token=[REDACTED]"' in logged  # the access log is on, and redacted ...
    assert "/ws/clusters/" in logged
    assert token not in logged and ticket not in logged  # ... and no credential made it through


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_no_token_or_ticket_in_the_demo_commands_output(tmp_path: Path) -> None:
    """`manage.py demo` runs daphne's CLI in-process: its access log goes to stdout, redacted too."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "kubepolaris.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}",
                "KUBEPOLARIS_VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": "demo-test-" + "k" * 40,
                "FERNET_KEYS": Fernet.generate_key().decode(), "LOG_LEVEL": "INFO",
                "SECURE_SSL_REDIRECT": "0"})  # plain http on loopback, as scripts/liveserver.py serves it
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    output = tmp_path / "demo.out"
    with open(output, "w") as out:
        process = subprocess.Popen([sys.executable, "manage.py", "demo", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text()
            try:
                login = requests.post(f"{base}/api/auth/login", json={"username": "admin", "password": "admin123"},
                                      timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, output.read_text()
                await asyncio.sleep(0.2)
        token = login.json()["data"]["token"]
        clusters = requests.get(f"{base}/api/clusters", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        cluster_id = clusters.json()["data"]["items"][0]["id"]
        auth = {"Authorization": f"Bearer {token}"}
        pods = requests.get(f"{base}/api/clusters/{cluster_id}/pods", params={"pageSize": 100, "status": "Running"},
                            headers=auth, timeout=30).json()["data"]["items"]
        deployments = requests.get(f"{base}/api/clusters/{cluster_id}/workloads", headers=auth, timeout=30,
                                   params={"pageSize": 100, "type": "deployment"}).json()["data"]["items"]
        prefixes = tuple(f"{d['name']}-" for d in deployments)  # a Deployment's pod stays (a Job's may go)
        pod = next(p for p in pods if len(p["containers"]) == 1 and p["name"].startswith(prefixes))
        ticket = requests.post(f"{base}/api/auth/ws-ticket", headers={"Authorization": f"Bearer {token}"},
                               timeout=10).json()["data"]["ticket"]
        await _leave_credentials_in_urls(base, pod["namespace"], pod["name"], pod["containers"][0]["name"], token,
                                         ticket, cluster_id)
        await asyncio.sleep(0.5)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    logged = output.read_text()
    assert '"GET /api/auth/me?token=[REDACTED]"' in logged and "/ws/clusters/" in logged
    assert token not in logged and ticket not in logged
