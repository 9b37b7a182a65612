"""Helpers views use to answer with a message other than "success"; the renderer still builds the envelope."""
from __future__ import annotations

from typing import Any

from rest_framework import status as http
from rest_framework.response import Response

from common.envelope import Envelope


def ok(data: Any = None, *, message: str = "success", status: int = http.HTTP_200_OK) -> Response:
    return Response(Envelope(data=data, message=message), status=status)


def created(data: Any) -> Response:
    return ok(data, message="created", status=http.HTTP_201_CREATED)
