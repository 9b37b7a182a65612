"""`GET /api/audit`, `GET /api/audit/:id`, `GET /api/audit/:id/recording` — admins only."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import selectors
from audit.api.serializers import AuditEventSerializer
from audit.filters import AuditEventFilter
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role, RoleViewMixin
from common.responses import ok
from common.schema import EnvelopeAutoSchema

CAST_MEDIA_TYPE = "application/x-asciicast"


@extend_schema(tags=["audit"])
class AuditEventViewSet(RoleViewMixin, viewsets.GenericViewSet):
    """The audit log: every change, login and exec session, newest first."""

    read_role = Role.ADMIN
    write_role = Role.ADMIN
    action_label = "reading the audit log"
    serializer_class = AuditEventSerializer
    pagination_class = EnvelopePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter

    def get_queryset(self) -> Any:
        return selectors.event_list()

    @extend_schema(
        description="Rows newest first. Filters are exact matches; `since`/`until` bound `time` (inclusive). "
                    "A bad filter value is a 400 naming the parameter.",
        parameters=[
            OpenApiParameter("clusterId", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                             description="Cluster id"),
            OpenApiParameter("statusCode", {"type": "integer", "minimum": 100, "maximum": 599},
                             description="HTTP status of the request (exec rows: 200, or the status of the "
                                         "error that ended the session)"),
        ],
        responses=AuditEventSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        rows = self.filter_queryset(self.get_queryset())
        return paginate(rows, request, lambda page: AuditEventSerializer(page, many=True).data)

    @extend_schema(description="One audit row.", responses=AuditEventSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return ok(AuditEventSerializer(selectors.event_get(event_id=pk)).data)


class FirstRendererNegotiation(BaseContentNegotiation):
    """Errors are always the JSON envelope, whatever `Accept` says (a `.cast` Accept must not become a 406)."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


class RecordingSchema(EnvelopeAutoSchema):
    """Success is the `.cast` file itself (not the envelope); errors are the usual envelopes."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        if direction == "response":
            bodies["200"] = {
                "description": "The session's terminal as an asciicast v2 file (`asciinema play` replays it): "
                               "a JSON header line, then one `[time, code, data]` event per line.",
                "content": {CAST_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                                    "description": 'attachment; filename="audit-<id>.cast"'}},
            }
        return bodies


@extend_schema(tags=["audit"])
class AuditRecordingView(RoleViewMixin, APIView):
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    action_label = "downloading terminal recordings"
    content_negotiation_class = FirstRendererNegotiation
    schema = RecordingSchema()

    @extend_schema(operation_id="audit_recording", responses={200: None},
                   description="The exec session's recording (asciicast v2). 404 when the row has none.")
    def get(self, request: Request, pk: str) -> HttpResponse:
        recording = selectors.recording_for(event_id=pk)
        # A file download, deliberately not the envelope: the renderer only wraps DRF Responses.
        response = HttpResponse(recording.cast, content_type=f"{CAST_MEDIA_TYPE}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{recording.event_id}.cast"'
        return response
