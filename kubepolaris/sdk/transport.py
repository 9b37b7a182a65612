"""HTTP plumbing shared by every resource group: the base URL, the token (and its refresh),
timeouts, retries with back-off, and turning envelopes into data or exceptions.

Retry policy (the reason each rule exists):
- 429 is retried for every method: the server refused the request before acting on it.
  The wait is the `Retry-After` header when present, else exponential back-off.
- 502, 503, a read timeout or a dropped connection are retried only for operations that are safe
  to repeat: GET, PUT, DELETE and the POSTs that are idempotent by nature (login, cluster test,
  cordon, uncordon, drain, scale). A non-idempotent POST (create a user or cluster, restart a
  deployment, refresh or log out a token) is never retried after it may have reached the server:
  a 502 could mean the action happened and only the answer was lost.
- A connect timeout or refused connection (the request never left) is retried for every method.
- A `Retry-After` longer than `max_retry_wait` is not waited for: the error is raised at once.
"""
from __future__ import annotations

import base64
import json
import random
import ssl
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import requests

from kubepolaris.sdk.errors import AuthenticationError, KubePolarisError, TransportError, error_for

Timeout = float | tuple[float, float]
RETRY_STATUSES = frozenset({429, 502, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT: Timeout = (5.0, 30.0)
USER_AGENT = "kubepolaris-python-sdk/1.0"


def segment(value: Any) -> str:
    """One path segment, percent-encoded (names never break out of their place in the path)."""
    return quote(str(value), safe="")


def query_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Drop `None`s and spell booleans the way the API reads them (`true`/`false`)."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def parse_time(value: str) -> datetime:
    """RFC 3339 (with `Z`) → aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT, read without verifying it (only to know when to refresh)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` as seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Transport:
    """Sends requests for the resource groups; holds the session, the token and the retry policy."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff_factor: float = 0.5,
        max_retry_wait: float = 30.0,
        verify: bool | str = True,
        auto_refresh: bool | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        base = base_url.rstrip("/")
        if base.endswith("/api"):
            base = base[: -len("/api")]
        self.base_url = base
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff_factor = backoff_factor
        self.max_retry_wait = max_retry_wait
        self.verify = verify
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["Accept"] = "application/json"
        self._credentials = (username, password) if username is not None else None
        self.auto_refresh = auto_refresh if auto_refresh is not None else self._credentials is not None
        self.token: str | None = None
        self.expire: datetime | None = None
        self._lifetime: timedelta | None = None
        if token:
            self.set_token(token, None)

    # --- the token ---------------------------------------------------------------------------

    def set_token(self, token: str | None, expire: str | datetime | None) -> None:
        """Use `token` from now on; `expire` (RFC 3339) lets the transport refresh it in time."""
        self.token = token
        if token is None:
            self.expire = None
            return
        if isinstance(expire, str):
            expire = parse_time(expire)
        self.expire = expire or jwt_expiry(token)
        self._lifetime = (self.expire - datetime.now(UTC)) if self.expire else None

    def _refresh_margin(self) -> timedelta:
        lifetime = self._lifetime.total_seconds() if self._lifetime else 3600.0
        return timedelta(seconds=max(5.0, min(300.0, lifetime * 0.1)))

    def needs_refresh(self) -> bool:
        """Whether the token is within its last tenth of life (at most 5 minutes before expiry)."""
        if not self.auto_refresh or self.expire is None:
            return False
        return datetime.now(UTC) >= self.expire - self._refresh_margin()

    def login(self, username: str, password: str) -> dict[str, Any]:
        data = self.request("POST", "/api/auth/login", json={"username": username, "password": password},
                            idempotent=True, authenticate=False)
        self.set_token(data["token"], data.get("expire"))
        return data

    def refresh(self) -> dict[str, Any]:
        data = self.request("POST", "/api/auth/refresh", idempotent=False, refresh_first=False)
        self.set_token(data["token"], data.get("expire"))
        return data

    def _ensure_token(self) -> None:
        if self.token is None and self._credentials is not None:
            self.login(*self._credentials)  # type: ignore[arg-type]
        elif self.needs_refresh():
            try:
                self.refresh()
            except AuthenticationError:
                if self._credentials is None:
                    raise
                self.login(*self._credentials)  # type: ignore[arg-type]

    def auth_headers(self) -> dict[str, str]:
        """The Authorization header for the current token (logging in or refreshing first if due)."""
        self._ensure_token()
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    # --- requests ----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def ws_url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """`http(s)://host/base` + path → `ws(s)://host/base/path?query` (lists become repeated keys)."""
        parts = urlsplit(self.base_url + path)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        pairs: list[tuple[str, str]] = []
        for key, value in (params or {}).items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                pairs.extend(query_params({key: item}).items())
        return urlunsplit((scheme, parts.netloc, parts.path, urlencode(pairs), ""))

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for WebSockets, matching `verify` (True, False or a CA bundle path)."""
        if not self.base_url.startswith("https"):
            return None
        if self.verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        if isinstance(self.verify, str):
            return ssl.create_default_context(cafile=self.verify)
        return ssl.create_default_context()

    def _backoff(self, attempt: int) -> float:
        return self.backoff_factor * (2**attempt) * (0.5 + random.random() / 2)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        timeout: Timeout | None = None,
        authenticate: bool = True,
        refresh_first: bool = True,
    ) -> Any:
        """Send one API call (retrying per the policy above) and return the envelope's `data`."""
        method = method.upper()
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        relogged = False
        while True:
            try:
                return self._send(method, path, params, json, safe, timeout, authenticate, refresh_first)
            except AuthenticationError:
                # A revoked/expired token while we hold credentials: log in again, once.
                if not authenticate or self._credentials is None or relogged:
                    raise
                relogged = True
                self.token = None

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, safe: bool,
              timeout: Timeout | None, authenticate: bool, refresh_first: bool) -> Any:
        headers: dict[str, str] = {}
        if authenticate:
            if refresh_first:
                headers.update(self.auth_headers())
            elif self.token:
                headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method, self.url(path), params=query_params(params), json=body, headers=headers,
                    timeout=timeout if timeout is not None else self.timeout, verify=self.verify,
                    allow_redirects=False,
                )
            except requests.exceptions.ConnectTimeout as exc:
                if attempt < self.retries:
                    time.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise TransportError(f"{method} {path}: could not connect to {self.base_url}: {exc}") from exc
            except requests.exceptions.RequestException as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectionError) and "NewConnectionError" in repr(exc)
                if (safe or never_sent) and attempt < self.retries:
                    time.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise TransportError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status in RETRY_STATUSES and attempt < self.retries and (status == 429 or safe):
                wait = retry_after_seconds(response)
                wait = self._backoff(attempt) if wait is None else wait
                if wait <= self.max_retry_wait:
                    time.sleep(wait)
                    attempt += 1
                    continue
            return decode(response)


def decode(response: requests.Response) -> Any:
    """The envelope's `data`, or the matching `KubePolarisError` for an error status or envelope."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    is_envelope = isinstance(body, dict) and {"code", "message", "data"} <= set(body)
    retry_after = retry_after_seconds(response)
    if status >= 400 or (is_envelope and isinstance(body["code"], int) and body["code"] >= 400):
        if is_envelope:
            raise error_for(status if status >= 400 else body["code"], str(body["message"]), body["data"],
                            retry_after=retry_after)
        snippet = (response.text or "").strip().replace("\n", " ")[:200]
        raise error_for(status, f"HTTP {status} {response.reason or ''}: {snippet}".strip(), None,
                        retry_after=retry_after)
    if not is_envelope:
        raise KubePolarisError(status, f"Unexpected answer from {response.url}: not a KubePolaris envelope")
    return body["data"]
