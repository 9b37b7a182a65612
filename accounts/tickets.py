"""Single-use WebSocket tickets (contract §12): a browser cannot put its JWT in a socket's headers, and a JWT in
a URL ends up in proxy logs and browser history. So it trades the JWT (sent in a header) for a ticket that is
worth one socket, for a few seconds (`WS_TICKET_SECONDS`), and puts that in the URL instead.

Tickets live in Django's cache (Redis when `REDIS_URL` is set, so any process can redeem what another issued),
keyed by a SHA-256 of the ticket: the cache never holds a usable ticket. The entry keeps the claims of the token
the ticket was issued for (not its signature), and redeeming re-runs the token's checks on them: not revoked
(logout, refresh), the user exists and is active, and the REST API's user checks (a changed password, and
whatever `BearerTokenAuthentication.get_user` checks later). The socket then closes when that token would expire.
"""
from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.authentication import BearerTokenAuthentication
from accounts.tokens import SessionToken

KEY_PREFIX = "kp:ws-ticket:"
TICKET_REFUSED = "Ticket is invalid, expired or already used; request a new one from POST /api/auth/ws-ticket"
TOKEN_REVOKED = "Token is invalid, expired or revoked; log in again"


@dataclass(frozen=True)
class Ticket:
    ticket: str
    expire: datetime


def _key(ticket: str) -> str:
    return KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(*, token: SessionToken) -> Ticket:
    """A new ticket for the (already validated) token's user; it never outlives the token."""
    claims: dict[str, Any] = dict(token.payload)
    now = time.time()
    expires = min(now + settings.WS_TICKET_SECONDS, float(claims["exp"]))
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), {"claims": claims, "expires": expires}, timeout=max(1, math.ceil(expires - now)))
    return Ticket(ticket=ticket, expire=datetime.fromtimestamp(int(expires), tz=UTC))


def redeem_ticket(ticket: str) -> tuple[Any, float]:
    """(user, expiry of the ticket's token as epoch seconds). Raises AuthenticationFailed like a bad token would.

    Consumed on first use, also across processes: of two concurrent redeemers, only the one whose `delete`
    removed the entry wins (Django's cache `delete` says whether the key existed, Redis' included).
    """
    key = _key(ticket)
    entry = cache.get(key)
    if entry is None or not cache.delete(key) or entry["expires"] <= time.time():
        raise AuthenticationFailed(TICKET_REFUSED)
    claims = entry["claims"]
    if BlacklistedToken.objects.filter(token__jti=claims[api_settings.JTI_CLAIM]).exists():
        raise AuthenticationFailed(TOKEN_REVOKED)
    user = BearerTokenAuthentication().get_user(claims)
    return user, float(claims["exp"])
