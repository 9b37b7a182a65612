"""A private demo simulator for the resource tests, seeded through kubectl with ConfigMaps and Secrets whose
values no response may ever carry; every response body of these tests is recorded and searched for them."""
from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import SessionToken
from common.permissions import Role
from tests.conftest import register_sim
from tests.pods.helpers import Kubectl

NS = "shop"
# Seeded by kubectl: `create secret --from-literal`, and `apply` (whose last-applied annotation repeats them).
SEEDED_SECRETS = {
    "db-creds": {"password": "Sup3r-S3cret-Passw0rd-7731", "username": "shop-owner-5521"},
    "api-token": {"token": "tok-9f8e7d6c5b4a-ZQXW"},
}
APPLIED_SECRET = ("applied-creds", "Applied-Value-Never-Shown-4410")
API_SECRET = ("made-by-api", "Created-Through-Api-Value-9902")
SECRET_VALUES = [v for values in SEEDED_SECRETS.values() for v in values.values()] + [APPLIED_SECRET[1],
                                                                                       API_SECRET[1]]
CONFIGMAPS = {"storefront-settings": {"mode": "production", "workers": "4"}, "feature-flags": {"beta": "on"}}


def encoded_forms(value: str) -> list[str]:
    return [value, base64.b64encode(value.encode()).decode()]


def stored_secret_values(sim: Any) -> list[str]:
    """Every value of every Secret the simulator holds, as stored (base64) and decoded (when text)."""
    found: list[str] = []
    for secret in sim.store.list("secrets"):
        for encoded in (secret.get("data") or {}).values():
            found.append(encoded)
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                found.append(base64.b64decode(encoded).decode())
    return [value for value in found if len(value) >= 8]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kubesim import KubeSim

    simulator = KubeSim(fleet="demo")
    simulator.start()
    kubectl = Kubectl(simulator, tmp_path_factory.mktemp("kubectl"))
    for name, values in SEEDED_SECRETS.items():
        kubectl.run("create", "secret", "generic", name, "-n", NS, *[f"--from-literal={k}={v}" for k, v in
                                                                     values.items()])
    manifest = tmp_path_factory.mktemp("manifests") / "secret.yaml"
    manifest.write_text(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {APPLIED_SECRET[0]}\n  namespace: {NS}\n"
                        f"  labels:\n    app: web\nstringData:\n  key: {APPLIED_SECRET[1]}\n")
    kubectl.run("apply", "-f", str(manifest))
    for name, data in CONFIGMAPS.items():
        kubectl.run("create", "configmap", name, "-n", NS, *[f"--from-literal={k}={v}" for k, v in data.items()])
    kubectl.run("label", "configmap", "storefront-settings", "-n", NS, "app=storefront")
    yield simulator
    simulator.stop()


@pytest.fixture
def kubectl(sim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(sim, tmp_path)


@pytest.fixture
def cluster(db: Any, sim: Any) -> Any:
    return register_sim(sim, "resources")


class RecordingClient(APIClient):
    """An APIClient that keeps every response body it got."""

    bodies: list[tuple[str, bytes]]

    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        self.bodies.append((str(kwargs.get("PATH_INFO", "")), response.content))
        return response


_bodies: list[tuple[str, bytes]] = []


def _client(user: User) -> RecordingClient:
    client = RecordingClient()
    client.bodies = _bodies
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {SessionToken.for_user(user)}")
    return client


@pytest.fixture
def as_role(make_user: Any) -> Any:
    """`as_role("viewer")` → a recording client of a fresh user of that role."""
    return lambda role: _client(make_user(role=role))


@pytest.fixture
def viewer(as_role: Any) -> RecordingClient:
    return as_role(Role.VIEWER)


@pytest.fixture
def operator(as_role: Any) -> RecordingClient:
    return as_role(Role.OPERATOR)


@pytest.fixture
def admin(as_role: Any) -> RecordingClient:
    return as_role(Role.ADMIN)


@pytest.fixture(autouse=True)
def no_secret_value_in_any_response(sim: Any) -> Iterator[None]:
    """After each test: no response body (but a reveal's, which exists to show them) holds a secret value: the
    seeded ones, the demo fleet's (kubesim.fleets.DEMO_SECRET_VALUES), or any value a Secret holds now."""
    from kubesim.fleets import DEMO_SECRET_VALUES

    _bodies.clear()
    yield
    values = [form for value in [*SECRET_VALUES, *DEMO_SECRET_VALUES.values()] for form in encoded_forms(value)]
    values += stored_secret_values(sim)
    for path, body in _bodies:
        if path.endswith("/reveal"):
            continue
        text = body.decode("utf-8", "replace").replace("\\n", "\n")
        leaked = [value[:6] for value in values if value in text]
        assert not leaked, f"{path} answered a secret value ({leaked})"
    _bodies.clear()
