"""Shared by the Services, Ingress, storage, Event and HPA tests: URLs, every page of a list, kubectl's names."""
from __future__ import annotations

from typing import Any

from tests.api_mixins import assert_envelope
from tests.pods.helpers import Kubectl, all_pages

__all__ = ["Kubectl", "all_pages", "assert_envelope", "detail", "kubectl_names", "listed", "url"]


def url(cluster: Any, plural: str, namespace: str | None = None, name: str | None = None) -> str:
    base = f"/api/clusters/{cluster.pk}"
    if namespace:
        base += f"/namespaces/{namespace}"
    base += f"/{plural}"
    return f"{base}/{name}" if name else base


def listed(client: Any, cluster: Any, plural: str, namespace: str | None = None, **params: Any) -> list[dict]:
    """Every item of the list (page by page)."""
    return all_pages(client, url(cluster, plural, namespace), **params)


def detail(client: Any, cluster: Any, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
    return assert_envelope(client.get(url(cluster, plural, namespace, name)), 200)["data"]


def kubectl_names(kubectl: Kubectl, plural: str, *args: str) -> list[tuple[str | None, str]]:
    """(namespace, name) of every object `kubectl get <plural> -A` returns (namespace None when cluster-scoped)."""
    items = kubectl.json("get", plural, *args)["items"]
    return sorted(((i["metadata"].get("namespace"), i["metadata"]["name"]) for i in items),
                  key=lambda k: (k[0] or "", k[1]))
