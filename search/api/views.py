"""`GET /api/search`: one thin view; the work is in search.selectors."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import EnvelopePagination, PageParams
from common.permissions import Role, RoleViewMixin
from search import selectors
from search.api.serializers import (
    SearchErrorSerializer,
    SearchHitSerializer,
    SearchPageSerializer,
    SearchQuerySerializer,
)


@extend_schema(tags=["search"])
class SearchView(RoleViewMixin, APIView):
    """Find objects by name or label across every cluster you may see; slow or dead clusters land in `errors`."""

    read_role = Role.VIEWER
    action_label = "searching clusters"

    @extend_schema(parameters=[SearchQuerySerializer, PageParams], responses=SearchPageSerializer,
                   summary="Search names and labels across clusters (paginated; per-cluster errors)")
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        PageParams(data=request.query_params).is_valid(raise_exception=True)  # a bad page is a 400 before any work
        params = query.validated_data
        scopes = selectors.plan(user=request.user, kinds=params["kinds"], cluster_id=params.get("clusterId"),
                                namespace=params.get("namespace") or None)
        hits, errors = selectors.search(scopes=scopes, query=params["q"])
        paginator = EnvelopePagination()
        page = paginator.paginate_queryset(hits, request, self)
        body = paginator.page_body(SearchHitSerializer(page, many=True).data)
        body["errors"] = SearchErrorSerializer(errors, many=True).data
        return Response(body)
