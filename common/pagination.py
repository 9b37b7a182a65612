"""One paginator for every list, database-backed or not: `{items, total, page, pageSize}`."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Bounds the OFFSET sent to the database (a page number past 2**63 / pageSize overflowed it: 500).
MAX_PAGE = 1_000_000


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    pageSize = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)  # noqa: N815


class EnvelopePagination(BasePagination):
    """Pages from 1; `pageSize` defaults to 20, at most 100; past the end is an empty page with the true total.

    Works on querysets and on plain lists (pods, nodes, workloads come from Kubernetes, not the DB);
    the caller must sort before paginating.
    """

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.page = params.validated_data["page"]
        self.page_size = params.validated_data["pageSize"]
        is_queryset = hasattr(queryset, "count") and not isinstance(queryset, Sequence)
        self.total = queryset.count() if is_queryset else len(queryset)
        start = (self.page - 1) * self.page_size
        return list(queryset[start : start + self.page_size])

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(self.page_body(data))

    def page_body(self, items: list[Any]) -> dict[str, Any]:
        return {"items": items, "total": self.total, "page": self.page, "pageSize": self.page_size}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "total", "page", "pageSize"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 42},
                "page": {"type": "integer", "example": 1},
                "pageSize": {"type": "integer", "example": DEFAULT_PAGE_SIZE},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": "page", "required": False, "in": "query", "description": "Page number, from 1.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
            {"name": "pageSize", "required": False, "in": "query", "description": "Items per page (at most 100).",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}},
        ]


def paginate(items: Sequence[Any] | Any, request: Request,
             serialize: Callable[[list[Any]], list[Any]] | None = None) -> Response:
    """Paginate an already sorted list (or ordered queryset); `serialize` shapes only the page's items."""
    paginator = EnvelopePagination()
    page = paginator.paginate_queryset(items, request)
    return paginator.get_paginated_response(serialize(page) if serialize else page)
