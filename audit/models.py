"""The audit trail: one row per change, login and exec session; a terminal recording per closed session.

Rows hold no request bodies: only who, from where, what (action and target), the status and the
user-safe message of the response. See audit/services.py for how they are written.
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    time = models.DateTimeField(default=timezone.now)
    username = models.CharField(max_length=150, blank=True, db_index=True,
                                help_text="The acting user, or the username tried at a login")
    source_ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True, help_text="e.g. auth.login, pod.delete, exec.closed")
    cluster_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    namespace = models.CharField(max_length=253, blank=True)
    resource = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=253, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="Request path, without the query string")
    status_code = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        # (time, id) serves the newest-first list and `since`/`until` in either direction.
        indexes = [models.Index(fields=["time", "id"], name="audit_time_id")]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.status_code}"


class Recording(models.Model):
    """An exec session's terminal in asciicast v2, linked 1:1 to the session's `exec.closed` row.

    Deleting the row (retention) deletes the recording with it.
    """

    event = models.OneToOneField(AuditEvent, on_delete=models.CASCADE, related_name="recording")
    cast = models.TextField(help_text="asciicast v2: a JSON header line, then one JSON event per line")
    size = models.PositiveIntegerField(default=0, help_text="Bytes of `cast` (UTF-8)")
    truncated = models.BooleanField(default=False, help_text="The size cap was reached; later output is missing")
    duration = models.FloatField(default=0.0, help_text="Seconds from the session's start to its end")

    def __str__(self) -> str:
        return f"recording of event {self.event_id} ({self.size} bytes)"
