"""A logging filter that keeps tokens out of every log line (query `token=` values, Bearer headers)."""
from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"(?i)(token=)[^&\s\"']+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-_=.+/]+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+(\s+[^'\"\s,}]+)?"), r"\1[REDACTED]"),
]


def redact(text: str) -> str:
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
