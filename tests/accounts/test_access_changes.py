"""Issue 10.3: no token outlives a change of role, active flag or password, through the API or the Django admin.

The socket side (open shells closing at once) is in tests/sockets/test_access_changes.py and, over real
daphne, tests/sockets/test_daphne_sessions.py.
"""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import SessionToken
from common.permissions import Role
from tests.api_mixins import assert_envelope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "An0ther-Sturdy-Pass!"


def with_token(token: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(username: str, password: str = PASSWORD) -> Any:
    return APIClient().post("/api/auth/login", {"username": username, "password": password}, format="json")


def admin_browser(make_user: Any) -> Client:
    """The Django admin, logged in as a superuser (who is a platform admin)."""
    browser = Client()
    browser.force_login(make_user("root", role=Role.ADMIN, is_staff=True, is_superuser=True))
    return browser


def change_form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin change form's POST body for `user` as stored, with `changes` applied (booleans as checkboxes)."""
    values = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "role": user.role, "is_active": user.is_active, "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "", "last_login_1": "", "scope": user.scope,
        # the grants inline's management form (no grant rows)
        "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0", "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
        **changes,
    }
    return {key: ("on" if value is True else value) for key, value in values.items() if value is not False}


def test_role_change_through_the_api_kills_tokens_issued_before_it(admin_api: APIClient, make_user: Any) -> None:
    operator = make_user("olga", role=Role.OPERATOR)
    old = with_token(SessionToken.for_user(operator))
    assert_envelope(old.get("/api/auth/me"), 200)
    assert_envelope(admin_api.put(f"/api/users/{operator.pk}", {"role": Role.VIEWER}, format="json"), 200)
    body = assert_envelope(old.get("/api/auth/me"), 401)
    assert "log in again" in body["message"]
    assert_envelope(old.post("/api/auth/refresh"), 401)  # a stale token cannot be swapped for a fresh one
    # A token issued right after the change (same second) works, with the new role.
    fresh = assert_envelope(login("olga"), 200)["data"]
    assert assert_envelope(with_token(fresh["token"]).get("/api/auth/me"), 200)["data"]["role"] == Role.VIEWER


def test_reactivated_user_logs_in_again_old_tokens_stay_dead(admin_api: APIClient, make_user: Any) -> None:
    user = make_user("rita", role=Role.OPERATOR)
    old = with_token(SessionToken.for_user(user))
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"isActive": False}, format="json"), 200)
    assert_envelope(old.get("/api/auth/me"), 401)
    assert_envelope(login("rita"), 401)
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"isActive": True}, format="json"), 200)
    assert_envelope(old.get("/api/auth/me"), 401)
    fresh = assert_envelope(login("rita"), 200)["data"]["token"]
    assert_envelope(with_token(fresh).get("/api/auth/me"), 200)


def test_password_change_through_the_api_still_kills_tokens(admin_api: APIClient, make_user: Any) -> None:
    user = make_user("paul")
    old = with_token(SessionToken.for_user(user))
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"password": NEW_PASSWORD}, format="json"), 200)
    assert_envelope(old.get("/api/auth/me"), 401)
    assert_envelope(login("paul", NEW_PASSWORD), 200)


def test_changes_that_leave_access_alone_keep_tokens(admin_api: APIClient, make_user: Any) -> None:
    """Guard against over-eager revocation: email, username, logins and hash upgrades are not access changes;
    and a demotion after them still counts (so this test fails on the old code too)."""
    user = make_user("erin", role=Role.OPERATOR)
    token = with_token(SessionToken.for_user(user))
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"email": "erin@example.com", "username": "erin2"},
                                  format="json"), 200)
    assert_envelope(login("erin2"), 200)  # updates last_login
    assert_envelope(token.get("/api/auth/me"), 200)
    # Django's hash upgrade on login (check_password's setter) stores a new hash of the same password: not a
    # password change, so the epoch stays (SimpleJWT's own password fingerprint is another matter).
    user.refresh_from_db()
    epoch = user.session_epoch
    user.set_password(PASSWORD)
    user._password = None
    user.save(update_fields=["password"])
    user.refresh_from_db()
    assert user.session_epoch == epoch
    token = with_token(SessionToken.for_user(user))
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"email": "erin3@example.com"}, format="json"), 200)
    assert_envelope(token.get("/api/auth/me"), 200)
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"role": Role.VIEWER}, format="json"), 200)
    assert_envelope(token.get("/api/auth/me"), 401)


