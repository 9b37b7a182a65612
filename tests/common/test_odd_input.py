"""Odd input is a 400 envelope, never a 500: deeply nested JSON and out-of-range log queries, over real HTTP.

A live daphne (scripts/liveserver) with the simulated cluster registered; users of every role are made
through the API. Also: with deny-by-default permissions, every role can still see, renew and end its session.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet

from common.parsers import json_depth
from scripts.liveserver import LiveServer

pytestmark = [pytest.mark.timeout(180)]

DEEP = 50_000  # far past Python's recursion limit


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True, env={"FERNET_KEYS": Fernet.generate_key().decode()}).start()
    try:
        yield server
    finally:
        server.stop()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(live: LiveServer, username: str, password: str) -> str:
    response = requests.post(f"{live.url}/api/auth/login", json={"username": username, "password": password},
                             timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


@pytest.fixture(scope="module")
def role_tokens(live: LiveServer) -> dict[str, str]:
    """A fresh user of each role, created by the admin through the API, logged in."""
    admin = live.token()
    tokens = {"admin": admin}
    for role in ("viewer", "operator"):
        name, password = f"{role}-{secrets.token_hex(3)}", "Sturdy-Passw0rd!" + secrets.token_hex(4)
        made = requests.post(f"{live.url}/api/users", headers=_auth(admin), timeout=10,
                             json={"username": name, "password": password, "role": role})
        assert made.status_code == 201, made.text
        tokens[role] = _login(live, name, password)
    return tokens


def _post_raw(live: LiveServer, path: str, body: str, token: str | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json", **(_auth(token) if token else {})}
    return requests.post(f"{live.url}{path}", data=body.encode(), headers=headers, timeout=30)


def _assert_too_deep(response: requests.Response) -> None:
    assert response.status_code == 400, response.text[:500]
    body = response.json()
    assert body["code"] == 400 and body["data"] is None
    assert body["message"].startswith("Malformed request body: nested too deeply"), body


def test_deeply_nested_array_is_a_400(live: LiveServer) -> None:
    _assert_too_deep(_post_raw(live, "/api/auth/login", "[" * DEEP + "]" * DEEP))


def test_deeply_nested_object_is_a_400_on_an_authenticated_write(live: LiveServer,
                                                                 role_tokens: dict[str, str]) -> None:
    body = '{"name": "x", "apiServer": "https://127.0.0.1:1", "kubeConfig": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}"
    _assert_too_deep(_post_raw(live, "/api/clusters", body, role_tokens["admin"]))


def test_unclosed_deep_nesting_is_a_400(live: LiveServer) -> None:
    _assert_too_deep(_post_raw(live, "/api/auth/login", "[" * DEEP))


def test_ordinary_nesting_and_brackets_in_strings_are_fine(live: LiveServer) -> None:
    """The limit does not refuse real documents: 30 levels, and brackets inside strings do not count."""
    nested: Any = "[{" * 500  # brackets in a string
    for _ in range(30):
        nested = [nested]
    body = {"username": "nobody", "password": "Wrong-passw0rd", "extra": nested}
    response = requests.post(f"{live.url}/api/auth/login", json=body, timeout=10)
    assert response.status_code == 401, response.text  # parsed fine, then wrong credentials


@pytest.mark.parametrize(("param", "value"), [("sinceSeconds", 31_536_001), ("sinceSeconds", 10**15),
                                              ("tailLines", 100_001), ("tailLines", 10**12)])
def test_log_query_beyond_bounds_is_a_400(live: LiveServer, role_tokens: dict[str, str], param: str,
                                          value: int) -> None:
    namespace, pod = _a_pod(live, role_tokens["viewer"])
    response = requests.get(f"{live.url}/api/clusters/{live.cluster_id}/namespaces/{namespace}/pods/{pod}/logs",
                            params={param: value}, headers=_auth(role_tokens["viewer"]), timeout=30)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["message"].startswith(f"{param}:") and param in body["data"]["errors"], body


def test_log_query_at_the_bounds_is_served(live: LiveServer, role_tokens: dict[str, str]) -> None:
    namespace, pod = _a_pod(live, role_tokens["viewer"])
    response = requests.get(f"{live.url}/api/clusters/{live.cluster_id}/namespaces/{namespace}/pods/{pod}/logs",
                            params={"sinceSeconds": 31_536_000, "tailLines": 100_000},
                            headers=_auth(role_tokens["viewer"]), timeout=30)
    assert response.status_code == 200, response.text[:300]


def _a_pod(live: LiveServer, token: str) -> tuple[str, str]:
    response = requests.get(f"{live.url}/api/clusters/{live.cluster_id}/pods", params={"status": "Running"},
                            headers=_auth(token), timeout=30)
    assert response.status_code == 200, response.text[:300]
    item: dict[str, Any] = response.json()["data"]["items"][0]
    return item["namespace"], item["name"]


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_every_role_can_see_renew_and_end_its_session(live: LiveServer, role_tokens: dict[str, str],
                                                      role: str) -> None:
    token = role_tokens[role]
    me = requests.get(f"{live.url}/api/auth/me", headers=_auth(token), timeout=10)
    assert me.status_code == 200 and me.json()["data"]["role"] == role, me.text
    refreshed = requests.post(f"{live.url}/api/auth/refresh", headers=_auth(token), timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()["data"]["token"]
    logout = requests.post(f"{live.url}/api/auth/logout", headers=_auth(new), timeout=10)
    assert logout.status_code == 200, logout.text
    assert requests.get(f"{live.url}/api/auth/me", headers=_auth(new), timeout=10).status_code == 401


def test_json_depth_counts_only_brackets_outside_strings() -> None:
    assert json_depth("1") == 0
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('["[[[[", "\\"[[[["]') == 1
    assert json_depth("[" * 10_000) == 10_000
