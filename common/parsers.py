"""JSON request bodies with a nesting limit, so `[[[[...]]]]` is a 400 and never a RecursionError 500.

`json.loads` recurses once per level and hooks cannot stop it, so the depth is measured before
parsing: strings are blanked out (a bracket inside a string does not nest), then the brackets left
are counted. Used by the REST API (`DEFAULT_PARSER_CLASSES`) and by the socket frame parser.
"""
from __future__ import annotations

import io
import re
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_JSON_DEPTH = 100  # a Kubernetes manifest nests about 15 levels; 100 leaves room for any CRD

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def max_json_depth() -> int:
    """The limit: the `MAX_JSON_DEPTH` setting, or 100."""
    return int(getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def json_depth(text: str) -> int:
    """How deeply the JSON document `text` nests arrays and objects (0 for a scalar). Linear time, no recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    if not brackets:
        return 0
    return max(accumulate(_STEP[c] for c in brackets))


def check_json_depth(text: str, limit: int | None = None) -> None:
    """Raise ParseError when `text` nests deeper than `limit` (default: the setting)."""
    limit = max_json_depth() if limit is None else limit
    if text.count("[") + text.count("{") <= limit:  # cheap: cannot be deeper than its bracket count
        return
    if json_depth(text) > limit:
        raise ParseError(f"nested too deeply (more than {limit} levels)")


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSONParser, refusing documents nested deeper than `MAX_JSON_DEPTH` with a 400."""

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = None  # JSONParser reports the bad encoding itself
        if text is not None:
            check_json_depth(text)
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:  # belt and braces: never a 500 for a body
            raise ParseError("nested too deeply") from None
