"""`ClusterScopedViewSet`: a kind of the registry (kube/registry.py) served over REST in a few declarative lines.

In the spirit of NetBox's BaseRQViewSet (a viewset over data that is not in the database): the base owns
resolving the cluster, checking path names and access (through `ClusterScopedView`), validating the query,
listing through the watch cache, narrowing to the namespaces the user may see, sorting by namespace then name,
paginating and the envelope. A concrete endpoint says which kind, which serializers and which roles:

    class ConfigMapViewSet(ClusterScopedViewSet):
        kind = "configmaps"
        query_serializer = ResourceListQuerySerializer
        item_serializer = ConfigMapItemSerializer
        detail_serializer = ConfigMapDetailSerializer

    urlpatterns = kind_urls(ConfigMapViewSet)

`kind_urls` gives the routes: for a namespaced kind `clusters/<id>/<plural>` (every namespace, `?namespace=`),
`clusters/<id>/namespaces/<ns>/<plural>` and `…/<plural>/<name>`; for a cluster-scoped kind
`clusters/<id>/<plural>` and `clusters/<id>/<plural>/<name>`. Only the verbs both the registry allows and the
viewset implements are routed; any other method is a 405 envelope, any other kind a 404 envelope.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response

from clusters.api.scoped import ClusterScopedView, Item
from common.names import query_name_field
from common.pagination import EnvelopePagination
from common.permissions import Role
from common.responses import ok
from kube import generic, registry
from kube.objects import namespace_must_exist

# ViewSet action → registry verb.
ACTION_VERBS = {"list": registry.LIST, "retrieve": registry.GET, "create": registry.CREATE,
                "update": registry.UPDATE, "destroy": registry.DELETE}


class ResourceListQuerySerializer(serializers.Serializer):
    """The filters every list takes; a kind's own query serializer extends it."""

    namespace = query_name_field("namespace", "Only this namespace (ignored when the path names one)")
    search = serializers.CharField(required=False, allow_blank=True, help_text="Substring of the name, any case")
    labelSelector = serializers.CharField(  # noqa: N815 - the API's field names are camelCase
        required=False, allow_blank=True, max_length=1024,
        help_text="Kubernetes label selector, e.g. `app=web,tier in (a,b),!legacy`")


def _sort_key(item: Item) -> tuple[str, str]:
    return (item.get("namespace") or "", item.get("name") or "")


