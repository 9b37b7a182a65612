"""The SDK against a real server: the seed's example, auth and users, and errors as exceptions."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from kubepolaris import Client
from kubepolaris.client import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    Page,
    PermissionDeniedError,
)
from scripts.liveserver import LiveServer


def test_the_seed_example(live: LiveServer) -> None:
    client = Client(base_url=live.url, token=live.token())
    clusters = client.clusters.list()
    assert isinstance(clusters, Page) and clusters.page == 1 and clusters.page_size == 20
    assert clusters.total == len(clusters.items) == len(clusters)


def test_login_me_refresh_logout(live: LiveServer) -> None:
    client = Client(live.url)
    result = client.auth.login(live.admin_username, live.admin_password)
    assert result["user"]["username"] == live.admin_username and client.token == result["token"]
    assert client.auth.me()["role"] == "admin"

    old = client.token
    fresh = client.auth.refresh()
    assert client.token == fresh["token"] != old
    with pytest.raises(AuthenticationError):
        Client(live.url, token=old).auth.me()  # refresh revoked the old token

    client.auth.logout()
    assert client.token is None
    with pytest.raises(AuthenticationError):
        Client(live.url, token=fresh["token"]).auth.me()


def test_wrong_credentials_raise_401(live: LiveServer) -> None:
    with pytest.raises(AuthenticationError) as caught:
        Client(live.url, username=live.admin_username, password="wrong").auth.me()
    assert caught.value.code == 401 and caught.value.data is None


def test_credentials_client_refreshes_its_token_before_expiry(live: LiveServer) -> None:
    client = live.client()
    client.auth.me()
    first = client.token
    client.transport.expire = datetime.now(UTC) + timedelta(seconds=1)  # pretend it is nearly expired
    assert client.auth.me()["username"] == live.admin_username
    assert client.token != first
    with pytest.raises(AuthenticationError):
        Client(live.url, token=first).auth.me()


def test_credentials_client_logs_in_again_after_revocation(live: LiveServer) -> None:
    client = live.client()
    client.auth.me()
    Client(live.url, token=client.token).auth.logout()
    assert client.auth.me()["username"] == live.admin_username


def test_user_crud(admin: Client) -> None:
    name = f"sdk-{secrets.token_hex(4)}"
    user = admin.users.create(name, "Sdk-" + secrets.token_urlsafe(12), email=f"{name}@example.com",
                              role="operator")
    assert (user["username"], user["role"], user["isActive"]) == (name, "operator", True)
    assert admin.users.get(user["id"]) == user
    found = admin.users.list(search=name)
    assert [u["id"] for u in found] == [user["id"]] and found.total == 1
    updated = admin.users.update(user["id"], role="viewer", is_active=False)
    assert (updated["role"], updated["isActive"]) == ("viewer", False)
    admin.users.delete(user["id"])
    with pytest.raises(NotFoundError):
        admin.users.get(user["id"])


def test_validation_and_conflict_errors(admin: Client, live: LiveServer) -> None:
    with pytest.raises(BadRequestError) as caught:
        admin.users.create(f"sdk-{secrets.token_hex(4)}", "123")
    assert caught.value.code == 400 and "password" in caught.value.errors
    with pytest.raises(ConflictError):
        admin.users.create(live.admin_username, "Sdk-" + secrets.token_urlsafe(12))
    with pytest.raises(BadRequestError):
        admin.users.list(page=0)


def test_role_refusal_is_permission_denied(make_client: object) -> None:
    viewer, _ = make_client("viewer")  # type: ignore[operator]
    with pytest.raises(PermissionDeniedError) as caught:
        viewer.users.list()
    assert caught.value.code == 403 and caught.value.message


def test_iter_all_sees_every_user_once(admin: Client, make_client: object) -> None:
    for _ in range(3):
        make_client("viewer")  # type: ignore[operator]
    total = admin.users.list().total
    ids = [user["id"] for user in admin.users.iter_all(page_size=2)]
    assert len(ids) == len(set(ids)) == total >= 4
