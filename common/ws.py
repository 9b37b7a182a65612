"""What every WebSocket middleware shares: one way to refuse a socket, so clients see the same shape.

A refusal accepts the handshake, says why in one `{"type":"error","message":...}` frame and closes with a
4xxx code (browsers cannot read an HTTP status from a refused handshake). Used by the origin check
(`common.ws_origin`) and the authentication middleware (`accounts.ws_auth`).
"""
from __future__ import annotations

import json
from typing import Any


async def reject(receive: Any, send: Any, code: int, message: str) -> None:
    """Accept the handshake, say why in one error frame, close with `code`."""
    first = await receive()
    if first.get("type") != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps({"type": "error", "message": message})})
    await send({"type": "websocket.close", "code": code})