@pytest.mark.parametrize("change", [{"role": Role.VIEWER}, {"role": Role.ADMIN}])
def test_admin_change_form_kills_tokens(make_user: Any, change: dict[str, Any]) -> None:
    browser = admin_browser(make_user)
    operator = make_user("otto", role=Role.OPERATOR)
    old = with_token(SessionToken.for_user(operator))
    page = browser.post(f"/admin/accounts/user/{operator.pk}/change/", change_form(operator, **change))
    assert page.status_code == 302, page.content.decode()[:3000]
    operator.refresh_from_db()
    assert all(getattr(operator, key) == value for key, value in change.items())
    assert_envelope(old.get("/api/auth/me"), 401)


def test_admin_reactivation_does_not_revive_tokens(make_user: Any) -> None:
    browser = admin_browser(make_user)
    operator = make_user("ivan", role=Role.OPERATOR)
    old = with_token(SessionToken.for_user(operator))
    for active in (False, True):
        operator.refresh_from_db()
        assert browser.post(f"/admin/accounts/user/{operator.pk}/change/",
                            change_form(operator, is_active=active)).status_code == 302
    assert_envelope(old.get("/api/auth/me"), 401)
    assert_envelope(login("ivan"), 200)


def test_admin_password_form_kills_tokens_and_keeps_the_admin_logged_in(make_user: Any) -> None:
    browser = admin_browser(make_user)
    user = make_user("pia")
    old = with_token(SessionToken.for_user(user))
    page = browser.post(f"/admin/accounts/user/{user.pk}/password/",
                        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert page.status_code == 302, page.content.decode()[:3000]
    assert_envelope(old.get("/api/auth/me"), 401)
    assert_envelope(login("pia", NEW_PASSWORD), 200)
    # The admin's own change of their own password keeps their admin session (Django's update_session_auth_hash).
    root = User.objects.get(username="root")
    assert browser.post(f"/admin/accounts/user/{root.pk}/password/",
                        {"usable_password": "true", "password1": NEW_PASSWORD,
                         "password2": NEW_PASSWORD}).status_code == 302
    assert browser.get("/admin/accounts/user/").status_code == 200


def test_admin_session_of_a_reactivated_admin_ends(make_user: Any) -> None:
    """The Django admin's own session cookie is a credential too: it does not come back with reactivation."""
    browser = admin_browser(make_user)
    other = make_user("adele", role=Role.ADMIN, is_staff=True, is_superuser=True)
    other_browser = Client()
    other_browser.force_login(other)
    assert other_browser.get("/admin/accounts/user/").status_code == 200
    for active in (False, True):
        other.refresh_from_db()
        assert browser.post(f"/admin/accounts/user/{other.pk}/change/",
                            change_form(other, is_active=active)).status_code == 302
    assert other_browser.get("/admin/accounts/user/").status_code == 302  # to the login page


def test_tokens_without_an_epoch_claim_count_as_epoch_zero(make_user: Any) -> None:
    """Tokens issued before this change keep working until the user's first access change."""
    user = make_user("tess")
    token = SessionToken.for_user(user)
    del token.payload["sepoch"]
    assert_envelope(with_token(token).get("/api/auth/me"), 200)
    user.role = Role.OPERATOR
    user.save()
    assert_envelope(with_token(token).get("/api/auth/me"), 401)
