"""WebSocket origin check: a browser page from another site may not open our sockets.

Browsers always send `Origin` on a WebSocket handshake and pages cannot forge it, so a socket whose
`Origin` is neither this server (the handshake's `Host`, itself one of `ALLOWED_HOSTS`) nor listed in
`WS_ALLOWED_ORIGINS` is refused: an error frame, then close 4403, like every other refusal. Clients
that send no `Origin` (scripts, the SDK, kubectl-style tools) are not browsers and pass.

`WS_ALLOWED_ORIGINS` entries follow Channels' `OriginValidator` patterns: `https://console.example.com`,
`https://console.example.com:8443`, `.example.com` (a domain and its subdomains, any scheme), `*`.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult, urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from common.ws import reject

CLOSE_FORBIDDEN_ORIGIN = 4403
DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin1")
    return None


class OriginCheckMiddleware(OriginValidator):
    """Wrap the WebSocket stack (outside authentication): refuse foreign origins with 4403."""

    def __init__(self, application: Any) -> None:
        # The allowed list is read per handshake, so settings overrides apply without a restart of the stack.
        super().__init__(application, allowed_origins=())

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await self.application(scope, receive, send)
        origin = _header(scope, b"origin")
        if origin is None or self.origin_allowed(origin, _header(scope, b"host")):
            return await self.application(scope, receive, send)
        message = (f"WebSocket refused: origin '{origin[:200]}' is not this server "
                   "and not in WS_ALLOWED_ORIGINS")
        return await reject(receive, send, CLOSE_FORBIDDEN_ORIGIN, message)

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        """This server's own origin, or one the operator listed."""
        try:
            parsed = urlparse(origin.strip().lower())
            parsed.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            return False
        if parsed.hostname is None:  # "null" (sandboxed frames, file://) or garbage
            return "*" in self.allowed_patterns()
        return self.same_origin(parsed, host) or any(
            pattern == "*" or self.match_allowed_origin(parsed, pattern) for pattern in self.allowed_patterns()
        )

    def same_origin(self, parsed: ParseResult, host: str | None) -> bool:
        """Origin host and port equal the handshake's Host (a port-less Host means the scheme's default)."""
        if not host:
            return False
        domain, port = split_domain_port(host.strip().lower())
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            return False  # a Host we do not serve (DNS rebinding) does not vouch for its origin
        origin_domain = parsed.hostname or ""
        if ":" in origin_domain:
            origin_domain = f"[{origin_domain}]"  # urlparse strips an IPv6 literal's brackets
        if origin_domain != domain:
            return False
        origin_port = self.get_origin_port(parsed)
        return origin_port is not None and origin_port == (int(port) if port else DEFAULT_PORTS.get(parsed.scheme))

    @staticmethod
    def allowed_patterns() -> list[str]:
        value = getattr(settings, "WS_ALLOWED_ORIGINS", []) or []
        if isinstance(value, str):
            value = value.split(",")
        return [item.strip().lower() for item in value if item.strip()]
