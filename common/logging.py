"""Keep credentials out of every log line: query `token=` / `ticket=` values, Bearer headers.

Two ways out need covering. Python logging goes through `RedactSecretsFilter` (on the console handler). daphne's
access log does not: its CLI writes NCSA lines straight to stdout or a file, and the HTTP lines carry the full
URL with its query string. Every access-log line daphne produces (CLI, `manage.py runserver`, `manage.py demo`)
passes through `daphne.server.Server.log_action`, so `redact_daphne_access_log` wraps that one method at start-up
(`common.apps`), before daphne serves its first request.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Any

_PATTERNS = [
    (re.compile(r"(?i)((?:token|ticket)=)[^&\s\"']+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-_=.+/]+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+(\s+[^'\"\s,}]+)?"), r"\1[REDACTED]"),
]


def redact(text: str) -> str:
    """`text` with every credential pattern replaced by `[REDACTED]`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_daphne_access_log() -> bool:
    """Make daphne redact the URL of every access-log entry. Idempotent; False when daphne is not installed."""
    try:
        from daphne.server import Server
    except ImportError:
        return False
    original = Server.log_action
    if getattr(original, "redacts_secrets", False):
        return True

    @functools.wraps(original)
    def log_action(self: Any, protocol: str, action: str, details: dict[str, Any]) -> None:
        path = details.get("path")
        if isinstance(path, str):
            details = {**details, "path": redact(path)}
        original(self, protocol, action, details)

    log_action.redacts_secrets = True  # type: ignore[attr-defined]
    Server.log_action = log_action  # type: ignore[method-assign]
    return True
