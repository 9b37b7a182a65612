"""One renderer wraps every DRF response in the envelope."""
from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer

from common import envelope


class EnvelopeRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        response = (renderer_context or {}).get("response")
        status_code = response.status_code if response is not None else 200
        return super().render(envelope.wrap(data, status_code), accepted_media_type, renderer_context)
