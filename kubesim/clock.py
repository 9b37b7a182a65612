"""Time helpers in the formats the API uses."""

from __future__ import annotations

import datetime as dt
import time


def now() -> float:
    return time.time()


def iso(ts: float | None = None) -> str:
    """RFC3339 with second precision, as metav1.Time serialises."""
    t = dt.datetime.fromtimestamp(now() if ts is None else ts, dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micro(ts: float | None = None) -> str:
    """RFC3339 with microseconds, as metav1.MicroTime serialises."""
    t = dt.datetime.fromtimestamp(now() if ts is None else ts, dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_nano(ts: float) -> str:
    """RFC3339Nano as the kubelet prefixes log lines (trailing zeros trimmed)."""
    sec = int(ts)
    nanos = int(round((ts - sec) * 1e9))
    if nanos >= 1_000_000_000:
        sec, nanos = sec + 1, nanos - 1_000_000_000
    base = dt.datetime.fromtimestamp(sec, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        base += "." + f"{nanos:09d}".rstrip("0")
    return base + "Z"


def parse(ts: str | None) -> float | None:
    if not ts:
        return None
    s = ts.replace("Z", "+00:00")
    if "." in s:
        head, rest = s.split(".", 1)
        frac = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            frac += rest[i]
            i += 1
        s = head + "." + (frac[:6].ljust(6, "0")) + rest[i:]
    return dt.datetime.fromisoformat(s).timestamp()


def human_duration(seconds: float) -> str:
    """Port of k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(ts: str | None) -> str:
    t = parse(ts)
    if t is None:
        return "<unknown>"
    return human_duration(now() - t)
