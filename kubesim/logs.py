"""Container logs generated lazily from the clock: nothing is stored, lines are a function of time."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import shlex
from typing import Any

from . import clock

Obj = dict[str, Any]
MAX_LINES = 20000  # like kubelet log rotation: older lines are gone

_PATHS = ["/", "/index.html", "/api/v1/items", "/healthz", "/static/app.js", "/favicon.ico", "/login"]
_AGENTS = ["kube-probe/1.32", "curl/8.5.0", "Mozilla/5.0", "Go-http-client/1.1"]
_CODES = [200, 200, 200, 200, 304, 404, 200, 301]
_MSGS = ["request handled", "cache refreshed", "connection accepted", "heartbeat ok", "job tick",
         "flushing metrics", "sync complete", "reconciled resources"]


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _period(seed: str) -> float:
    return 1.0 + (_h(seed, "period") % 2000) / 1000.0  # 1-3 s between lines


def _echoes(container: Obj) -> list[str]:
    """What `echo` statements in the container's command would print."""
    parts = (container.get("command") or []) + (container.get("args") or [])
    if parts[:1] == ["echo"]:
        return [" ".join(parts[1:])]
    script = parts[2] if len(parts) >= 3 and parts[0].endswith("sh") and parts[1] == "-c" else " ".join(parts)
    out = []
    for stmt in re.split(r";|&&|\n", script):
        words = shlex_split(stmt)
        if words[:1] == ["echo"]:
            out.append(" ".join(words[1:]))
    return out


def shlex_split(stmt: str) -> list[str]:
    try:
        return shlex.split(stmt)
    except ValueError:
        return stmt.split()


def _startup(image: str, t: float, pod: str) -> list[str]:
    if "nginx" in image:
        stamp = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y/%m/%d %H:%M:%S")
        return [
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            f"{stamp} [notice] 1#1: using the \"epoll\" event method",
            f"{stamp} [notice] 1#1: start worker processes",
        ]
    return [f"starting {image.rsplit('/', 1)[-1]} in pod {pod}", "configuration loaded", "ready to serve"]


def _line(image: str, seed: str, k: int, t: float) -> str:
    r = _h(seed, k)
    if "nginx" in image:
        stamp = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        ip = f"10.244.{r % 7}.{(r >> 8) % 250 + 1}"
        path = _PATHS[(r >> 16) % len(_PATHS)]
        code = _CODES[(r >> 24) % len(_CODES)]
        agent = _AGENTS[(r >> 32) % len(_AGENTS)]
        return f'{ip} - - [{stamp}] "GET {path} HTTP/1.1" {code} {(r >> 40) % 4000 + 100} "-" "{agent}" "-"'
    level = "info" if r % 10 else "warn"
    return f'level={level} msg="{_MSGS[(r >> 8) % len(_MSGS)]}" seq={k} latency_ms={(r >> 20) % 250}'


def generate(pod: Obj, container: Obj, start: float, end: float, instance: int,
             exit_code: int | None = None, since: float | None = None) -> list[tuple[float, str]]:
    """Lines a container instance wrote between `start` and `end` (deterministic in pod uid)."""
    image = container.get("image", "")
    seed = f"{pod['metadata'].get('uid')}/{container['name']}/{instance}"
    period = _period(seed)
    lines: list[tuple[float, str]] = []
    echoes = _echoes(container)
    boot = echoes or _startup(image, start, pod["metadata"]["name"])
    for i, text in enumerate(boot):
        t = start + 0.001 * (i + 1)
        if t <= end or exit_code is not None:  # a finished instance printed its start-up lines
            lines.append((min(t, max(end, start)), text))
    # a scripted container prints what its script echoes; a server keeps logging
    n = 0 if echoes else max(0, math.floor((end - start) / period))
    first_k = max(1, n - MAX_LINES + 1)
    if since is not None:
        first_k = max(first_k, math.floor((since - start) / period))
    for k in range(first_k, n + 1):
        t = start + k * period + (_h(seed, "j", k) % 1000) / 1e6
        if t <= end:
            lines.append((t, _line(image, seed, k, t)))
    if exit_code not in (None, 0):
        lines.append((end, f"Error: fatal: unable to continue, shutting down (exit code {exit_code})"))
    return lines


def next_line_after(pod: Obj, container: Obj, start: float, instance: int, after: float) -> float:
    seed = f"{pod['metadata'].get('uid')}/{container['name']}/{instance}"
    period = _period(seed)
    k = max(1, math.floor((after - start) / period) + 1)
    return start + k * period + (_h(seed, "j", k) % 1000) / 1e6


def render(lines: list[tuple[float, str]], *, timestamps: bool, tail: int | None, since: float | None,
           limit_bytes: int | None) -> bytes:
    if since is not None:
        lines = [ln for ln in lines if ln[0] >= since]
    if tail is not None and tail >= 0:
        lines = lines[-tail:] if tail else []
    out = "".join((f"{clock.iso_nano(t)} {text}\n" if timestamps else f"{text}\n") for t, text in lines)
    data = out.encode()
    if limit_bytes is not None and limit_bytes > 0:
        data = data[:limit_bytes]
    return data
