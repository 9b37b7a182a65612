"""Live sessions: a user's open WebSockets, wherever they are served, end when their access ends."""
from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def user_group(user_id: Any) -> str:
    """The channel-layer group of one user's open sockets (any server process, through Redis)."""
    return f"pod-sockets.user.{user_id}"


async def terminate_user_sockets(user_id: Any, message: str = "Your session was ended; log in again") -> None:
    """Close every socket a user has open, on every server process."""
    await get_channel_layer().group_send(user_group(user_id), {"type": "session.terminate", "message": message})


def end_live_sessions(user_id: Any, message: str) -> None:
    """Synchronous form for services (logout, deactivation, deletion, password change)."""
    async_to_sync(terminate_user_sockets)(user_id, message)


def end_live_sessions_quietly(user_id: Any, message: str) -> None:
    """For after-commit hooks: the change is already stored (and its tokens refused), so a channel-layer
    failure is logged rather than turned into an error for a request that succeeded."""
    try:
        end_live_sessions(user_id, message)
    except Exception:  # noqa: BLE001 - logged; the user's tokens are refused already
        log.exception("Could not end the live sessions of user %s", user_id)
