"""Kubernetes timestamps as the API returns them to our clients: RFC 3339, UTC, seconds, with a `Z`."""
from __future__ import annotations

import datetime as dt
from typing import Any


def rfc3339(value: Any) -> str | None:
    """`"2026-01-01T08:00:00+08:00"`, `"2026-01-01T00:00:00.123456Z"` or a datetime → `"2026-01-01T00:00:00Z"`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def now_rfc3339() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
