"""A database that is briefly unreachable is a 503 (REST, admin) or an error frame + 4503 (sockets), never
a 500 or a traceback; and the server recovers on its own when the database is back.

A live daphne talks to PostgreSQL through a small TCP proxy in this test. `down()` cuts every open
connection and drops new ones at once, as a restarting or partitioned database would.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.fernet import Fernet
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from scripts.liveserver import LiveServer

pytestmark = [pytest.mark.timeout(180)]

MESSAGE = "Database unavailable; try again shortly"


class PausableProxy:
    """127.0.0.1:<port> → host:port, in a thread of its own. While down, connections are cut and refused."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.up = True
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> PausableProxy:
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    def _cut(self) -> None:
        self.up = False
        for writer in list(self.writers):
            writer.transport.abort()

    def down(self) -> None:
        self.loop.call_soon_threadsafe(self._cut)

    def resume(self) -> None:
        self.up = True

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._cut)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _postgres() -> tuple[str, str]:
    """(URL of the server's `postgres` database, name for this test's database): from DATABASE_URL when it is
    PostgreSQL, else the local server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/kp_oddinput"
    parts = urlsplit(url)
    return parts._replace(path="/postgres").geturl(), parts.path.lstrip("/") + "_dbdown"


@pytest.fixture(scope="module")
def outage() -> Iterator[tuple[LiveServer, PausableProxy]]:
    psycopg = pytest.importorskip("psycopg")
    admin_url, name = _postgres()
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    proxy = PausableProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    server = LiveServer(with_sim=False, database_url=f"postgres://{netloc}127.0.0.1:{proxy.port}/{name}",
                        env={"FERNET_KEYS": Fernet.generate_key().decode(), "LOG_LEVEL": "INFO"})
    try:
        server.start()
        yield server, proxy
    finally:
        server.stop()
        proxy.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.json() == {"code": 503, "message": MESSAGE, "data": None}


async def _socket_refusal(url: str) -> tuple[dict, int | None]:
    async with connect(url) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        return first, ws.close_code


def test_database_outage_is_a_503_and_a_4503_then_recovers(outage: tuple[LiveServer, PausableProxy]) -> None:
    live, proxy = outage
    token = live.token()
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{live.url}/api/auth/me", headers=auth, timeout=10).status_code == 200
    session = requests.Session()
    form = session.get(f"{live.url}/admin/login/", timeout=10)
    assert form.status_code == 200
    csrf = session.cookies["csrftoken"]
    log_before = live.log_path.read_text(errors="replace")

    proxy.down()
    _unavailable(requests.get(f"{live.url}/api/auth/me", headers=auth, timeout=10))  # authentication itself
    _unavailable(requests.get(f"{live.url}/api/clusters", headers=auth, timeout=10))
    _unavailable(requests.post(f"{live.url}/api/auth/login", timeout=10,
                               json={"username": live.admin_username, "password": live.admin_password}))
    admin_login = session.post(f"{live.url}/admin/login/", timeout=10, headers={"Referer": f"{live.url}/admin/"},
                               data={"username": live.admin_username, "password": live.admin_password,
                                     "csrfmiddlewaretoken": csrf, "next": "/admin/"})
    assert admin_login.status_code == 503 and MESSAGE in admin_login.text  # outside DRF: Django's own handler
    ws_url = live.url.replace("http://", "ws://") + f"/ws/clusters/1/namespaces/default/pods/web/logs?token={token}"
    first, code = asyncio.run(_socket_refusal(ws_url))
    assert first == {"type": "error", "message": MESSAGE} and code == 4503

    proxy.resume()
    me = requests.get(f"{live.url}/api/auth/me", headers=auth, timeout=10)
    assert me.status_code == 200 and me.json()["data"]["username"] == live.admin_username
    logged = live.log_path.read_text(errors="replace")[len(log_before):]
    assert "Database unavailable" in logged  # the outage is visible to the operator ...
    assert "Traceback" not in logged and "Internal server error" not in logged.lower(), logged[-3000:]  # ... calmly
