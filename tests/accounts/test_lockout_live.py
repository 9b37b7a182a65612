"""The login lock through real HTTP, across two server processes that share one database and Redis.

Two daphne processes (`scripts.liveserver.LiveServer`) share a SQLite file and a Redis cache: the one
in `REDIS_URL` when it is set, else a database of the Redis that always runs on this machine. Failures
sent to one process count on the other; with a per-process (locmem) cache they would not, and the
test would fail. Server `direct` trusts no proxy (X-Forwarded-For is ignored), server `proxied` one.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.liveserver import LiveServer

# Starting two servers (migrate, then daphne) on a busy machine takes longer than the default timeout.
pytestmark = pytest.mark.timeout(600)

# A database number of our own on the machine's Redis when REDIS_URL does not name one.
FALLBACK_REDIS_URL = "redis://127.0.0.1:6379/11"
USERNAME_LIMIT = 3
ADDRESS_LIMIT = 4  # on `proxied` only; `direct` sees every test's requests from 127.0.0.1
LOCK_SECONDS = 120
LOCKED = {"code": 429, "message": "Too many failed login attempts; try again later", "data": None}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    database = Path(tmp_path_factory.mktemp("lockout-live")) / "db.sqlite3"
    shared = {
        "REDIS_URL": os.environ.get("REDIS_URL") or FALLBACK_REDIS_URL,
        "LOGIN_LOCKOUT_FAILURES": str(USERNAME_LIMIT),
        "LOGIN_LOCKOUT_WINDOW_SECONDS": "600",
        "LOGIN_LOCKOUT_SECONDS": str(LOCK_SECONDS),
        "LOG_LEVEL": "WARNING",
    }
    started: dict[str, LiveServer] = {}
    try:
        for name, extra in (
            ("direct", {"TRUSTED_PROXY_COUNT": "0", "LOGIN_LOCKOUT_ADDRESS_FAILURES": "100000"}),
            ("proxied", {"TRUSTED_PROXY_COUNT": "1", "LOGIN_LOCKOUT_ADDRESS_FAILURES": str(ADDRESS_LIMIT)}),
        ):
            started[name] = LiveServer(with_sim=False, database_url=f"sqlite:///{database}",
                                       env={**shared, **extra}).start()
        yield started
    finally:
        for server in started.values():
            server.stop()


def post_login(server: LiveServer, username: str, password: str, forwarded: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return requests.post(f"{server.url}/api/auth/login", json={"username": username, "password": password},
                         headers=headers, timeout=30)


def random_address() -> str:
    return "10." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))


def make_user(server: LiveServer) -> tuple[str, str]:
    username, password = f"user-{secrets.token_hex(4)}", "Live-" + secrets.token_urlsafe(12)
    client = server.client()
    try:
        client.users.create(username, password, role="viewer")
    finally:
        client.close()
    return username, password


def assert_locked(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 429, (response.status_code, response.text[:300])
    assert response.json() == LOCKED
    assert 0 < int(response.headers["Retry-After"]) <= LOCK_SECONDS
    return response.json()


def test_failures_on_one_process_lock_the_username_on_the_other(servers: dict[str, LiveServer]) -> None:
    direct, proxied = servers["direct"], servers["proxied"]
    username, password = make_user(direct)
    assert post_login(proxied, username, password, forwarded=random_address()).status_code == 200  # one database

    # Alternate processes, and forge a new X-Forwarded-For each time: 2 failures on one, 1 on the other.
    for server in (direct, proxied, direct):
        response = post_login(server, username, "wrong", forwarded=f"{random_address()}, {random_address()}")
        assert response.status_code == 401, response.text
    # Locked on both processes, with the same answer for a wrong and a right password.
    answers = [post_login(server, username, guess, forwarded=random_address())
               for server in (proxied, direct) for guess in ("wrong", password)]
    for response in answers:
        assert_locked(response)
    assert len({response.content for response in answers}) == 1


def test_forged_forwarded_for_does_not_reset_the_count(servers: dict[str, LiveServer]) -> None:
    direct = servers["direct"]
    username = f"ghost-{secrets.token_hex(4)}"
    for _ in range(USERNAME_LIMIT):
        assert post_login(direct, username, "guess", forwarded=random_address()).status_code == 401
    assert_locked(post_login(direct, username, "guess", forwarded=random_address()))
    # The lock is in the log, with the username and never the password.
    log = direct.log_tail(400)
    lines = [line for line in log.splitlines() if "Login locked" in line and username in line]
    assert lines and "127.0.0.1" in lines[0], log[-2000:]
    assert "guess" not in log


def test_behind_one_trusted_proxy_the_address_comes_from_forwarded_for(servers: dict[str, LiveServer]) -> None:
    direct, proxied = servers["direct"], servers["proxied"]
    username, password = make_user(direct)
    client_address = random_address()
    # Failures for different usernames from one client (the proxy appended its address; the rest is forged).
    for number in range(ADDRESS_LIMIT):
        response = post_login(proxied, f"ghost-{secrets.token_hex(4)}-{number}", "guess",
                               forwarded=f"{random_address()}, {client_address}")
        assert response.status_code == 401, response.text
    # That client is locked out, even with a right password for a username that never failed ...
    assert_locked(post_login(proxied, username, password, forwarded=f"{random_address()}, {client_address}"))
    # ... but another client behind the same proxy (the same REMOTE_ADDR, 127.0.0.1) is not.
    response = post_login(proxied, username, password, forwarded=f"{client_address}, {random_address()}")
    assert response.status_code == 200, response.text
