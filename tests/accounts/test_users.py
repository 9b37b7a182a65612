"""Users and roles, contract §8–§9."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page

pytestmark = pytest.mark.django_db


class TestUserListAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/users"
    min_role = Role.ADMIN


class TestUserCreateAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/users"
    method = "post"
    body = {"username": "newbie", "password": "Sturdy-Passw0rd!"}
    min_role = Role.ADMIN


def test_create_list_update_delete(admin_api: APIClient) -> None:
    created = assert_envelope(admin_api.post("/api/users", {
        "username": "dave", "password": "Sturdy-Passw0rd!", "email": "dave@example.com", "role": "operator",
    }, format="json"), 201)["data"]
    assert created["role"] == "operator" and "password" not in created

    items = assert_page(assert_envelope(admin_api.get("/api/users?search=dav"), 200))
    assert [u["username"] for u in items] == ["dave"]

    updated = assert_envelope(admin_api.put(f"/api/users/{created['id']}", {"role": "viewer"}, format="json"), 200)
    assert updated["data"]["role"] == "viewer"
    assert User.objects.get(pk=created["id"]).check_password("Sturdy-Passw0rd!")

    assert_envelope(admin_api.delete(f"/api/users/{created['id']}"), 200)
    assert_envelope(admin_api.get(f"/api/users/{created['id']}"), 404)


def test_weak_password_duplicate_and_bad_input(admin_api: APIClient, make_user: Any) -> None:
    weak = assert_envelope(admin_api.post("/api/users", {"username": "erin", "password": "123"}, format="json"), 400)
    assert "password" in weak["data"]["errors"] and weak["message"].startswith("password")
    make_user("frank")
    assert_envelope(admin_api.post("/api/users", {"username": "frank", "password": "Sturdy-Passw0rd!"},
                                   format="json"), 409)
    bad_role = assert_envelope(admin_api.post("/api/users", {"username": "gina", "password": "Sturdy-Passw0rd!",
                                                            "role": "god"}, format="json"), 400)
    assert "role" in bad_role["data"]["errors"]
    assert_envelope(admin_api.get("/api/users/99999"), 404)
    assert_envelope(admin_api.get("/api/users/abc"), 404)


def test_last_admin_cannot_be_demoted_deactivated_or_deleted(make_user: Any) -> None:
    from tests.conftest import bearer_client

    only_admin = make_user("root", role=Role.ADMIN)
    client = bearer_client(only_admin)
    assert_envelope(client.put(f"/api/users/{only_admin.pk}", {"role": "viewer"}, format="json"), 400)
    assert_envelope(client.put(f"/api/users/{only_admin.pk}", {"isActive": False}, format="json"), 400)
    assert_envelope(client.delete(f"/api/users/{only_admin.pk}"), 400)
    make_user("second", role=Role.ADMIN)
    assert_envelope(client.put(f"/api/users/{only_admin.pk}", {"role": "operator"}, format="json"), 200)


def test_pagination_rules(admin_api: APIClient, make_user: Any) -> None:
    for index in range(25):
        make_user(f"u{index:02d}")
    page = assert_envelope(admin_api.get("/api/users"), 200)["data"]
    assert page["page"] == 1 and page["pageSize"] == 20 and len(page["items"]) == 20 and page["total"] == 26
    past = assert_envelope(admin_api.get("/api/users?page=9"), 200)["data"]
    assert past["items"] == [] and past["total"] == 26
    assert_envelope(admin_api.get("/api/users?page=0"), 400)
    assert_envelope(admin_api.get("/api/users?pageSize=abc"), 400)
    assert_envelope(admin_api.get("/api/users?pageSize=1000"), 400)


def test_createsuperuser_makes_an_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Sturdy-Passw0rd!")
    call_command("createsuperuser", "--noinput", username="boss", email="boss@example.com")
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMIN and boss.is_staff
