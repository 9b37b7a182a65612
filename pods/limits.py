"""Bounds on log queries, shared by the REST logs endpoint and the log socket's subscribe frame.

Beyond these a request is a mistake (or an attempt to make the cluster read everything it has),
so it is refused with a 400 / an error frame instead of being passed on to the apiserver."""
from __future__ import annotations

MAX_TAIL_LINES = 100_000
MAX_SINCE_SECONDS = 365 * 24 * 3600  # a year
