"""Login, logout, refresh and me, as in contract §2."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, assert_envelope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: APIClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/auth/login", {"username": username, "password": password}, format="json")


def test_login_answers_token_expire_and_user(anon_api: APIClient, make_user: Any) -> None:
    user = make_user("alice", role=Role.OPERATOR)
    body = assert_envelope(login(anon_api, "alice"), 200)
    data = body["data"]
    assert set(data) == {"token", "expire", "user"}
    assert data["expire"].endswith("Z")
    expire = datetime.fromisoformat(data["expire"].replace("Z", "+00:00"))
    assert 23 * 3600 < (expire - datetime.now(expire.tzinfo)).total_seconds() <= 24 * 3600
    assert data["user"]["username"] == "alice" and data["user"]["role"] == "operator"
    assert "password" not in data["user"]
    user.refresh_from_db()
    assert user.last_login is not None
    assert data["user"]["lastLogin"] is not None


def test_wrong_password_and_unknown_user_get_the_same_401(anon_api: APIClient, make_user: Any) -> None:
    make_user("bob")
    wrong_password = assert_envelope(login(anon_api, "bob", "nope"), 401)
    unknown_user = assert_envelope(login(anon_api, "nobody", PASSWORD), 401)
    assert wrong_password["message"] == unknown_user["message"] == "Invalid username or password"
    assert wrong_password["data"] is None


def test_login_missing_fields_is_400_naming_the_field(anon_api: APIClient) -> None:
    body = assert_envelope(anon_api.post("/api/auth/login", {"username": "x"}, format="json"), 400)
    assert body["data"]["errors"] == {"password": ["This field is required."]}
    assert body["message"].startswith("password")


def test_malformed_json_is_400(anon_api: APIClient) -> None:
    response = anon_api.post("/api/auth/login", data="{not json", content_type="application/json")
    assert "Malformed" in assert_envelope(response, 400)["message"]


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"login": "3/min"}})
def test_login_is_throttled(anon_api: APIClient, make_user: Any) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    api_settings.reload()
    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        for _ in range(3):
            assert login(anon_api, "ghost", "bad").status_code == 401
        response = login(anon_api, "ghost", "bad")
        assert_envelope(response, 429)
        assert "Retry-After" in response.headers
    finally:
        api_settings.reload()
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_me_refresh_logout_flow(anon_api: APIClient, make_user: Any) -> None:
    make_user("carol", role=Role.VIEWER)
    token = login(anon_api, "carol").json()["data"]["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = assert_envelope(client.get("/api/auth/me"), 200)["data"]
    assert set(me) == {"id", "username", "email", "role", "isActive", "lastLogin", "createdAt"}
    assert me["username"] == "carol" and me["isActive"] is True

    refreshed = assert_envelope(client.post("/api/auth/refresh"), 200)["data"]
    assert set(refreshed) == {"token", "expire"} and refreshed["token"] != token
    assert_envelope(client.get("/api/auth/me"), 401)  # the old token is revoked

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['token']}")
    assert_envelope(client.get("/api/auth/me"), 200)
    assert_envelope(client.post("/api/auth/logout"), 200)
    assert_envelope(client.get("/api/auth/me"), 401)
    assert_envelope(client.post("/api/auth/refresh"), 401)


def test_deactivated_deleted_or_repassworded_user_is_refused_at_once(make_user: Any) -> None:
    from tests.conftest import bearer_client

    for change in ("deactivate", "delete", "password"):
        user = make_user(f"user-{change}")
        client = bearer_client(user)
        assert_envelope(client.get("/api/auth/me"), 200)
        if change == "deactivate":
            user.is_active = False
            user.save()
        elif change == "delete":
            user.delete()
        else:
            user.set_password("An0ther-Sturdy-Pass!")
            user.save()
        assert_envelope(client.get("/api/auth/me"), 401)


class TestMeAuth(AuthRequiredMixin):
    url = "/api/auth/me"


class TestLogoutAuth(AuthRequiredMixin):
    url = "/api/auth/logout"
    method = "post"
