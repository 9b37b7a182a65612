"""Socket test fixtures: users and tokens per role (made before the event loop runs the test)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from common.permissions import Role
from tests.sockets.helpers import token_for


@pytest.fixture
def role_users(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {role: make_user(role=role) for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN)}


@pytest.fixture
def tokens(role_users: dict[str, Any]) -> dict[str, str]:
    """`tokens["viewer"]` → a valid JWT of a fresh viewer (and operator, admin)."""
    return {role: token_for(user) for role, user in role_users.items()}


# --- pods in the simulated clusters ----------------------------------------------------------

def _running(pod: dict[str, Any]) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    running = {s["name"] for s in statuses if (s.get("state") or {}).get("running")}
    return (pod.get("status") or {}).get("phase") == "Running" and bool(names) and set(names) <= running


def find_pod(sim: Any, *, containers: int = 1, timeout: float = 30) -> tuple[str, str, list[str]]:
    """(namespace, name, container names) of a Running pod, all containers running, with that many containers."""
    deadline = time.monotonic() + timeout
    while True:
        for pod in sorted(sim.store.list("pods"), key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"])):
            names = [c["name"] for c in pod["spec"].get("containers") or []]
            long_lived = pod["spec"].get("restartPolicy", "Always") == "Always"  # not a Job's pod: it stays
            if long_lived and _running(pod) and len(names) == containers and not pod["metadata"].get(
                "deletionTimestamp"
            ):
                return pod["metadata"]["namespace"], pod["metadata"]["name"], names
        if time.monotonic() > deadline:
            raise AssertionError(f"no running pod with {containers} container(s) in the simulated cluster")
        time.sleep(0.2)


@pytest.fixture
def single_pod(kubesim: Any) -> tuple[str, str, list[str]]:
    return find_pod(kubesim, containers=1)


@pytest.fixture
def multi_pod(kubesim: Any) -> tuple[str, str, list[str]]:
    return find_pod(kubesim, containers=2)
