"""Path handling for `/api/`: the same route with or without a trailing slash, never a redirect."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ApiPathMiddleware:
    """Strip one trailing slash from `/api/...` paths before URL resolution, so a POST is never redirected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and len(path) > len("/api/") and path.endswith("/"):
            request.path_info = path.rstrip("/")
        return self.get_response(request)
