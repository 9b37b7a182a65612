"""The `{code, message, data}` envelope, built here and nowhere else."""
from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class Envelope(dict):
    """A body that is already an envelope (or carries its own message), so the renderer won't wrap it again."""

    def __init__(self, *, data: Any = None, message: str = "success", code: int | None = None) -> None:
        super().__init__(code=code, message=message, data=data)


def build(code: int, message: str, data: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "data": data}


def wrap(body: Any, status_code: int) -> dict[str, Any]:
    """Turn whatever a view returned into the envelope for this status."""
    if isinstance(body, Envelope):
        return build(status_code, body["message"], body["data"])
    return build(status_code, "success", body)


def json_response(code: int, message: str, data: Any = None) -> JsonResponse:
    """For the few places outside DRF (Django's 404/500 handlers, middleware)."""
    return JsonResponse(build(code, message, data), status=code)
