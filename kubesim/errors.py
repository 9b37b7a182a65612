"""Kubernetes `Status` error bodies, raised as exceptions inside handlers."""

from __future__ import annotations

from typing import Any

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
}


class ApiError(Exception):
    """An error answered as a `Status` object."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason if reason is not None else REASONS.get(code, "")
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "kind": kind}
    if group:
        d["group"] = group
    return d


def not_found(plural: str, group: str, name: str) -> ApiError:
    q = f"{plural}.{group}" if group else plural
    return ApiError(404, f'{q} "{name}" not found', "NotFound", _details(name, group, plural))


def already_exists(plural: str, group: str, name: str) -> ApiError:
    q = f"{plural}.{group}" if group else plural
    return ApiError(409, f'{q} "{name}" already exists', "AlreadyExists", _details(name, group, plural))


def conflict(plural: str, group: str, name: str) -> ApiError:
    q = f"{plural}.{group}" if group else plural
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {q} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        "Conflict",
        _details(name, group, plural),
    )


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> ApiError:
    """422 with causes; each cause has reason, message (without the field) and field."""
    qk = f"{kind}.{group}" if group else kind
    parts = [f"{c['field']}: {c['message']}" for c in causes]
    msg = f'{qk} "{name}" is invalid: ' + (parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]")
    details = _details(name, group, kind)
    details["causes"] = [
        {"reason": c["reason"], "message": c["message"], "field": c["field"]} for c in causes
    ]
    return ApiError(422, msg, "Invalid", details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")


def gone(message: str) -> ApiError:
    return ApiError(410, message, "Expired")


def method_not_allowed() -> ApiError:
    return ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")


def path_not_found() -> ApiError:
    return ApiError(404, "the server could not find the requested resource", "NotFound", {})
