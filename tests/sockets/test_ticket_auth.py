"""Tickets inside the process: what the middleware hands the consumer, what the cache holds, one redeemer wins.
(The same behaviour through a real daphne is in test_ticket.py.)"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db import connection
from rest_framework.exceptions import AuthenticationFailed

from accounts.tickets import KEY_PREFIX, issue_ticket, redeem_ticket
from accounts.tokens import SessionToken
from accounts.ws_auth import JWTAuthMiddleware
from common.permissions import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def _scope_seen(query: str) -> dict[str, Any] | None:
    """The scope the middleware passes on for `?query`, or None when it refused the socket."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)
        await receive()
        await send({"type": "websocket.accept"})

    communicator = WebsocketCommunicator(JWTAuthMiddleware(app), f"/ws/x?{query}")
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    if not seen:
        message = json.loads((await communicator.receive_output(10))["text"])
        assert message["type"] == "error"
    await communicator.disconnect()
    return seen or None


async def test_ticket_carries_its_tokens_expiry_and_leaves_no_credential_downstream(
        role_users: dict[str, Any]) -> None:
    token = SessionToken.for_user(role_users[Role.VIEWER])
    token.set_exp(lifetime=timedelta(seconds=10))  # shorter than WS_TICKET_SECONDS: the token's end wins
    ticket = issue_ticket(token=token)
    assert ticket.expire <= token.expires_at
    scope = await _scope_seen(f"container=web&ticket={ticket.ticket}&token=ignored")
    assert scope is not None and scope["user"].pk == role_users[Role.VIEWER].pk
    assert scope["token_expires_at"] == token.payload["exp"]  # the socket ends when the session would
    assert scope["query_string"] == b"container=web"


async def test_cache_holds_a_hash_of_the_ticket_never_the_ticket(role_users: dict[str, Any]) -> None:
    ticket = issue_ticket(token=SessionToken.for_user(role_users[Role.OPERATOR])).ticket
    entry = cache.get(KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest())
    assert entry is not None and ticket not in repr(entry)
    assert cache.get(ticket) is None and cache.get(KEY_PREFIX + ticket) is None


def test_concurrent_redeemers_only_one_wins(role_users: dict[str, Any]) -> None:
    ticket = issue_ticket(token=SessionToken.for_user(role_users[Role.ADMIN])).ticket

    def redeem(_: int) -> bool:
        try:
            redeem_ticket(ticket)
        except AuthenticationFailed:
            return False
        finally:
            connection.close()  # this thread's own database connection: leave none behind
        return True

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(redeem, range(8)))
    assert outcomes.count(True) == 1


async def test_a_changed_password_kills_an_issued_ticket(role_users: dict[str, Any]) -> None:
    user = role_users[Role.VIEWER]
    ticket = issue_ticket(token=SessionToken.for_user(user)).ticket
    user.set_password("An0ther-Sturdy-Pass!")
    await database_sync_to_async(user.save)()
    assert await _scope_seen(f"ticket={ticket}") is None
