"""WebSocket authentication, in one ASGI middleware: the REST API's JWT, checked the REST API's way.

The credential is `?ticket=` (a single-use ticket from `POST /api/auth/ws-ticket`, what browsers should
use: a JWT in a URL ends up in proxy logs), `?token=<jwt>` (browsers cannot set headers on a WebSocket) or
`Authorization: Bearer <jwt>`, in that order of precedence. A token is validated by
`accounts.authentication.BearerTokenAuthentication` itself, a ticket by `accounts.tickets.redeem_ticket` with
the same user checks, so the blacklist (logout, refresh), expiry, deactivated users and password changes all apply.

A socket without a valid token is accepted, told why (`{"type":"error","message":...}`) and closed
with 4401 before any consumer runs. Otherwise the consumer gets `scope["user"]`, `scope["token_expires_at"]`
(epoch seconds; consumers close the socket when it passes) and a `query_string` with the token and ticket
removed, so nothing downstream can log them.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

from channels.db import database_sync_to_async
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import BearerTokenAuthentication
from accounts.tickets import redeem_ticket
from common.errors import DATABASE_UNAVAILABLE_ERRORS, DatabaseUnavailable
from common.ws import reject

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_DATABASE_UNAVAILABLE = 4503  # 4000 + the REST status, as for every other socket refusal
MISSING_TOKEN = ("Authentication required: pass ?ticket=<ticket from POST /api/auth/ws-ticket>, ?token=<jwt> "
                 "or an 'Authorization: Bearer <jwt>' header")
CREDENTIAL_PARAMS = ("token", "ticket")


def _query_pairs(scope: dict[str, Any]) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("latin1"), keep_blank_values=True)


def split_ticket(scope: dict[str, Any]) -> str | None:
    """The `?ticket=` value, or None. It wins over any token: a browser that has one means it."""
    return next((value for key, value in _query_pairs(scope) if key == "ticket" and value), None)


def split_token(scope: dict[str, Any]) -> tuple[bytes | None, bytes]:
    """(raw token or None, the query string without `token` and `ticket`). The query wins over the header."""
    pairs = _query_pairs(scope)
    token = next((value for key, value in pairs if key == "token" and value), None)
    query = urlencode([(k, v) for k, v in pairs if k not in CREDENTIAL_PARAMS]).encode("latin1")
    if token is not None:
        return token.encode("latin1"), query
    for name, value in scope.get("headers") or []:
        if name.lower() == b"authorization":
            try:
                raw = BearerTokenAuthentication().get_raw_token(value)
            except AuthenticationFailed:
                raw = None
            return raw or b"", query
    return None, query


def _message(exc: AuthenticationFailed) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", "Token is invalid, expired or revoked; log in again")
    return str(detail)


@database_sync_to_async
def authenticate(raw_token: bytes) -> tuple[Any, float | None]:
    """(user, token expiry as epoch seconds). Raises AuthenticationFailed like the REST API would."""
    auth = BearerTokenAuthentication()
    validated = auth.get_validated_token(raw_token)
    user = auth.get_user(validated)
    expires = validated.payload.get("exp")
    return user, float(expires) if expires is not None else None


@database_sync_to_async
def authenticate_ticket(ticket: str) -> tuple[Any, float | None]:
    """(user, expiry of the token the ticket was issued for). Consumes the ticket."""
    return redeem_ticket(ticket)


class JWTAuthMiddleware:
    """Wrap the WebSocket router: every socket is authenticated here or closed with 4401."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await self.app(scope, receive, send)
        raw, query = split_token(scope)
        ticket = split_ticket(scope)
        if not raw and not ticket:
            return await reject(receive, send, CLOSE_UNAUTHENTICATED, MISSING_TOKEN)
        try:
            user, expires_at = await (authenticate_ticket(ticket) if ticket else authenticate(raw))
        except AuthenticationFailed as exc:
            return await reject(receive, send, CLOSE_UNAUTHENTICATED, _message(exc))
        except DATABASE_UNAVAILABLE_ERRORS as exc:  # the token cannot be checked now: say so, no traceback
            logger.warning("Database unavailable while authenticating a socket: %s", exc)
            return await reject(receive, send, CLOSE_DATABASE_UNAVAILABLE, DatabaseUnavailable.default_detail)
        headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"authorization"]
        scope = {**scope, "user": user, "token_expires_at": expires_at, "query_string": query, "headers": headers}
        return await self.app(scope, receive, send)
