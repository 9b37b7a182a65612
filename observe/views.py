"""GET /healthz, /readyz, /metrics: plain Django views (no DRF, no envelope, no session or token auth)."""
from __future__ import annotations

import asyncio
import hmac
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from kube import cache
from observe import collectors

collectors.register()


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers HTTP. Touches nothing else, so a database outage never restarts it."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when the database and the channel layer answer, else 503; every check is named.

    The cache summary is informative only (a cache that is still listing does not make the process unready:
    its reads fall back to the cluster).
    """
    checks: dict[str, Any] = {"database": _check(_database), "channelLayer": _check(_channel_layer)}
    ready = all(check["ok"] for check in checks.values())
    checks["caches"] = _cache_summary()
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text of this process. METRICS_TOKEN set: `Authorization: Bearer <token>` (else 401);
    unset: open only with DEBUG on (the demo), 404 otherwise, so a production server never exposes it by accident."""
    token = settings.METRICS_TOKEN
    if not token:
        if not settings.DEBUG:
            return HttpResponse("Not found\n", status=404, content_type="text/plain")
    elif not _bearer_matches(request, token):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


def _check(probe: Any) -> dict[str, Any]:
    """Run one probe; the answer names only the error class (never a host, user or password)."""
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"ok": False, "error": type(exc).__name__ or "error"}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise LookupError("no channel layer configured")
    async_to_sync(_round_trip)(layer, settings.READYZ_TIMEOUT)


async def _round_trip(layer: Any, timeout: float) -> None:
    """Send a message to a fresh channel and read it back, within `timeout` seconds (TimeoutError otherwise)."""
    async def go() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "readyz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "readyz.ping":
            raise ValueError("the channel layer answered another message")

    await asyncio.wait_for(go(), timeout)


def _cache_summary() -> dict[str, Any]:
    running = [c for c in cache.caches() if not c.stopped]
    return {"enabled": cache.enabled(), "count": len(running), "synced": sum(c.state().synced for c in running)}
