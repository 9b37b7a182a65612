"""Writing audit rows. Every writer here is "best effort": one INSERT in its own savepoint, and any
database error is logged (without the row's content) and swallowed, so auditing never fails or
blocks the request or socket it records. Nothing secret is ever passed in: no request bodies, no
query strings; messages are the response's user-safe `message`, scrubbed once more below.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, Recording
from common.logging import redact

log = logging.getLogger("kubepolaris.audit")

MAX_MESSAGE = 1000
PRUNE_BATCH = 1000
# A JWT, or a long base64 run mixing upper case, lower case and digits (a pasted key, token or
# kubeconfig; Kubernetes names and paths are lower case): never kept in a message.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BLOB = re.compile(r"[A-Za-z0-9+/_-]{32,}={0,2}")


def _blob(match: re.Match[str]) -> str:
    text = match.group(0)
    mixed = any(c.isupper() for c in text) and any(c.islower() for c in text) and any(c.isdigit() for c in text)
    return "[REDACTED]" if mixed else text


def clean(value: Any, limit: int) -> str:
    """A short, storable string: no NUL, no lone surrogates (PostgreSQL refuses both), at most `limit`."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def scrub(message: Any) -> str:
    """The message as stored: token-like strings removed (a safety net; messages are user-safe already)."""
    text = redact(clean(message, 4 * MAX_MESSAGE))
    text = _BLOB.sub(_blob, _JWT.sub("[REDACTED]", text))
    return text[:MAX_MESSAGE]


def as_cluster_id(value: Any) -> int | None:
    """A path's cluster id as stored (ids that are not a positive 63-bit integer are not ids)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def record(*, action: str, username: str = "", source_ip: str = "", cluster_id: Any = None,
           namespace: str = "", resource: str = "", name: str = "", method: str = "", path: str = "",
           status_code: int | None = None, message: str = "", recording: dict[str, Any] | None = None,
           ) -> AuditEvent | None:
    """Write one row (and its recording, if any); None when the database refused (logged, never raised)."""
    try:
        own_transaction = not connection.in_atomic_block
        with transaction.atomic():
            if own_transaction and connection.vendor == "postgresql":
                # Don't wait for the WAL flush of this row alone (~1-15 ms on a busy disk): the row is
                # committed and visible at once; only a PostgreSQL crash in the next ~0.6 s could lose it.
                # Only in our own transaction, so the request's own writes keep their durability.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            event = AuditEvent.objects.create(
                action=clean(action, 64), username=clean(username, 150), source_ip=clean(source_ip, 64),
                cluster_id=as_cluster_id(cluster_id), namespace=clean(namespace, 253),
                resource=clean(resource, 64), name=clean(name, 253), method=clean(method, 10),
                path=clean(path, 500), status_code=status_code if status_code is None else int(status_code),
                message=scrub(message),
            )
            if recording is not None:
                Recording.objects.create(event=event, **recording)
            return event
    except (DatabaseError, ValueError, TypeError) as exc:
        # The row's content may name a user or a target: log only what failed.
        log.error("Could not write the audit row for %s: %s", clean(action, 64), type(exc).__name__)
        return None


def prune(*, older_than_days: int) -> tuple[int, int]:
    """Delete rows older than the retention period, their recordings with them; (rows, recordings) deleted.

    In batches, so a first run over a large table neither loads it whole nor holds one long transaction.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    rows = recordings = 0
    while True:
        batch = list(AuditEvent.objects.filter(time__lt=cutoff).order_by("pk").values_list("pk", flat=True)
                     [:PRUNE_BATCH])
        if not batch:
            return rows, recordings
        with transaction.atomic():
            recordings += Recording.objects.filter(event_id__in=batch).delete()[0]
            rows += AuditEvent.objects.filter(pk__in=batch).delete()[0]
