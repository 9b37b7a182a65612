"""WebSocket routes. Every socket passes accounts.ws_auth.JWTAuthMiddleware first (see kubepolaris.asgi)."""
from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from common.middleware import encoded_slash_parameter
from pods.routing import websocket_urlpatterns as pod_sockets


class UnknownSocketConsumer(AsyncWebsocketConsumer):
    """Any other /ws/ path: say so and close with 4404 (instead of a bare handshake failure)."""

    async def connect(self) -> None:
        await self.accept()
        raw_path = self.scope.get("raw_path") or b""
        parameter = encoded_slash_parameter(raw_path.decode("latin1"))
        if parameter:  # `pods/a%2Fb` was decoded into two segments: say what is wrong, as the REST API does
            message, code = f"{parameter}: a name cannot contain a slash ('%2F' in the path)", 4400
        else:
            message, code = f"No WebSocket endpoint at /{self.scope['path'].lstrip('/')}", 4404
        await self.send(text_data=json.dumps({"type": "error", "message": message}))
        await self.close(code=code)

    async def receive(self, text_data: Any = None, bytes_data: Any = None) -> None:
        """Nothing to do: the socket is closing."""


websocket_urlpatterns: list = [*pod_sockets, re_path(r"", UnknownSocketConsumer.as_asgi())]
