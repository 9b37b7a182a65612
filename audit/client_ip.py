"""The client's address for audit rows. PRIVATE stop-gap: replace with `common.client_ip.client_ip` at merge.

REMOTE_ADDR (daphne's peer) unless `TRUSTED_PROXY_COUNT` > 0: then the address that many hops from the
right of X-Forwarded-For, the one our nearest trusted proxy saw (anything further left can be forged).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings


def _from_forwarded(forwarded: str, peer: str) -> str:
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0 or not forwarded:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else peer


def request_ip(request: Any) -> str:
    """The address of an HTTP request's client."""
    meta = getattr(request, "META", {})
    return _from_forwarded(meta.get("HTTP_X_FORWARDED_FOR", ""), meta.get("REMOTE_ADDR", "") or "")


def scope_ip(scope: dict[str, Any]) -> str:
    """The same for an ASGI (WebSocket) scope."""
    client = scope.get("client") or ("", 0)
    forwarded = ",".join(v.decode("latin1") for k, v in scope.get("headers") or [] if k.lower() == b"x-forwarded-for")
    return _from_forwarded(forwarded, str(client[0] or ""))
