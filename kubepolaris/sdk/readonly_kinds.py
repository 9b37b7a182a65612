"""Read-only kinds of one cluster: Services, Ingresses, PersistentVolumeClaims, PersistentVolumes, StorageClasses,
Events and HorizontalPodAutoscalers. Same shape as the other groups: `list` (one `Page`), `iter_all`, `get`.

    services = client.services(cluster_id).list(namespace="shop", no_ready_endpoints=True)
    claim = client.persistentvolumeclaims(cluster_id).get("shop", "media")
    warnings = client.events(cluster_id).list(type="Warning", since="10m")

A cluster that does not serve a kind's API group lists an empty page.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict, cast

from kubepolaris.sdk.kinds import KindAPI
from kubepolaris.sdk.pages import Page, iterate_pages


class ServicePort(TypedDict, total=False):
    name: str | None
    protocol: str
    port: int
    targetPort: int | str | None
    nodePort: int | None


class Service(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    createdAt: str | None
    type: str
    clusterIP: str | None
    externalIPs: list[str]
    loadBalancerIngress: list[str]
    externalName: str | None
    ports: list[ServicePort]
    selector: dict[str, str]
    readyEndpoints: int | None
    notReadyEndpoints: int | None


class ServiceDetail(Service, total=False):
    uid: str | None
    annotations: dict[str, str]
    resourceVersion: str | None
    clusterIPs: list[str]
    endpoints: list[dict[str, Any]]


class Ingress(TypedDict, total=False):
    name: str
    namespace: str
    ingressClass: str | None
    hosts: list[str]
    paths: list[dict[str, Any]]
    defaultBackend: dict[str, Any] | None
    tls: list[dict[str, Any]]
    addresses: list[str]


class PersistentVolumeClaim(TypedDict, total=False):
    name: str
    namespace: str
    status: str | None
    phase: str | None
    capacity: str | None
    requested: str | None
    accessModes: list[str]
    storageClass: str | None
    volumeName: str | None
    usedBy: list[str]


class PersistentVolume(TypedDict, total=False):
    name: str
    status: str | None
    phase: str | None
    capacity: str | None
    accessModes: list[str]
    reclaimPolicy: str | None
    storageClass: str | None
    claim: dict[str, str] | None


class StorageClass(TypedDict, total=False):
    name: str
    provisioner: str | None
    reclaimPolicy: str
    volumeBindingMode: str
    allowVolumeExpansion: bool
    isDefault: bool


class ClusterEvent(TypedDict, total=False):
    name: str
    namespace: str
    type: str | None
    reason: str | None
    message: str | None
    involvedKind: str | None
    involvedName: str | None
    involvedNamespace: str | None
    source: str | None
    count: int
    firstSeen: str | None
    lastSeen: str | None


class HorizontalPodAutoscaler(TypedDict, total=False):
    name: str
    namespace: str
    target: dict[str, str | None]
    minReplicas: int
    maxReplicas: int | None
    currentReplicas: int | None
    desiredReplicas: int | None
    atMax: bool
    metrics: list[dict[str, Any]]
    conditions: list[dict[str, Any]]


class _Kind(KindAPI):
    """One kind of one cluster (`KindAPI`), with typed `list` signatures naming the kind's own filters."""

    def _list(self, namespace: str | None, params: dict[str, Any]) -> Page[Any]:
        return Page.from_data(self._t.request("GET", self._collection(namespace), params=params))

    def _get(self, namespace: str | None, name: str) -> Any:
        return self._t.request("GET", self._object(namespace, name))


def _params(search: str | None, label_selector: str | None, page: int, page_size: int,
            **filters: Any) -> dict[str, Any]:
    return {"search": search, "labelSelector": label_selector, "page": page, "pageSize": page_size, **filters}


class ServicesAPI(_Kind):
    """`/api/clusters/:id/[namespaces/:ns/]services`: with ready/not-ready endpoint counts."""

    plural = "services"

    def list(self, namespace: str | None = None, *, type: str | None = None,  # noqa: A002
             no_ready_endpoints: bool | None = None, search: str | None = None, label_selector: str | None = None,
             page: int = 1, page_size: int = 20) -> Page[Service]:
        """One page; `type` ClusterIP|NodePort|LoadBalancer|ExternalName, `no_ready_endpoints=True` for the broken."""
        return self._list(namespace, _params(search, label_selector, page, page_size, type=type,
                                             noReadyEndpoints=no_ready_endpoints))

    def iter_all(self, namespace: str | None = None, *, page_size: int = 100, **filters: Any) -> Iterator[Service]:
        return iterate_pages(lambda p, s: self.list(namespace, page=p, page_size=s, **filters), page_size)

    def get(self, namespace: str, name: str) -> ServiceDetail:
        return cast(ServiceDetail, self._get(namespace, name))


