"""asciicast v2 recorder for exec sessions (https://docs.asciinema.org/manual/asciicast/v2/).

Pure Python, no Django: the exec consumer feeds it output, input and resizes; `text()` is the `.cast` file.

- Header: `{"version": 2, "width", "height", "timestamp", "command", "title"}`. The size is 80x24 unless
  the browser sends its first resize before any output arrives (what xterm.js does on open): then the
  header takes that size, so a replay starts at the terminal's real size. Every resize is also an
  `"r"` event (`"COLSxROWS"`).
- Events: `[t, "o", data]` output, `[t, "i", data]` input (only with `record_input`), `[t, "r", "CxR"]`,
  t = seconds since the session started (monotonic clock, microsecond precision).
- Size cap: once the next event would pass `max_bytes`, an `"o"` notice (visible on replay) and an
  `"m"` marker say the recording was truncated, and every later event is dropped. The session itself
  is never touched. The file is at most `max_bytes` plus the notice (~200 bytes) and the header.
- JSON is ASCII-escaped, so the text stores anywhere (no NUL bytes, no lone surrogates for PostgreSQL).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

DEFAULT_WIDTH, DEFAULT_HEIGHT = 80, 24
TRUNCATED_NOTICE = "\r\n[KubePolaris: recording truncated at {limit} bytes (AUDIT_RECORDING_MAX_BYTES); " \
                   "the session went on unrecorded]\r\n"


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


class Recorder:
    """Collects one terminal session as asciicast v2, in memory, bounded by `max_bytes`."""

    def __init__(self, *, command: str = "", title: str = "", record_input: bool = False,
                 max_bytes: int = 1024 * 1024, clock: Callable[[], float] = time.monotonic,
                 started_at: float | None = None) -> None:
        self.command = command
        self.title = title
        self.record_input = record_input
        self.max_bytes = max(0, int(max_bytes))
        self.clock = clock
        self.start = clock()
        self.timestamp = int(started_at if started_at is not None else time.time())
        self.width, self.height = DEFAULT_WIDTH, DEFAULT_HEIGHT
        self.events: list[str] = []
        self.size = 0  # bytes of the events so far (each line plus its newline)
        self.truncated = False
        self._output_seen = False

    def elapsed(self) -> float:
        return max(0.0, self.clock() - self.start)

    def output(self, data: str) -> None:
        """Text the terminal showed (stdout and stderr are one stream with a TTY)."""
        if data:
            self._output_seen = True
            self._event("o", data)

    def input(self, data: str) -> None:
        """Keystrokes, kept only when input recording is on (they may hold passwords typed with echo off)."""
        if data and self.record_input:
            self._event("i", data)

    def resize(self, cols: int, rows: int) -> None:
        if not self._output_seen:
            self.width, self.height = int(cols), int(rows)  # the terminal's size before anything was shown
        self._event("r", f"{int(cols)}x{int(rows)}")

    def _event(self, code: str, data: str) -> None:
        if self.truncated:
            return
        t = round(self.elapsed(), 6)
        line = _line([t, code, data])
        cost = len(line) + 1
        if self.size + cost > self.max_bytes:
            self.truncated = True
            notice = TRUNCATED_NOTICE.format(limit=self.max_bytes)
            for extra in (_line([t, "o", notice]), _line([t, "m", "recording truncated"])):
                self.events.append(extra)
                self.size += len(extra) + 1
            return
        self.events.append(line)
        self.size += cost

    def header(self) -> dict[str, Any]:
        head: dict[str, Any] = {"version": 2, "width": self.width, "height": self.height,
                                "timestamp": self.timestamp}
        if self.command:
            head["command"] = self.command
        if self.title:
            head["title"] = self.title
        head["env"] = {"TERM": "xterm-256color"}
        return head

    def text(self) -> str:
        """The whole `.cast` file (header line, then the events), newline-terminated."""
        return "\n".join([_line(self.header()), *self.events]) + "\n"
