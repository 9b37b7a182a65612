"""A real daphne whose database or channel layer is unreachable: alive (/healthz 200), not ready (/readyz 503)."""
from __future__ import annotations

import time

import pytest
import requests

from scripts.liveserver import LiveServer
from tests.kube.faults import refused_port

pytestmark = [pytest.mark.timeout(120)]


class UnmigratedServer(LiveServer):
    """No migrate and no admin: the database is not there to prepare (the readiness probe needs no table)."""

    def _manage(self, *args: str) -> None:
        pass


def test_database_unreachable() -> None:
    url = f"postgres://postgres@127.0.0.1:{refused_port()}/kp_observe"
    with UnmigratedServer(with_sim=False, database_url=url) as live:
        assert requests.get(f"{live.url}/healthz", timeout=5).status_code == 200
        response = requests.get(f"{live.url}/readyz", timeout=10)
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"] == {"ok": False, "error": "OperationalError"}
        assert checks["channelLayer"]["ok"] is True
        assert "kp_observe" not in response.text and "postgres" not in response.text


def test_channel_layer_unreachable() -> None:
    env = {"REDIS_URL": f"redis://127.0.0.1:{refused_port()}/0", "READYZ_TIMEOUT": "1"}
    with UnmigratedServer(with_sim=False, env=env) as live:
        started = time.monotonic()
        response = requests.get(f"{live.url}/readyz", timeout=10)
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"]["ok"] is True
        assert checks["channelLayer"]["ok"] is False
        assert requests.get(f"{live.url}/healthz", timeout=5).status_code == 200
