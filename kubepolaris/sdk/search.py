"""`GET /api/search` (contract §14): find objects by name or label across every cluster you may see."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypedDict

from kubepolaris.sdk.pages import Page
from kubepolaris.sdk.transport import Transport

SearchKind = Literal["pod", "deployment", "statefulset", "daemonset", "job", "cronjob", "node"]


class SearchHit(TypedDict):
    clusterId: int
    clusterName: str
    kind: str
    namespace: str | None
    name: str
    status: str


class SearchError(TypedDict):
    clusterId: int
    clusterName: str
    message: str


class SearchPage(Page[SearchHit]):
    """A page of hits; `errors` lists the clusters that did not answer in time (their objects are missing)."""

    def __init__(self, items: list[SearchHit], total: int, page: int, page_size: int,
                 errors: list[SearchError]) -> None:
        super().__init__(items, total, page, page_size)
        self.errors = errors

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SearchPage:
        page = Page.from_data(data)
        return cls(list(page), page.total, page.page, page.page_size, list(data.get("errors") or []))


class SearchAPI:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def __call__(self, q: str, kinds: Iterable[SearchKind | str] | str | None = None, cluster_id: int | None = None,
                 namespace: str | None = None, page: int = 1, page_size: int = 20) -> SearchPage:
        """Hits whose name or a label value contains `q` (any case), or with the label `q` = `key=value`."""
        if kinds is not None and not isinstance(kinds, str):
            kinds = ",".join(kinds)
        params = {"q": q, "kinds": kinds, "clusterId": cluster_id, "namespace": namespace, "page": page,
                  "pageSize": page_size}
        return SearchPage.from_data(self._t.request("GET", "/api/search", params=params))
