"""Reading the audit log: newest first, with the recording's id but never its (large) text."""
from __future__ import annotations

from django.db.models import F, QuerySet

from audit.models import AuditEvent, Recording
from common.errors import NotFound


def event_list() -> QuerySet[AuditEvent]:
    """Every row, newest first; `recording_pk` is the linked recording's id or None (one LEFT JOIN)."""
    return AuditEvent.objects.annotate(recording_pk=F("recording__id")).order_by("-time", "-id")


def _event_id(value: object) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 2**63:
        raise NotFound(f"Audit event '{value}' not found")
    return number


def event_get(*, event_id: object) -> AuditEvent:
    try:
        return event_list().get(pk=_event_id(event_id))
    except AuditEvent.DoesNotExist:
        raise NotFound(f"Audit event '{event_id}' not found") from None


def recording_for(*, event_id: object) -> Recording:
    """The recording of an exec session's row; 404 when the row does not exist or has none."""
    event = event_get(event_id=event_id)
    try:
        return Recording.objects.get(event_id=event.pk)
    except Recording.DoesNotExist:
        raise NotFound(f"Audit event {event.pk} has no recording (only closed exec sessions have one)") from None
