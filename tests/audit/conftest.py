"""A real server for the audit tests: daphne + its own SQLite database + the demo simulator, registered
through the API. Recordings are capped at 16 KiB here so one test can reach the cap."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from kubepolaris.client import Client
from scripts.liveserver import LiveServer

RECORDING_CAP = 16384


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True, env={"AUDIT_RECORDING_MAX_BYTES": str(RECORDING_CAP)}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def used_secrets(live: LiveServer) -> list[str]:
    """Every password and token the tests hand to the server; none may end up in a row or the log."""
    return [live.admin_password, str(live.sim.kubeconfig()["users"][0]["user"]["token"])]


@pytest.fixture(scope="module")
def admin(live: LiveServer, used_secrets: list[str]) -> Iterator[Client]:
    client = live.client()
    client.auth.me()
    used_secrets.append(str(client.token))
    yield client
    client.close()


@pytest.fixture
def make_client(live: LiveServer, admin: Client, used_secrets: list[str]) -> Any:
    """`make_client(role)` → (a client logged in as a new user of that role, its username)."""

    def make(role: str) -> tuple[Client, str]:
        username, password = f"{role}-{secrets.token_hex(4)}", "Audit-" + secrets.token_urlsafe(12)
        admin.users.create(username, password, role=role)
        client = Client(live.url, username=username, password=password)
        client.auth.me()
        used_secrets.extend([password, str(client.token)])
        return client, username

    return make
