"""The audit side of an exec terminal: an `exec.opened` row, an asciicast recording of the session,
and an `exec.closed` row (duration, exit code or why it ended) linked to the recording.
A socket that fails before the process starts (role, unknown pod or container) leaves `exec.failed`.

Used by pods/sockets/exec.py; database writes go through `database_sync_to_async`, the recorder is
in memory (bounded by AUDIT_RECORDING_MAX_BYTES) and written once, at the end.
"""
from __future__ import annotations

import shlex
import time
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from audit import services
from audit.recording import Recorder
from common.client_ip import scope_client_ip


def _who(scope: dict[str, Any]) -> str:
    user = scope.get("user")
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def _target(scope: dict[str, Any]) -> dict[str, Any]:
    kwargs = (scope.get("url_route") or {}).get("kwargs") or {}
    return {"cluster_id": kwargs.get("cluster_id"), "namespace": kwargs.get("namespace", ""),
            "name": kwargs.get("name", ""), "resource": "pod", "method": "GET", "path": scope.get("path", ""),
            "username": _who(scope), "source_ip": scope_client_ip(scope)}


async def exec_failed(scope: dict[str, Any], *, status_code: int, message: str) -> None:
    """A terminal that never opened (refused, unknown pod or container, cluster error)."""
    await database_sync_to_async(services.record)(action="exec.failed", status_code=status_code,
                                                  message=message, **_target(scope))


class ExecAudit:
    """One exec session's audit rows and recording; feed it what the terminal shows, then `closed()`."""

    def __init__(self, scope: dict[str, Any], *, container: str, command: list[str]) -> None:
        self.scope = scope
        self.container = container
        self.command = shlex.join(command)
        self.started = time.monotonic()
        self.exit_code: int | None = None
        self.end_status = 200
        self.end_reason = "closed by the client"
        target = _target(scope)
        self.recorder = Recorder(
            command=self.command,
            title=f"{target['username']}@{target['cluster_id']}/{target['namespace']}/{target['name']}/{container}",
            record_input=bool(getattr(settings, "AUDIT_RECORD_INPUT", False)),
            max_bytes=int(getattr(settings, "AUDIT_RECORDING_MAX_BYTES", 1024 * 1024)),
        )

    def _where(self) -> str:
        return f"container {self.container}, command {self.command}"

    async def opened(self) -> None:
        await database_sync_to_async(services.record)(
            action="exec.opened", status_code=200, message=f"Exec session opened ({self._where()})",
            **_target(self.scope))

    def output(self, text: str) -> None:
        self.recorder.output(text)

    def input(self, text: str) -> None:
        self.recorder.input(text)

    def resize(self, cols: int, rows: int) -> None:
        self.recorder.resize(cols, rows)

    def exited(self, code: int) -> None:
        self.exit_code = code
        self.end_reason = f"exit code {code}"

    def failed(self, status_code: int, message: str) -> None:
        """Ended by an error (idle limit, token expiry, cluster failure, logout...)."""
        if self.exit_code is None:
            self.end_status, self.end_reason = status_code, message

    async def closed(self) -> None:
        duration = time.monotonic() - self.started
        cast = self.recorder.text()
        truncated = " (recording truncated)" if self.recorder.truncated else ""
        message = f"Exec session closed after {duration:.1f} s: {self.end_reason} ({self._where()}){truncated}"
        recording = {"cast": cast, "size": len(cast.encode()), "truncated": self.recorder.truncated,
                     "duration": round(duration, 3)}
        await database_sync_to_async(services.record)(
            action="exec.closed", status_code=self.end_status, message=message, recording=recording,
            **_target(self.scope))
