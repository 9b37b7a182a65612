"""Resource objects for the registry kinds served by the generic cluster API (docs/architecture.md, "How to add
a kind"): one object per kind, shaped like `PodsAPI`. `KindAPI` holds what every kind shares (list, iter_all,
get); a kind adds its writes and actions.

    client.configmaps(cluster_id).list(namespace="shop", label_selector="app=web")
    client.secrets(cluster_id).get("shop", "db")          # keys and value lengths, never values
    client.secrets(cluster_id).reveal("shop", "db")       # the values (admins by default; audited)
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypedDict, cast

from kubepolaris.sdk.pages import Page, iterate_pages
from kubepolaris.sdk.transport import Transport, segment


class Namespace(TypedDict, total=False):
    name: str
    status: str
    labels: dict[str, str]
    pods: int
    workloadsReady: int
    workloadsUnready: int
    createdAt: str


class NamespaceDetail(Namespace, total=False):
    annotations: dict[str, str]
    resourceVersion: str


class ConfigMap(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    keys: list[str]
    createdAt: str


class ConfigMapDetail(ConfigMap, total=False):
    annotations: dict[str, str]
    immutable: bool
    resourceVersion: str
    data: dict[str, str]
    binaryKeys: list[str]


class SecretKey(TypedDict):
    name: str
    length: int


class Secret(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    type: str
    keys: list[SecretKey]
    createdAt: str


class SecretDetail(Secret, total=False):
    annotations: dict[str, str]
    immutable: bool
    resourceVersion: str


class RevealedSecret(TypedDict):
    name: str
    namespace: str
    type: str
    data: dict[str, str]
    binaryData: dict[str, str]


def _body(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


class KindAPI:
    """One kind of one cluster: `/api/clusters/:id/<plural>` and, for a namespaced kind,
    `/api/clusters/:id/namespaces/:ns/<plural>[/:name]`."""

    plural: str = ""
    namespaced: bool = True

    def __init__(self, transport: Transport, cluster_id: int | str) -> None:
        self._t = transport
        self._cluster = f"/api/clusters/{segment(cluster_id)}"

    def _collection(self, namespace: str | None = None) -> str:
        if self.namespaced and namespace:
            return f"{self._cluster}/namespaces/{segment(namespace)}/{self.plural}"
        return f"{self._cluster}/{self.plural}"

    def _object(self, namespace: str | None, name: str) -> str:
        return f"{self._collection(namespace)}/{segment(name)}"

    def list(self, namespace: str | None = None, search: str | None = None, label_selector: str | None = None,
             page: int = 1, page_size: int = 20, **filters: Any) -> Page[Any]:
        """One page, sorted by namespace then name; `filters` are the kind's own (e.g. `type` of secrets)."""
        params: Mapping[str, Any] = {"search": search, "labelSelector": label_selector, "page": page,
                                     "pageSize": page_size, **filters}
        return Page.from_data(self._t.request("GET", self._collection(namespace), params=params))

    def iter_all(self, namespace: str | None = None, search: str | None = None, label_selector: str | None = None,
                 page_size: int = 100, **filters: Any) -> Iterator[Any]:
        return iterate_pages(lambda p, s: self.list(namespace=namespace, search=search, label_selector=label_selector,
                                                    page=p, page_size=s, **filters), page_size)


class NamespacesAPI(KindAPI):
    """`/api/clusters/:id/namespaces[/:name]`: list (with pod and workload counts), get, create, delete."""

    plural = "namespaces"
    namespaced = False

    def list(self, search: str | None = None, label_selector: str | None = None,  # type: ignore[override]
             status: str | None = None, page: int = 1, page_size: int = 20) -> Page[Namespace]:
        return super().list(search=search, label_selector=label_selector, status=status, page=page,
                            page_size=page_size)

    def iter_all(self, search: str | None = None, label_selector: str | None = None,  # type: ignore[override]
                 status: str | None = None, page_size: int = 100) -> Iterator[Namespace]:
        return iterate_pages(lambda p, s: self.list(search=search, label_selector=label_selector, status=status,
                                                    page=p, page_size=s), page_size)

    def get(self, name: str) -> NamespaceDetail:
        return cast(NamespaceDetail, self._t.request("GET", self._object(None, name)))

    def create(self, name: str, labels: Mapping[str, str] | None = None) -> NamespaceDetail:
        body = _body(name=name, labels=dict(labels) if labels is not None else None)
        return cast(NamespaceDetail, self._t.request("POST", self._collection(), json=body, idempotent=False))

    def delete(self, name: str, confirm: str | None = None) -> None:
        """Delete the namespace and everything in it; `confirm` must repeat `name` (else a BadRequestError that
        says what would be deleted)."""
        self._t.request("DELETE", self._object(None, name), params={"confirm": confirm})


