"""A real server (daphne, its own SQLite database) for the SDK tests, started once per session.

`live` has only the admin; `live_cluster` also starts the demo simulator and registers it through
the API (so the SDK's `clusters.create` is exercised on the way).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kubepolaris.client import Client
from scripts.liveserver import LiveServer


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=False).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_cluster(live: LiveServer) -> int:
    """The id of the demo simulator registered on `live` (treat it as read-only)."""
    return live.attach_sim()


@pytest.fixture
def admin(live: LiveServer) -> Iterator[Client]:
    client = live.client()
    yield client
    client.close()


@pytest.fixture
def make_client(live: LiveServer, admin: Client) -> Any:
    """`make_client(role)` → (client logged in as a new user of that role, the user)."""
    import secrets

    def make(role: str = "viewer") -> tuple[Client, dict[str, Any]]:
        username, password = f"{role}-{secrets.token_hex(4)}", "Sdk-" + secrets.token_urlsafe(12)
        user = admin.users.create(username, password, role=role)
        return Client(live.url, username=username, password=password), dict(user)

    return make