class ClusterScopedViewSet(ClusterScopedView, viewsets.ViewSet):
    """List and detail of one registry kind in one cluster; subclasses add create/update/destroy."""

    kind: ClassVar[str | None] = None  # the registry plural; None for a view over several kinds (override hooks)
    query_serializer: ClassVar[type[serializers.Serializer]] = ResourceListQuerySerializer
    item_serializer: ClassVar[type[serializers.Serializer] | None] = None
    detail_serializer: ClassVar[type[serializers.Serializer] | None] = None
    schema_tag: ClassVar[str | None] = None
    view_name: ClassVar[str | None] = None
    action_labels: ClassVar[dict[str, str]] = {}  # action → what a refusal calls it ("deleting a pod")
    equal_filters: ClassVar[dict[str, str]] = {}  # query parameter → the item field it must equal, when given
    read_role = Role.VIEWER
    write_role = Role.OPERATOR
    pagination_class = EnvelopePagination

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Declare the kind's scope for the door and describe list/retrieve in the OpenAPI document."""
        super().__init_subclass__(**kwargs)
        if cls.kind is None:
            return
        kind = registry.get(cls.kind)
        if "cluster_wide" not in cls.__dict__:
            cls.cluster_wide = not kind.namespaced
        tag = cls.schema_tag or kind.plural
        documented: dict[str, Any] = {}
        if "list" not in cls.__dict__ and cls.item_serializer is not None:
            documented["list"] = extend_schema(
                tags=[tag], parameters=[cls.query_serializer], responses=cls.item_serializer(many=True),
                summary=f"{kind.kind} objects, sorted by namespace then name (paginated)")
        if "retrieve" not in cls.__dict__ and (cls.detail_serializer or cls.item_serializer) is not None:
            documented["retrieve"] = extend_schema(
                tags=[tag], responses=cls.detail_serializer or cls.item_serializer, summary=f"One {kind.kind}")
        if documented:
            extend_schema_view(**documented)(cls)

    # --- the door ------------------------------------------------------------------------------

    @property
    def registry_kind(self) -> registry.Kind:
        assert self.kind is not None, f"{type(self).__name__} names no registry kind"
        return registry.get(self.kind)

    def get_view_name(self) -> str:
        if self.view_name:
            return self.view_name
        return self.registry_kind.kind + "s" if self.kind else super().get_view_name()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        label = self.action_labels.get(self.action or "")
        if label:
            self.action_label = label
        super().initial(request, *args, **kwargs)  # authentication, names, access
        verb = ACTION_VERBS.get(self.action or "")
        if self.kind is not None and verb is not None and not self.registry_kind.allows(verb):
            raise MethodNotAllowed(request.method)  # kind_urls never routes it; a hand-made route might

    def query(self, serializer_class: type[serializers.Serializer] | None = None) -> dict[str, Any]:
        """The validated query parameters (a 400 naming each bad one)."""
        params = (serializer_class or self.query_serializer)(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    # --- hooks a kind may override --------------------------------------------------------------

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[Item], str | None]:
        """(items, note): shaped items of the kind, before narrowing, sorting and paginating."""
        kind = self.registry_kind
        if namespace and kind.namespaced:
            namespace_must_exist(self.cluster, namespace)
        items, note = generic.list_items(self.cluster, kind, namespace=namespace if kind.namespaced else None,
                                         label_selector=query.get("labelSelector") or None,
                                         transform=registry.item_shaper(kind))
        return self.filter_items(items, query), note

    def sorted_rows(self, *, namespace: str | None, query: dict[str, Any],
                    allowed: set[str] | None) -> Sequence[Item] | None:
        """A kind whose selector answers filtered, narrowed to `allowed` and sorted (a lazy view over the lean
        cache's indexes, say) returns it here, and nothing sorts or copies the whole list; None: use list_items."""
        return None

    def filter_items(self, items: list[Item], query: dict[str, Any]) -> list[Item]:
        """The name search and the kind's `equal_filters`; a kind with filters of its own extends this."""
        needle = (query.get("search") or "").strip().lower()
        if needle:
            items = [i for i in items if needle in (i.get("name") or "").lower()]
        for param, field in self.equal_filters.items():
            if query.get(param):
                items = [i for i in items if i[field] == query[param]]
        return items

    def sort_key(self) -> Callable[[Item], Any]:
        return _sort_key

    def get_raw(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        return generic.get_object(self.cluster, self.registry_kind, name=name, namespace=namespace)

    def get_detail(self, *, name: str, namespace: str | None = None) -> Item:
        """The detail dict of one object (the registry's detail shaper of the raw object)."""
        return registry.detail_shaper(self.registry_kind)(self.get_raw(name=name, namespace=namespace))

    def serialize_items(self, page: list[Item]) -> list[Any]:
        assert self.item_serializer is not None
        return list(self.item_serializer(page, many=True).data)

    def serialize_detail(self, detail: Item) -> Any:
        serializer = self.detail_serializer or self.item_serializer
        assert serializer is not None
        return serializer(detail).data

    # --- actions -------------------------------------------------------------------------------

    def list(self, request: Request, cluster_id: str, namespace: str | None = None) -> Response:
        query = self.query()
        namespaced = self.registry_kind.namespaced if self.kind else True
        wanted = (namespace or query.get("namespace") or None) if namespaced else None
        allowed = self.list_scope(wanted) if namespaced else None
        ready = self.sorted_rows(namespace=wanted, query=query, allowed=allowed)
        if ready is not None:
            return self.paginated(ready)
        items, note = self.list_items(namespace=wanted, query=query)
        items = sorted(self.narrow(items, allowed), key=self.sort_key())
        return self.paginated(items, note)

    def paginated(self, items: list[Item], note: str | None = None) -> Response:
        paginator = EnvelopePagination()
        page = paginator.paginate_queryset(items, self.request)
        body = paginator.page_body(self.serialize_items(page))
        return ok(body, message=note) if note else Response(body)

    def retrieve(self, request: Request, cluster_id: str, name: str, namespace: str | None = None) -> Response:
        return Response(self.serialize_detail(self.get_detail(name=name, namespace=namespace)))


def kind_urls(viewset: type[ClusterScopedViewSet], *, name: str | None = None, prefix: str = "",
              all_namespaces: bool = True) -> list[URLPattern]:
    """The routes of a viewset's kind (see the module docstring); `name` prefixes the route names."""
    assert viewset.kind is not None
    kind = registry.get(viewset.kind)
    name = name or kind.singular
    base = f"{prefix}clusters/<str:cluster_id>"

    def methods(pairs: dict[str, str]) -> dict[str, str]:
        return {http: action for http, action in pairs.items()
                if hasattr(viewset, action) and kind.allows(ACTION_VERBS[action])}

    collection = methods({"get": "list", "post": "create"})
    one = methods({"get": "retrieve", "put": "update", "delete": "destroy"})
    routes: list[URLPattern] = []
    if kind.namespaced:
        if all_namespaces and "get" in collection:
            routes.append(path(f"{base}/{kind.plural}", viewset.as_view({"get": "list"}), name=f"{name}-list"))
        if collection:
            routes.append(path(f"{base}/namespaces/<str:namespace>/{kind.plural}", viewset.as_view(collection),
                               name=f"{name}-namespaced-list"))
        if one:
            routes.append(path(f"{base}/namespaces/<str:namespace>/{kind.plural}/<str:name>",
                               viewset.as_view(one), name=f"{name}-detail"))
    else:
        if collection:
            routes.append(path(f"{base}/{kind.plural}", viewset.as_view(collection), name=f"{name}-list"))
        if one:
            routes.append(path(f"{base}/{kind.plural}/<str:name>", viewset.as_view(one), name=f"{name}-detail"))
    return routes
