"""Socket authentication and authorization without a cluster: every 4401/4403/4404 the middleware or the
consumer decides before talking to Kubernetes. Through the real ASGI application (middleware + router)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async

from accounts.tokens import SessionToken
from accounts.ws_auth import JWTAuthMiddleware
from common.permissions import Role
from tests.sockets.helpers import exec_path, expect_error_close, logs_path, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def test_no_token_is_4401() -> None:
    message = await expect_error_close(await open_socket(logs_path(1, "default", "web")), 4401)
    assert "token" in message.lower()


async def test_garbled_token_is_4401() -> None:
    message = await expect_error_close(await open_socket(logs_path(1, "default", "web"), "not-a-jwt"), 4401)
    assert "invalid" in message.lower()


async def test_garbled_bearer_header_is_4401() -> None:
    communicator = await open_socket(exec_path(1, "default", "web"), "a.b.c", header=True)
    await expect_error_close(communicator, 4401)


async def test_revoked_token_is_4401(tokens: dict[str, str]) -> None:
    token = tokens[Role.ADMIN]
    await database_sync_to_async(lambda: SessionToken(token).blacklist())()  # what logout does
    message = await expect_error_close(await open_socket(logs_path(1, "default", "web"), token), 4401)
    assert "revoked" in message


async def test_expired_token_is_4401(role_users: dict[str, Any]) -> None:
    token = SessionToken.for_user(role_users[Role.ADMIN])
    token.set_exp(lifetime=timedelta(seconds=-1))
    await expect_error_close(await open_socket(logs_path(1, "default", "web"), str(token)), 4401)


async def test_deactivated_user_is_4401(role_users: dict[str, Any], tokens: dict[str, str]) -> None:
    user, token = role_users[Role.ADMIN], tokens[Role.ADMIN]
    user.is_active = False
    await database_sync_to_async(user.save)()
    await expect_error_close(await open_socket(logs_path(1, "default", "web"), token), 4401)


async def test_changed_password_is_4401(role_users: dict[str, Any], tokens: dict[str, str]) -> None:
    user, token = role_users[Role.ADMIN], tokens[Role.ADMIN]
    user.set_password("An0ther-Sturdy-Pass!")
    await database_sync_to_async(user.save)()
    message = await expect_error_close(await open_socket(logs_path(1, "default", "web"), token), 4401)
    assert "password" in message.lower()


async def test_viewer_may_not_exec_4403(tokens: dict[str, str]) -> None:
    token = tokens[Role.VIEWER]
    message = await expect_error_close(await open_socket(exec_path(1, "default", "web"), token), 4403)
    assert "operator" in message and "viewer" in message


@pytest.mark.parametrize("cluster_id", ["999999", "not-a-number"])
async def test_unknown_cluster_is_4404(tokens: dict[str, str], cluster_id: str) -> None:
    token = tokens[Role.VIEWER]
    message = await expect_error_close(await open_socket(logs_path(cluster_id, "default", "web"), token), 4404)
    assert cluster_id in message


async def test_header_token_is_accepted(tokens: dict[str, str]) -> None:
    """A valid header token passes the middleware: the next refusal is the consumer's (unknown cluster)."""
    token = tokens[Role.OPERATOR]
    await expect_error_close(await open_socket(exec_path(424242, "default", "web"), token, header=True), 4404)


async def test_unknown_socket_path_is_4404(tokens: dict[str, str]) -> None:
    token = tokens[Role.VIEWER]
    message = await expect_error_close(await open_socket("/ws/nothing/here", token), 4404)
    assert "/ws/nothing/here" in message


async def test_middleware_hides_the_token_from_the_application(tokens: dict[str, str]) -> None:
    """Downstream code (consumers, anything that logs a scope) never sees the token."""
    from channels.testing import WebsocketCommunicator

    token = tokens[Role.VIEWER]
    seen: dict[str, Any] = {}

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})

    path = f"/ws/x?container=app&token={token}&command=sh%20-c%20%27echo%20hi%27"
    communicator = WebsocketCommunicator(JWTAuthMiddleware(inner), path, headers=[(b"authorization", b"Bearer x")])
    await communicator.connect()
    await communicator.disconnect()
    assert seen["user"].is_authenticated
    assert token.encode() not in seen["query_string"]
    assert b"container=app" in seen["query_string"] and b"command=sh+-c+%27echo+hi%27" in seen["query_string"]
    assert all(name != b"authorization" for name, _ in seen["headers"])


async def test_rejected_token_never_reaches_a_log_line(
    role_users: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    token = SessionToken.for_user(role_users[Role.ADMIN])
    token.set_exp(lifetime=timedelta(seconds=-1))
    with caplog.at_level(logging.DEBUG):
        await expect_error_close(await open_socket(logs_path(1, "default", "web"), str(token)), 4401)
        await expect_error_close(await open_socket(logs_path(1, "default", "web"), str(token), header=True), 4401)
    assert all(str(token) not in record.getMessage() for record in caplog.records)