class ConfigMapsAPI(KindAPI):
    """ConfigMaps of one cluster: list (`key` filter), get (with data), create, update, delete."""

    plural = "configmaps"

    def list(self, namespace: str | None = None, search: str | None = None,  # type: ignore[override]
             label_selector: str | None = None, key: str | None = None, page: int = 1,
             page_size: int = 20) -> Page[ConfigMap]:
        return super().list(namespace=namespace, search=search, label_selector=label_selector, key=key, page=page,
                            page_size=page_size)

    def get(self, namespace: str, name: str) -> ConfigMapDetail:
        return cast(ConfigMapDetail, self._t.request("GET", self._object(namespace, name)))

    def create(self, namespace: str, name: str, data: Mapping[str, str] | None = None,
               labels: Mapping[str, str] | None = None) -> ConfigMapDetail:
        body = _body(name=name, data=dict(data or {}), labels=dict(labels) if labels is not None else None)
        return cast(ConfigMapDetail, self._t.request("POST", self._collection(namespace), json=body,
                                                     idempotent=False))

    def update(self, namespace: str, name: str, data: Mapping[str, str], resource_version: str,
               labels: Mapping[str, str] | None = None) -> ConfigMapDetail:
        """Replace the data; `resource_version` is the one you read (a newer one raises ConflictError)."""
        body = _body(data=dict(data), resourceVersion=resource_version,
                     labels=dict(labels) if labels is not None else None)
        return cast(ConfigMapDetail, self._t.request("PUT", self._object(namespace, name), json=body))

    def delete(self, namespace: str, name: str) -> None:
        self._t.request("DELETE", self._object(namespace, name))


class SecretsAPI(KindAPI):
    """Secrets of one cluster: type, keys and value lengths, never values; `reveal` returns the values."""

    plural = "secrets"

    def list(self, namespace: str | None = None, search: str | None = None,  # type: ignore[override]
             label_selector: str | None = None, key: str | None = None, type: str | None = None,  # noqa: A002
             page: int = 1, page_size: int = 20) -> Page[Secret]:
        return super().list(namespace=namespace, search=search, label_selector=label_selector, key=key, type=type,
                            page=page, page_size=page_size)

    def get(self, namespace: str, name: str) -> SecretDetail:
        return cast(SecretDetail, self._t.request("GET", self._object(namespace, name)))

    def create(self, namespace: str, name: str, data: Mapping[str, str], type: str | None = None,  # noqa: A002
               labels: Mapping[str, str] | None = None) -> SecretDetail:
        """Create from plain-text values (the answer shows their lengths only)."""
        body = _body(name=name, data=dict(data), type=type, labels=dict(labels) if labels is not None else None)
        return cast(SecretDetail, self._t.request("POST", self._collection(namespace), json=body, idempotent=False))

    def update(self, namespace: str, name: str, data: Mapping[str, str], resource_version: str,
               labels: Mapping[str, str] | None = None) -> SecretDetail:
        body = _body(data=dict(data), resourceVersion=resource_version,
                     labels=dict(labels) if labels is not None else None)
        return cast(SecretDetail, self._t.request("PUT", self._object(namespace, name), json=body))

    def delete(self, namespace: str, name: str) -> None:
        self._t.request("DELETE", self._object(namespace, name))

    def reveal(self, namespace: str, name: str) -> RevealedSecret:
        """The values (text in `data`, anything else base64 in `binaryData`): admins, or SECRET_REVEAL_ROLES."""
        return cast(RevealedSecret, self._t.request("POST", f"{self._object(namespace, name)}/reveal",
                                                    idempotent=False))
