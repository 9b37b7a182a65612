"""The login lock (issue 10, point 2) in one process: limits, the same 429 whatever the password, the
per-address count behind proxies, what a success resets, the log line, and the Django admin's login.

Across processes, through real HTTP and a shared Redis: test_lockout_live.py.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from common.permissions import Role
from tests.api_mixins import assert_envelope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts; try again later"


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-address request rate limit (10/min) would answer 429 before the lock is reached."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "100000/min"})


def login(username: str, password: str = PASSWORD, *, remote: str = "192.0.2.10",
          forwarded: str | None = None) -> Any:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post("/api/auth/login", {"username": username, "password": password}, format="json",
                            **headers)


def assert_locked(response: Any, max_wait: int) -> dict[str, Any]:
    body = assert_envelope(response, 429)
    assert body == {"code": 429, "message": LOCKED, "data": None}
    assert 0 < int(response.headers["Retry-After"]) <= max_wait
    return body


def test_ten_failures_lock_the_username_whatever_the_password(make_user: Any) -> None:
    make_user("alice", role=Role.OPERATOR)
    for _ in range(10):
        assert_envelope(login("alice", "wrong"), 401)
    wrong = login("alice", "wrong")
    right = login("alice", PASSWORD)
    assert_locked(wrong, 15 * 60)
    assert_locked(right, 15 * 60)
    assert wrong.json() == right.json() and wrong.content == right.content
    # From another address too: the username itself is locked.
    assert_locked(login("alice", PASSWORD, remote="198.51.100.77"), 15 * 60)
    # Another username from the same address is not (10 failures are below the address limit of 50).
    make_user("bob")
    assert_envelope(login("bob"), 200)


def test_an_unknown_username_is_locked_the_same_way(db: Any) -> None:
    for _ in range(10):
        assert_envelope(login("nobody", "guess"), 401)
    assert_locked(login("nobody", "guess"), 15 * 60)


def test_usernames_are_counted_case_insensitively(make_user: Any) -> None:
    make_user("carol")
    for name in ["carol", "Carol", "CAROL"] * 4:
        if login(name, "wrong").status_code == 429:
            break
    assert_locked(login("carol"), 15 * 60)


@override_settings(LOGIN_LOCKOUT_FAILURES=3)
def test_the_lock_is_logged_with_username_and_address_never_the_password(
        make_user: Any, caplog: pytest.LogCaptureFixture) -> None:
    make_user("dave")
    with caplog.at_level(logging.WARNING, logger="kubepolaris.security"):
        for password in ("secret-guess-1", "secret-guess-2", "secret-guess-3"):
            assert_envelope(login("dave", password, remote="203.0.113.5"), 401)
        assert_locked(login("dave", "secret-guess-4", remote="203.0.113.5"), 15 * 60)
    locks = [record for record in caplog.records if record.name == "kubepolaris.security"]
    assert len(locks) == 1, [record.getMessage() for record in locks]
    line = locks[0].getMessage()
    assert locks[0].levelno == logging.WARNING
    assert "'dave'" in line and "203.0.113.5" in line and "locked" in line.lower()
    assert "secret-guess" not in caplog.text and PASSWORD not in caplog.text


@override_settings(LOGIN_LOCKOUT_ADDRESS_FAILURES=5)
def test_forged_forwarded_for_is_not_a_fresh_address(make_user: Any) -> None:
    make_user("erin")
    for number in range(5):
        assert_envelope(login(f"ghost-{number}", "x", forwarded=f"10.66.0.{number}"), 401)
    # The address (REMOTE_ADDR: no trusted proxy) is locked, for every username and a right password.
    assert_locked(login("erin", forwarded="10.66.0.99"), 15 * 60)
    assert_envelope(login("erin", remote="192.0.2.11"), 200)


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_LOCKOUT_ADDRESS_FAILURES=5)
def test_behind_a_trusted_proxy_the_address_comes_from_forwarded_for(make_user: Any) -> None:
    make_user("frank")
    proxy = "10.0.0.2"  # every request reaches us through the same proxy
    for number in range(5):
        # The client forges the left part; the proxy appends the address it saw.
        assert_envelope(login(f"ghost-{number}", "x", remote=proxy, forwarded=f"1.2.3.{number}, 198.51.100.4"), 401)
    assert_locked(login("frank", remote=proxy, forwarded="9.9.9.9, 198.51.100.4"), 15 * 60)
    # Another client behind the same proxy is not locked: the proxy's own address is not what is counted.
    assert_envelope(login("frank", remote=proxy, forwarded="198.51.100.4, 198.51.100.5"), 200)


@override_settings(LOGIN_LOCKOUT_FAILURES=3, LOGIN_LOCKOUT_ADDRESS_FAILURES=5)
def test_a_success_clears_the_username_count_but_not_the_address_count(make_user: Any) -> None:
    make_user("grace")
    make_user("heidi")
    for _ in range(2):
        assert_envelope(login("grace", "wrong"), 401)
    assert_envelope(login("grace"), 200)  # clears grace's count ...
    for _ in range(2):
        assert_envelope(login("grace", "wrong"), 401)
    assert_envelope(login("grace"), 200)  # ... so 2 + 2 failures never lock her (the limit is 3)
    # ... but not the address's: its 4 failures plus one more reach the limit of 5.
    assert_envelope(login("heidi", "wrong"), 401)
    assert_locked(login("heidi"), 15 * 60)
    assert_locked(login("grace"), 15 * 60)


@override_settings(LOGIN_LOCKOUT_FAILURES=2, LOGIN_LOCKOUT_SECONDS=1)
def test_the_lock_ends_after_lockout_seconds(make_user: Any) -> None:
    make_user("ivan")
    for _ in range(2):
        assert_envelope(login("ivan", "wrong"), 401)
    assert_locked(login("ivan"), 1)
    time.sleep(1.3)
    assert_envelope(login("ivan"), 200)


def test_the_rate_limit_ignores_forged_forwarded_for(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """DRF trusted any X-Forwarded-For when NUM_PROXIES was unset: a new value was a new client."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    for number in range(3):
        assert_envelope(login("judy", "x", forwarded=f"10.77.0.{number}"), 401)
    response = login("judy", "x", forwarded="10.77.0.200")
    assert_envelope(response, 429)
    assert "Retry-After" in response.headers


