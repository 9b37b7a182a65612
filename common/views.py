"""Envelopes for requests that never reach DRF: unknown `/api/` paths and Django's own 404/500."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.defaults import page_not_found, server_error

from common.envelope import json_response


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return json_response(404, f"No API endpoint at {request.method} {request.path}")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_response(500, "Internal server error")
    return server_error(request)
