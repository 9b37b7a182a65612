"""The gateway's second line of defence: never send a request whose path has an empty, `.` or `..` segment.

Views check names with Kubernetes' grammar first (common.names). This guard is for whatever slips past
(a new caller, a query value used as a path segment): HTTP clients remove dot segments before sending,
so `/api/v1/namespaces/shop/pods/..` would reach the cluster as `/api/v1/namespaces/shop`.
"""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote, urlsplit

from common.errors import InvalidRequest

_FORBIDDEN_SEGMENTS = {"", ".", ".."}


def check_url_path(url: str) -> None:
    """Raise InvalidRequest when the URL's path has an empty, `.` or `..` segment (also percent-encoded)."""
    path = urlsplit(url).path
    segments = path.split("/")[1:]  # the path starts with "/"
    if path.endswith("/") and len(segments) > 1:
        segments = segments[:-1]  # one trailing slash is harmless
    for segment in segments:
        decoded = unquote(segment)
        if decoded in _FORBIDDEN_SEGMENTS or "/" in decoded:
            raise InvalidRequest(f"Refused to send a request with the path segment '{segment}' to the cluster")


def guard_rest_client(api_client: Any) -> Any:
    """Make every request of a sync `kubernetes` ApiClient pass `check_url_path` first."""
    rest = api_client.rest_client
    send = rest.request

    @functools.wraps(send)
    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        check_url_path(url)
        return send(method, url, *args, **kwargs)

    rest.request = request
    return api_client
