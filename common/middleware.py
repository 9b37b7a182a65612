"""Path handling for `/api/`: the same route with or without a trailing slash, never a redirect; no encoded
slashes; and a database outage outside DRF as a 503."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.envelope import json_response
from common.errors import DATABASE_UNAVAILABLE_ERRORS, DatabaseUnavailable

logger = logging.getLogger("kubepolaris.errors")

_ENCODED_SLASH = re.compile(r"%2f|%5c", re.IGNORECASE)
# The path segment before a name says which parameter it is (…/namespaces/<namespace>/pods/<name>).
_PARAMETER_AFTER = {"namespaces": "namespace", "clusters": "cluster id", "users": "user id"}


def encoded_slash_parameter(raw_path: str) -> str | None:
    """The path parameter that carries an encoded slash (or backslash), or None when there is none.

    The server decodes `%2F` before routing, so `pods/a%2Fb` would look like two segments; a name can
    never contain a slash, so the request is refused with the parameter named.
    """
    segments = raw_path.split("/")
    for index, segment in enumerate(segments):
        if _ENCODED_SLASH.search(segment):
            previous = segments[index - 1] if index else ""
            return _PARAMETER_AFTER.get(previous, "name")
    return None


def raw_path_of(request: HttpRequest) -> str:
    """The path as the client sent it (still percent-encoded), where the server keeps it (ASGI)."""
    scope = getattr(request, "scope", None) or {}
    raw = scope.get("raw_path")
    return raw.decode("latin1") if isinstance(raw, bytes) else request.path


class ApiPathMiddleware:
    """Strip one trailing slash from `/api/...` paths before URL resolution, so a POST is never redirected;
    refuse a percent-encoded slash in a path parameter with a 400 envelope naming it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/"):
            parameter = encoded_slash_parameter(raw_path_of(request))
            if parameter:
                return json_response(400, f"{parameter}: a name cannot contain a slash ('%2F' in the path)",
                                     {"errors": {parameter: ["A name cannot contain a slash."]}})
            if len(path) > len("/api/") and path.endswith("/"):
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
