"""Services, Ingresses, storage, Events and HorizontalPodAutoscalers: registry kinds (kube/registry.py) on the generic
`ClusterScopedViewSet`, each a few declarative lines plus the filters and joins of its own. All read-only: viewers
may read them; a scoped user sees the namespaces granted (PersistentVolumes and StorageClasses, which belong to no
namespace, need a whole-cluster grant).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema

from clusters.api.viewsets import ClusterScopedViewSet
from resources import selectors
from resources.api import serializers as s
from resources.shapes.events import newest_first

Item = dict[str, Any]


def _flag(items: list[Item], wanted: bool | None, test: Callable[[Item], bool]) -> list[Item]:
    return items if wanted is None else [i for i in items if test(i) == wanted]


@extend_schema(tags=["services"])
class ServiceViewSet(ClusterScopedViewSet):
    """Services with the ready and not-ready endpoints of their EndpointSlices."""

    kind = "services"
    query_serializer = s.ServiceListQuerySerializer
    item_serializer = s.ServiceItemSerializer
    detail_serializer = s.ServiceDetailSerializer

    equal_filters = {"type": "type"}

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[Item], str | None]:
        items, note = super().list_items(namespace=namespace, query=query)
        items = selectors.services_with_endpoints(self.cluster, items, namespace=namespace)
        items = _flag(items, query.get("noReadyEndpoints"),
                      lambda i: i["readyEndpoints"] == 0 if i["readyEndpoints"] is not None else None)
        return items, note

    def get_detail(self, *, name: str, namespace: str | None = None) -> Item:
        return selectors.service_detail(self.cluster, namespace=namespace or "", name=name)


@extend_schema(tags=["ingresses"])
class IngressViewSet(ClusterScopedViewSet):
    """Ingresses: class, hosts, paths to backends, TLS secrets and the load balancer's address."""

    kind = "ingresses"
    query_serializer = s.IngressListQuerySerializer
    item_serializer = s.IngressItemSerializer
    detail_serializer = s.IngressDetailSerializer
    equal_filters = {"ingressClass": "ingressClass"}


@extend_schema(tags=["storage"])
class PersistentVolumeClaimViewSet(ClusterScopedViewSet):
    """PersistentVolumeClaims with the pods using them."""

    kind = "persistentvolumeclaims"
    query_serializer = s.PVCListQuerySerializer
    item_serializer = s.PVCItemSerializer
    detail_serializer = s.PVCDetailSerializer
    schema_tag = "storage"
    equal_filters = {"phase": "phase"}

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[Item], str | None]:
        items, note = super().list_items(namespace=namespace, query=query)
        return selectors.claims_with_users(self.cluster, items, namespace=namespace), note

    def get_detail(self, *, name: str, namespace: str | None = None) -> Item:
        detail = super().get_detail(name=name, namespace=namespace)
        return selectors.claims_with_users(self.cluster, [detail], namespace=namespace)[0]


@extend_schema(tags=["storage"])
class PersistentVolumeViewSet(ClusterScopedViewSet):
    """PersistentVolumes (cluster-scoped)."""

    kind = "persistentvolumes"
    query_serializer = s.PVListQuerySerializer
    item_serializer = s.PVItemSerializer
    detail_serializer = s.PVDetailSerializer
    schema_tag = "storage"
    equal_filters = {"phase": "phase", "storageClass": "storageClass"}


@extend_schema(tags=["storage"])
class StorageClassViewSet(ClusterScopedViewSet):
    """StorageClasses (cluster-scoped), with the default one flagged."""

    kind = "storageclasses"
    query_serializer = s.StorageClassListQuerySerializer
    item_serializer = s.StorageClassItemSerializer
    detail_serializer = s.StorageClassDetailSerializer
    schema_tag = "storage"


@extend_schema(tags=["events"])
class EventViewSet(ClusterScopedViewSet):
    """Events, newest first: events.k8s.io/v1, or core v1 where the cluster does not serve that group."""

    kind = "events"
    query_serializer = s.EventListQuerySerializer
    item_serializer = s.EventItemSerializer
    detail_serializer = s.EventItemSerializer

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[Item], str | None]:
        items, note = super().list_items(namespace=namespace, query={**query, "search": None})
        if note:  # no events.k8s.io/v1: core v1 events, which every cluster serves
            items, note = selectors.core_events(self.cluster, namespace=namespace,
                                                label_selector=query.get("labelSelector") or None), None
        return selectors.filter_events(items, query), note

    def sort_key(self) -> Callable[[Item], Any]:
        return newest_first

    def get_detail(self, *, name: str, namespace: str | None = None) -> Item:
        return selectors.event_detail(self.cluster, namespace=namespace or "", name=name)


@extend_schema(tags=["autoscaling"])
class HorizontalPodAutoscalerViewSet(ClusterScopedViewSet):
    """HorizontalPodAutoscalers (autoscaling/v2): metrics current against target, conditions, `atMax`."""

    kind = "horizontalpodautoscalers"
    query_serializer = s.HPAListQuerySerializer
    item_serializer = s.HPAItemSerializer
    detail_serializer = s.HPADetailSerializer
    schema_tag = "autoscaling"

    def filter_items(self, items: list[Item], query: dict[str, Any]) -> list[Item]:
        return _flag(super().filter_items(items, query), query.get("atMax"), lambda i: i["atMax"])
