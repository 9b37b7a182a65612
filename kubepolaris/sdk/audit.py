"""`/api/audit` (admins only): the audit log as pages, and an exec session's recording as a `.cast` file."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TypedDict, cast

import requests

from kubepolaris.sdk.errors import TransportError
from kubepolaris.sdk.pages import Page, iterate_pages
from kubepolaris.sdk.transport import Transport, decode, segment


class AuditEvent(TypedDict):
    id: int
    time: str
    username: str
    sourceIp: str
    action: str
    clusterId: int | None
    namespace: str
    resource: str
    name: str
    statusCode: int | None
    message: str
    recordingId: int | None


def _when(value: str | datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z` (naive datetimes are taken as UTC)."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditAPI:
    """Who did what: `list(...)` filters like the API, `recording(id)` downloads an exec session's replay."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @staticmethod
    def _params(username: str | None, action: str | None, cluster_id: int | str | None, namespace: str | None,
                status_code: int | None, since: str | datetime | None, until: str | datetime | None,
                ) -> dict[str, Any]:
        return {"username": username, "action": action, "clusterId": cluster_id, "namespace": namespace,
                "statusCode": status_code, "since": _when(since), "until": _when(until)}

    def list(self, username: str | None = None, action: str | None = None, cluster_id: int | str | None = None,
             namespace: str | None = None, status_code: int | None = None, since: str | datetime | None = None,
             until: str | datetime | None = None, page: int = 1, page_size: int = 20) -> Page[AuditEvent]:
        """One page of rows, newest first; every filter is exact, `since`/`until` bound the time (inclusive)."""
        params = self._params(username, action, cluster_id, namespace, status_code, since, until)
        return Page.from_data(self._t.request("GET", "/api/audit", params={**params, "page": page,
                                                                              "pageSize": page_size}))

    def iter_all(self, username: str | None = None, action: str | None = None, cluster_id: int | str | None = None,
                 namespace: str | None = None, status_code: int | None = None, since: str | datetime | None = None,
                 until: str | datetime | None = None, page_size: int = 100) -> Iterator[AuditEvent]:
        """Every matching row, page after page (newest first)."""
        return iterate_pages(lambda p, s: self.list(username, action, cluster_id, namespace, status_code, since,
                                                    until, page=p, page_size=s), page_size)

    def get(self, event_id: int | str) -> AuditEvent:
        return cast(AuditEvent, self._t.request("GET", f"/api/audit/{segment(event_id)}"))

    def recording(self, event_id: int | str) -> str:
        """The asciicast v2 text of an `exec.closed` row (`recordingId` set); save it as `.cast` and
        replay it with `asciinema play`. Raises NotFoundError when the row has no recording."""
        path = f"/api/audit/{segment(event_id)}/recording"
        headers = {**self._t.auth_headers(), "Accept": "application/x-asciicast, application/json"}
        try:
            response = self._t.session.get(self._t.url(path), headers=headers, timeout=self._t.timeout,
                                           verify=self._t.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"GET {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300 or "json" in response.headers.get("Content-Type", ""):
            decode(response)  # raises the matching KubePolarisError
        response.encoding = "utf-8"
        return response.text