class IngressesAPI(_Kind):
    """`/api/clusters/:id/[namespaces/:ns/]ingresses`."""

    plural = "ingresses"

    def list(self, namespace: str | None = None, *, ingress_class: str | None = None, search: str | None = None,
             label_selector: str | None = None, page: int = 1, page_size: int = 20) -> Page[Ingress]:
        return self._list(namespace, _params(search, label_selector, page, page_size, ingressClass=ingress_class))

    def iter_all(self, namespace: str | None = None, *, page_size: int = 100, **filters: Any) -> Iterator[Ingress]:
        return iterate_pages(lambda p, s: self.list(namespace, page=p, page_size=s, **filters), page_size)

    def get(self, namespace: str, name: str) -> Ingress:
        return cast(Ingress, self._get(namespace, name))


class PersistentVolumeClaimsAPI(_Kind):
    """`/api/clusters/:id/[namespaces/:ns/]persistentvolumeclaims`: with the pods using each claim."""

    plural = "persistentvolumeclaims"

    def list(self, namespace: str | None = None, *, phase: str | None = None, search: str | None = None,
             label_selector: str | None = None, page: int = 1, page_size: int = 20) -> Page[PersistentVolumeClaim]:
        """One page; `phase` Pending|Bound|Lost."""
        return self._list(namespace, _params(search, label_selector, page, page_size, phase=phase))

    def iter_all(self, namespace: str | None = None, *, page_size: int = 100,
                 **filters: Any) -> Iterator[PersistentVolumeClaim]:
        return iterate_pages(lambda p, s: self.list(namespace, page=p, page_size=s, **filters), page_size)

    def get(self, namespace: str, name: str) -> PersistentVolumeClaim:
        return cast(PersistentVolumeClaim, self._get(namespace, name))


class PersistentVolumesAPI(_Kind):
    """`/api/clusters/:id/persistentvolumes` (cluster-scoped)."""

    plural = "persistentvolumes"
    namespaced = False

    def list(self, *, phase: str | None = None, storage_class: str | None = None, search: str | None = None,
             label_selector: str | None = None, page: int = 1, page_size: int = 20) -> Page[PersistentVolume]:
        """One page; `phase` Pending|Available|Bound|Released|Failed."""
        return self._list(None, _params(search, label_selector, page, page_size, phase=phase,
                                        storageClass=storage_class))

    def iter_all(self, *, page_size: int = 100, **filters: Any) -> Iterator[PersistentVolume]:
        return iterate_pages(lambda p, s: self.list(page=p, page_size=s, **filters), page_size)

    def get(self, name: str) -> PersistentVolume:
        return cast(PersistentVolume, self._get(None, name))


class StorageClassesAPI(_Kind):
    """`/api/clusters/:id/storageclasses` (cluster-scoped)."""

    plural = "storageclasses"
    namespaced = False

    def list(self, *, search: str | None = None, label_selector: str | None = None, page: int = 1,
             page_size: int = 20) -> Page[StorageClass]:
        return self._list(None, _params(search, label_selector, page, page_size))

    def iter_all(self, *, page_size: int = 100, **filters: Any) -> Iterator[StorageClass]:
        return iterate_pages(lambda p, s: self.list(page=p, page_size=s, **filters), page_size)

    def get(self, name: str) -> StorageClass:
        return cast(StorageClass, self._get(None, name))


class EventsAPI(_Kind):
    """`/api/clusters/:id/[namespaces/:ns/]events`, newest first."""

    plural = "events"

    def list(self, namespace: str | None = None, *, type: str | None = None,  # noqa: A002
             reason: str | None = None, involved_kind: str | None = None, involved_name: str | None = None,
             since: str | None = None, search: str | None = None, label_selector: str | None = None, page: int = 1,
             page_size: int = 20) -> Page[ClusterEvent]:
        """One page; `type` Normal|Warning; `since` an RFC 3339 time or a duration before now (`10m`, `2h`)."""
        return self._list(namespace, _params(search, label_selector, page, page_size, type=type, reason=reason,
                                             involvedKind=involved_kind, involvedName=involved_name, since=since))

    def iter_all(self, namespace: str | None = None, *, page_size: int = 100,
                 **filters: Any) -> Iterator[ClusterEvent]:
        return iterate_pages(lambda p, s: self.list(namespace, page=p, page_size=s, **filters), page_size)

    def get(self, namespace: str, name: str) -> ClusterEvent:
        return cast(ClusterEvent, self._get(namespace, name))


class HorizontalPodAutoscalersAPI(_Kind):
    """`/api/clusters/:id/[namespaces/:ns/]horizontalpodautoscalers` (autoscaling/v2)."""

    plural = "horizontalpodautoscalers"

    def list(self, namespace: str | None = None, *, at_max: bool | None = None, search: str | None = None,
             label_selector: str | None = None, page: int = 1,
             page_size: int = 20) -> Page[HorizontalPodAutoscaler]:
        """One page; `at_max=True`: only autoscalers running their maximum replicas."""
        return self._list(namespace, _params(search, label_selector, page, page_size, atMax=at_max))

    def iter_all(self, namespace: str | None = None, *, page_size: int = 100,
                 **filters: Any) -> Iterator[HorizontalPodAutoscaler]:
        return iterate_pages(lambda p, s: self.list(namespace, page=p, page_size=s, **filters), page_size)

    def get(self, namespace: str, name: str) -> HorizontalPodAutoscaler:
        return cast(HorizontalPodAutoscaler, self._get(namespace, name))
