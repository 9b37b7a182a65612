"""The doors every cluster endpoint passes, owned by one base class so no view re-implements them.

A view mixing in `ClusterScopedView` gets, before its handler runs: authentication; the path's
namespace and name checked with Kubernetes' grammar (common.names); the cluster resolved and the
user's access decided by `accounts.access.authorize` (global role, or grants for a scoped user),
with the role the view declares for the method or action. The handler then uses `self.cluster`,
and narrows lists with `self.list_scope()` before paginating.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.request import Request

from accounts import access
from clusters.models import Cluster
from common.errors import NotFound
from common.permissions import RoleViewMixin, describe, required_role

Item = dict[str, Any]


class ClusterScopedView(RoleViewMixin):
    """Base of every view under `/api/clusters/<cluster_id>/…` (DRF APIView or ViewSet)."""

    # A cluster-scoped object (a node): a scoped user needs a grant on the whole cluster.
    cluster_wide: bool = False
    # RolePermission leaves the role to `initial` below, which knows the cluster and the namespace.
    role_checked_by_door = True
    cluster: Cluster

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, names
        self.cluster = access.authorize(
            request.user, cluster_id=kwargs["cluster_id"], namespace=kwargs.get("namespace"),
            needed=required_role(self, request.method), what=describe(self, request), cluster_wide=self.cluster_wide,
        )

    def list_scope(self, requested: str | None) -> set[str] | None:
        """The namespaces a list may show: None for all. A requested namespace outside them is a 404."""
        allowed = access.visible_namespaces(self.request.user, self.cluster)
        if requested and allowed is not None and requested not in allowed:
            raise NotFound(f"Namespace '{requested}' not found in cluster '{self.cluster.name}'")
        return None if requested else allowed

    @staticmethod
    def narrow(items: Iterable[Item], allowed: set[str] | None) -> list[Item]:
        """Only the items in `allowed` namespaces (all when None), in their order."""
        return list(items) if allowed is None else [item for item in items if item.get("namespace") in allowed]
