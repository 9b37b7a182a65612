"""Request metrics: one counter and one histogram observation per request, labelled by URL name (not raw path)."""
from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from observe.metrics import HTTP_REQUESTS, HTTP_SECONDS

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(request: HttpRequest) -> str:
    """The resolved URL's name (`cluster-detail`, `healthz`), its view's dotted path when unnamed, or `unmatched`.

    Raw paths carry cluster ids and pod names: as labels they would grow without bound.
    """
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unmatched"


class RequestMetricsMiddleware:
    """Outermost middleware, so the time covers every other middleware too (redirects and refusals included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        method = request.method if request.method in _METHODS else "other"
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)
        return response
