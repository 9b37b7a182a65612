"""Parsing and validating what a socket client sends. Every refusal is an InvalidRequest with a clear message."""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from rest_framework.exceptions import ParseError

from common.errors import AppError, InvalidRequest
from common.parsers import check_json_depth
from pods.limits import MAX_SINCE_SECONDS, MAX_TAIL_LINES

MAX_TERMINAL_SIZE = 65535  # struct winsize holds unsigned shorts
MAX_INPUT_CHARS = 65536


def close_code(error: AppError) -> int:
    """4000 + the HTTP status the REST API gives for the same error (4400, 4401, 4403, 4404, 4502, 4504 ...)."""
    return 4000 + int(error.status_code)


def parse_frame(text: str | None, allowed: tuple[str, ...]) -> dict[str, Any]:
    if text is None:
        raise InvalidRequest("Binary frames are not supported; send JSON text frames")
    try:
        check_json_depth(text)
        frame = json.loads(text)
    except ParseError as exc:
        raise InvalidRequest(f"Frame is {exc.detail}") from None
    except (ValueError, RecursionError):
        raise InvalidRequest("Frame is not valid JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise InvalidRequest("Frame must be a JSON object with a string 'type'")
    if frame["type"] not in allowed:
        raise InvalidRequest(f"Unknown frame type '{frame['type']}'; expected one of: {', '.join(allowed)}")
    return frame


def _int_field(frame: dict[str, Any], key: str, *, minimum: int, maximum: int | None = None) -> int | None:
    value = frame.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum and value > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise InvalidRequest(f"'{key}' must be an integer of at least {minimum}{bound}")
    return value


def _bool_field(frame: dict[str, Any], key: str, default: bool) -> bool:
    value = frame.get(key, default)
    if not isinstance(value, bool):
        raise InvalidRequest(f"'{key}' must be true or false")
    return value


@dataclass(frozen=True)
class LogOptions:
    container: str | None
    follow: bool
    tail_lines: int | None
    since_seconds: int | None
    timestamps: bool
    previous: bool


def parse_subscribe(frame: dict[str, Any]) -> LogOptions:
    """`{"type":"subscribe","container":"nginx","follow":true}` plus tailLines, sinceSeconds, timestamps, previous."""
    container = frame.get("container")
    if container is not None and (not isinstance(container, str) or not container):
        raise InvalidRequest("'container' must be a non-empty string")
    return LogOptions(
        container=container,
        follow=_bool_field(frame, "follow", True),
        tail_lines=_int_field(frame, "tailLines", minimum=0, maximum=MAX_TAIL_LINES),
        since_seconds=_int_field(frame, "sinceSeconds", minimum=1, maximum=MAX_SINCE_SECONDS),
        timestamps=_bool_field(frame, "timestamps", False),
        previous=_bool_field(frame, "previous", False),
    )


def parse_input(frame: dict[str, Any]) -> str:
    data = frame.get("data")
    if not isinstance(data, str):
        raise InvalidRequest("'input' needs 'data', a string")
    if len(data) > MAX_INPUT_CHARS:
        raise InvalidRequest(f"'data' is longer than {MAX_INPUT_CHARS} characters; send it in pieces")
    return data


def parse_resize(frame: dict[str, Any]) -> tuple[int, int]:
    cols = _int_field(frame, "cols", minimum=1, maximum=MAX_TERMINAL_SIZE)
    rows = _int_field(frame, "rows", minimum=1, maximum=MAX_TERMINAL_SIZE)
    if cols is None or rows is None:
        raise InvalidRequest("'resize' needs 'cols' and 'rows', positive integers")
    return cols, rows


@dataclass(frozen=True)
class ExecParams:
    container: str | None
    command: list[str]


def parse_exec_query(query_string: bytes) -> ExecParams:
    """`?container=&command=`. One `command` is split like a shell would (shlex); repeated ones are argv as is."""
    query = parse_qs(query_string.decode("latin1"), keep_blank_values=True)
    container = (query.get("container") or [""])[-1] or None
    commands = [c for c in query.get("command") or [] if c.strip()]
    if not commands:
        argv = ["/bin/sh"]
    elif len(commands) == 1:
        try:
            argv = shlex.split(commands[0])
        except ValueError as exc:
            raise InvalidRequest(f"Cannot parse 'command': {exc}") from None
    else:
        argv = commands
    if not argv:
        raise InvalidRequest("'command' is empty")
    return ExecParams(container=container, command=argv)
