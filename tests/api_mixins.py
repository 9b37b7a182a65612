"""Shared API test mixins (NetBox-style): every resource gets the same envelope, auth and role tests.

A test class sets `url` (or overrides `get_url()`), `method`, `body` and `min_role`, mixes these in,
and gets the checks for free.
"""
from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.tokens import SessionToken
from common.permissions import RANK, Role


def assert_envelope(response: Any, code: int) -> dict[str, Any]:
    """The response is the envelope with `code` equal to the HTTP status; returns the body."""
    assert response.status_code == code, (response.status_code, getattr(response, "content", b"")[:500])
    body = response.json()
    assert set(body) == {"code", "message", "data"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def assert_page(body: dict[str, Any]) -> list[Any]:
    data = body["data"]
    assert set(data) == {"items", "total", "page", "pageSize"}, data
    assert isinstance(data["items"], list) and isinstance(data["total"], int)
    return data["items"]


class EndpointMixin:
    url: str = ""
    method: str = "get"
    body: dict[str, Any] | None = None
    min_role: str = Role.VIEWER

    def get_url(self, **context: Any) -> str:
        return self.url

    def send(self, client: APIClient, **context: Any) -> Any:
        return getattr(client, self.method)(self.get_url(**context), self.body, format="json")


class AuthRequiredMixin(EndpointMixin):
    """401 envelopes with no token, a garbled token and a revoked token."""

    @pytest.mark.django_db
    def test_no_token_is_401(self, anon_api: APIClient, **context: Any) -> None:
        assert_envelope(self.send(anon_api), 401)

    @pytest.mark.django_db
    def test_garbled_token_is_401(self, anon_api: APIClient) -> None:
        anon_api.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
        assert_envelope(self.send(anon_api), 401)

    @pytest.mark.django_db
    def test_revoked_token_is_401(self, make_user: Any) -> None:
        user = make_user(role=Role.ADMIN)
        token = SessionToken.for_user(user)
        token.blacklist()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_envelope(self.send(client), 401)


class RoleRequiredMixin(EndpointMixin):
    """Every role below `min_role` gets a 403 envelope that names the refusal."""

    @pytest.mark.django_db
    def test_lower_roles_are_403(self, api: Any) -> None:
        lower = [role for role in Role if RANK[role] < RANK[Role(self.min_role)]]
        for role in lower:
            body = assert_envelope(self.send(api(role)), 403)
            assert "requires" in body["message"] and self.min_role in body["message"]
