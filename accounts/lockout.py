"""The login lock: failed logins counted per username and per client address, in the shared cache.

Both doors that take a password (the API's `POST /api/auth/login` and the Django admin's login)
authenticate through `authenticate()` here, so they share one set of counters. The counters live in
Django's cache, which is Redis when `REDIS_URL` is set, so every server process sees the same count
and starting more processes resets nothing. The address comes from `common.client_ip`, so a forged
`X-Forwarded-For` is not a fresh address.

After `LOGIN_LOCKOUT_FAILURES` failures for one username (or `LOGIN_LOCKOUT_ADDRESS_FAILURES` from one
address) within `LOGIN_LOCKOUT_WINDOW_SECONDS`, that username (or address) is locked for
`LOGIN_LOCKOUT_SECONDS`. While locked, the password is not even checked: the answer is the same 429
whether it is right or wrong, so a lock neither leaks nor confirms a guess.

A success clears the username's count (its owner got in) but not the address's: an attacker who
holds one account must not be able to wipe the count of their guesses against others.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import User
from common.errors import TooManyRequests

logger = logging.getLogger("kubepolaris.security")

LOCKED_MESSAGE = "Too many failed login attempts; try again later"


class LoginLocked(TooManyRequests):
    """A locked username or address. `wait` (seconds) becomes the `Retry-After` header."""

    default_detail = LOCKED_MESSAGE
    default_code = "login_locked"

    def __init__(self, wait: int) -> None:
        super().__init__(LOCKED_MESSAGE)
        self.wait = wait


def _key(kind: str, subject: str, value: str) -> str:
    # Hashed: usernames and addresses of any length or alphabet make safe keys, and none is stored in clear.
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"login-lock:{kind}:{subject}:{digest}"


def _subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    """(subject, value, limit) for each counter that applies; a limit of 0 is off."""
    subjects = [("user", username.casefold(), settings.LOGIN_LOCKOUT_FAILURES)]
    if address:
        subjects.append(("addr", address, settings.LOGIN_LOCKOUT_ADDRESS_FAILURES))
    return [(subject, value, limit) for subject, value, limit in subjects if limit > 0]


def check(*, username: str, address: str) -> None:
    """Raise `LoginLocked` if the username or the address is locked now."""
    keys = [_key("until", subject, value) for subject, value, _ in _subjects(username, address)]
    if not keys:
        return
    now = time.time()
    waits = [until - now for until in cache.get_many(keys).values() if isinstance(until, (int, float))]
    waits = [wait for wait in waits if wait > 0]
    if waits:
        raise LoginLocked(wait=max(1, math.ceil(max(waits))))


def _count(key: str) -> int:
    """Add one to a counter that expires a window after its first failure (atomic on Redis and locmem)."""
    window = settings.LOGIN_LOCKOUT_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def record_failure(*, username: str, address: str) -> None:
    """Count one failed login; lock the username or address that reaches its limit, and log the lock."""
    seconds = settings.LOGIN_LOCKOUT_SECONDS
    for subject, value, limit in _subjects(username, address):
        count_key = _key("count", subject, value)
        failures = _count(count_key)
        if failures < limit:
            continue
        # `add`: only the first process to lock writes the lock and logs it; a lock is never extended.
        if cache.add(_key("until", subject, value), time.time() + seconds, timeout=seconds):
            cache.delete(count_key)  # after the lock, a fresh allowance
            what = "username" if subject == "user" else "address"
            logger.warning("Login locked for %d s by %s after %d failed attempts: username %r, address %s",
                           seconds, what, failures, username[:150], address or "unknown")


def record_success(*, username: str) -> None:
    """Clear the username's count. The address's count stays (see the module docstring)."""
    if settings.LOGIN_LOCKOUT_FAILURES > 0:
        cache.delete(_key("count", "user", username.casefold()))


def authenticate(*, username: str, password: str, address: str,
                 request: HttpRequest | None = None) -> User | None:
    """Django's `authenticate`, behind the lock: the user, or None (counted as a failure).

    Raises `LoginLocked` before the password is looked at when the username or address is locked.
    An inactive user is a failure like a wrong password (`ModelBackend` refuses them anyway).
    """
    check(username=username, address=address)
    user = django_authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        record_failure(username=username, address=address)
        return None
    record_success(username=username)
    return user
