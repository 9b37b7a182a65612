"""Envelopes for requests that never reach DRF: unknown `/api/` paths and Django's own 404/500."""
from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from common.envelope import json_response
from common.errors import DATABASE_UNAVAILABLE_ERRORS, DatabaseUnavailable


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF refusal
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return json_response(404, f"No API endpoint at {request.method} {request.path}")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its `except` block, so the exception is still at hand: a database outside
    DRF's reach (a middleware, the admin) is a 503 that says so, like the API's own handler answers."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        message = DatabaseUnavailable.default_detail
        if request.path.startswith("/api/"):
            return json_response(503, message)
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    if request.path.startswith("/api/"):
        return json_response(500, "Internal server error")
    return server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: under /api/ an envelope (the API authenticates with tokens, not cookies)."""
    if request.path.startswith("/api/"):
        return json_response(403, f"CSRF check failed: {reason or 'missing or wrong token'}")
    return django_csrf_failure(request, reason)
