"""Path handling for `/api/` (the same route with or without a trailing slash, never a redirect), and a
database outage outside DRF as a 503."""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.envelope import json_response
from common.errors import DATABASE_UNAVAILABLE_ERRORS, DatabaseUnavailable

logger = logging.getLogger("kubepolaris.errors")


class ApiPathMiddleware:
    """Strip one trailing slash from `/api/...` paths before URL resolution, so a POST is never redirected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and len(path) > len("/api/") and path.endswith("/"):
            request.path_info = path.rstrip("/")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view outside DRF (the admin) that cannot reach the database answers 503 with a plain reason, logged
    as one warning line, instead of a 500 and a traceback. DRF views get the same from the exception handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            return json_response(503, DatabaseUnavailable.default_detail)
        return HttpResponse(DatabaseUnavailable.default_detail, status=503, content_type="text/plain; charset=utf-8")
