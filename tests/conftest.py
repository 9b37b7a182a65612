"""Fixtures shared by every test: users per role with real tokens, and a running simulated cluster."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import SessionToken
from common.permissions import Role

# Every response any test sees is checked against the OpenAPI document (tests/schema/plugin.py).
pytest_plugins = ["tests.schema.plugin"]

PASSWORD = "Sturdy-Passw0rd!"


def clear_cache() -> None:
    """Empty this test process's cache. Parallel workers share one Redis database (settings.REDIS_PREFIX keeps
    them apart), so a worker deletes only its own keys there; FLUSHDB would empty the other workers' too."""
    from django.conf import settings

    if not (settings.REDIS_URL and settings.REDIS_PREFIX):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{settings.REDIS_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters live in the cache; every test starts with none."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str | None = None, role: str = Role.VIEWER, **extra: Any) -> User:
        username = username or f"{role}-{User.objects.count() + 1}"
        return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)

    return make


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {SessionToken.for_user(user)}")
    return client


@pytest.fixture
def api(make_user: Callable[..., User]) -> Callable[[str], APIClient]:
    """`api("viewer")` → an APIClient authenticated as a fresh user of that role."""
    return lambda role: bearer_client(make_user(role=role))


@pytest.fixture
def admin_api(api: Callable[[str], APIClient]) -> APIClient:
    return api(Role.ADMIN)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


# --- the simulated cluster -------------------------------------------------------------------

@pytest.fixture(scope="session")
def kubesim() -> Iterator[Any]:
    """The demo fleet, shared by read-only tests. Tests that change the cluster use `fresh_kubesim`."""
    from kubesim import KubeSim

    sim = KubeSim(fleet="demo")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def fresh_kubesim() -> Iterator[Callable[..., Any]]:
    """A factory for private simulated clusters, stopped after the test."""
    from kubesim import KubeSim

    started: list[Any] = []

    def start(**options: Any) -> Any:
        options.setdefault("fleet", "demo")
        sim = KubeSim(**options)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def register_sim(sim: Any, name: str = "sim") -> Any:
    """Store a simulated cluster as a registered cluster record (bypassing the API, for fixtures)."""
    from clusters.models import Cluster

    cluster = Cluster(name=name, api_server=sim.url)
    cluster.set_kubeconfig(yaml.safe_dump(sim.kubeconfig()))
    cluster.save()
    return cluster


@pytest.fixture
def sim_cluster(db: Any, kubesim: Any) -> Any:
    """The shared demo simulator, registered as a cluster."""
    return register_sim(kubesim)


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Hashing cost is not under test; PBKDF2's deliberate slowness would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run with DEBUG off, and the test client speaks plain http: no redirect to https here
    # (tests/clusters/test_production_settings.py checks the production defaults in a subprocess).
    settings.SECURE_SSL_REDIRECT = False


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Stop the watch caches (on by default) before the interpreter closes its log streams: their threads
    would otherwise keep retrying simulators that tests have already stopped, and log into closed files."""
    from kube import cache

    cache.shutdown_all(timeout=5.0)


# Directories whose files share a session-scoped live server (tests/sdk/conftest.py): under pytest-xdist they go
# to one worker together, so the server starts once rather than once per worker.
SHARED_SESSION_DIRS = ("tests/sdk/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """`--dist loadfile` (what `run.py test` uses), with each SHARED_SESSION_DIRS directory as one unit."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduler(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((d for d in SHARED_SESSION_DIRS if path.startswith(d)), path)

    return Scheduler(config, log)