# --- the Django admin's login -------------------------------------------------------------------

def admin_login(username: str, password: str, *, remote: str = "192.0.2.10") -> Any:
    return Client().post("/admin/login/", {"username": username, "password": password, "next": "/admin/"},
                         REMOTE_ADDR=remote)


def test_admin_login_works_and_refuses_a_wrong_password(make_user: Any) -> None:
    make_user("root", role=Role.ADMIN)
    assert admin_login("root", "wrong").status_code == 200  # the form again, with its error
    response = admin_login("root", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_admin_login_is_locked_with_the_same_counters(make_user: Any) -> None:
    make_user("root", role=Role.ADMIN)
    for _ in range(5):
        assert admin_login("root", "wrong", remote="203.0.113.20").status_code == 200
    for _ in range(5):  # the API's failures count for the admin, from another address
        assert_envelope(login("root", "wrong", remote="203.0.113.21"), 401)
    for password in ("wrong", PASSWORD):
        response = admin_login("root", password, remote="203.0.113.22")
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        assert LOCKED in response.content.decode()
    assert_locked(login("root"), 15 * 60)
    # Locked by admin failures alone, too.
    make_user("root2", role=Role.ADMIN)
    for _ in range(10):
        admin_login("root2", "wrong", remote="203.0.113.23")
    assert_locked(login("root2", remote="203.0.113.24"), 15 * 60)
    assert admin_login("root2", PASSWORD, remote="203.0.113.25").status_code == 429
