"""One exception type for every error envelope, with a subclass per status family.

`KubePolarisError.code` is the envelope's `code` (equal to the HTTP status), `message` its
`message` and `data` its `data` (for a 400 from validation: `{"errors": {"field": [...]}}`).
Failures that produced no response at all (refused connection, DNS, timeout) raise
`TransportError`, whose `code` is 0.
"""
from __future__ import annotations

from typing import Any


class KubePolarisError(Exception):
    """An error answered by the KubePolaris API (or no answer at all, for `TransportError`)."""

    def __init__(self, code: int, message: str, data: Any = None, *, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.data = data
        self.retry_after = retry_after

    @property
    def errors(self) -> dict[str, list[str]]:
        """Per-field reasons of a validation error (empty for other errors)."""
        if isinstance(self.data, dict) and isinstance(self.data.get("errors"), dict):
            return self.data["errors"]
        return {}


class TransportError(KubePolarisError):
    """No HTTP answer: connection refused or reset, DNS failure, TLS failure or timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class BadRequestError(KubePolarisError):
    """400: invalid input; see `errors` for the reasons per field."""


class AuthenticationError(KubePolarisError):
    """401: missing, malformed, expired or revoked token, or wrong credentials."""


class PermissionDeniedError(KubePolarisError):
    """403: authenticated, but the role (or the cluster) does not allow it."""


class NotFoundError(KubePolarisError):
    """404: the cluster, node, namespace or object does not exist."""


class ConflictError(KubePolarisError):
    """409: duplicate name or stale `resourceVersion`."""


class RateLimitedError(KubePolarisError):
    """429: throttled, or an eviction refused by a PodDisruptionBudget; `retry_after` when the server said."""


class ServerError(KubePolarisError):
    """5xx: 500 from the server itself, 502/504 when the target cluster is unreachable or slow."""


_BY_CODE: dict[int, type[KubePolarisError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_for(code: int, message: str, data: Any = None, *, retry_after: float | None = None) -> KubePolarisError:
    """The exception instance matching an error status."""
    if code >= 500:
        cls: type[KubePolarisError] = ServerError
    else:
        cls = _BY_CODE.get(code, KubePolarisError)
    return cls(code, message, data, retry_after=retry_after)
