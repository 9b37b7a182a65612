"""The client's address, as far as it can be trusted.

`X-Forwarded-For` is written by whoever sends the request, so it is only believed as far as
`TRUSTED_PROXY_COUNT` proxies of our own stand in front of the server: each of them appends the
address it saw, so with N trusted proxies the client is the Nth address from the right, and
everything left of it is whatever the client chose to send. With no trusted proxy (the default)
the header is ignored and the socket's address (`REMOTE_ADDR`) is the client.

Used by the login lock and the audit log; imports no app.
"""
from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _parse_address(value: str) -> str | None:
    """A canonical IP address from one header entry (`1.2.3.4`, `1.2.3.4:5678`, `[::1]:80`), or None."""
    value = value.strip()
    if value.startswith("["):  # [IPv6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4:port (a bare IPv6 address has more than one colon)
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(forwarded: str, peer: str, *, trusted_proxies: int | None = None) -> str:
    """The client's address from an `X-Forwarded-For` value and the socket's peer address.

    `trusted_proxies` overrides the `TRUSTED_PROXY_COUNT` setting. If the header has fewer entries
    than there are proxies, the leftmost is used (each entry was still written by a proxy of ours);
    an entry that is not an IP address falls back to the peer.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0) if trusted_proxies is None else trusted_proxies
    if count <= 0:
        return peer
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return peer
    return _parse_address(entries[-min(count, len(entries))]) or peer


def client_ip(request: HttpRequest, *, trusted_proxies: int | None = None) -> str:
    """The address of the client that sent `request`, never one that the client could choose."""
    return client_address(str(request.META.get("HTTP_X_FORWARDED_FOR", "")), str(request.META.get("REMOTE_ADDR") or ""),
                          trusted_proxies=trusted_proxies)


def scope_client_ip(scope: dict[str, Any]) -> str:
    """The same for an ASGI (WebSocket) scope."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    forwarded = ",".join(v.decode("latin1") for k, v in scope.get("headers") or [] if k.lower() == b"x-forwarded-for")
    return client_address(forwarded, str(peer))
