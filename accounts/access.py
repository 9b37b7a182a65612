"""The one access decision: may this user do this, on this cluster, in this namespace?

Every cluster endpoint (REST, through clusters.api.scoped.ClusterScopedView) and both pod sockets ask
here, and nowhere else. The rules:
- an admin may do everything, everywhere;
- a user whose scope is `all` has their global role on every cluster;
- a user whose scope is `granted` sees only the clusters their grants name (any other cluster is a
  404, as if it did not exist); a whole-cluster grant gives its role on the cluster, its nodes and
  every namespace; a namespace grant gives its role in that namespace only (other namespaces are
  a 404). Cluster-wide things (nodes, cordon, drain) need a whole-cluster grant.
Lists are narrowed with `visible_namespaces` before they are paginated, so totals stay true.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accounts.models import Grant, Scope
from common.errors import NotFound, PermissionDenied
from common.permissions import RANK, Role, has_role, refusal

if TYPE_CHECKING:
    from clusters.models import Cluster


@dataclass
class ClusterRights:
    """What a scoped user holds on one cluster: a whole-cluster role and per-namespace roles."""

    whole: str | None = None
    namespaces: dict[str, str] = field(default_factory=dict)

    def role_in(self, namespace: str | None) -> str | None:
        """The best role in `namespace` (None: the cluster itself, e.g. nodes)."""
        candidates = [self.whole]
        if namespace is not None:
            candidates.append(self.namespaces.get(namespace))
        held = [role for role in candidates if role]
        return max(held, key=lambda role: RANK[Role(role)]) if held else None


def is_scoped(user: Any) -> bool:
    """True when grants, not the global role, decide what the user may reach."""
    return getattr(user, "scope", Scope.ALL) == Scope.GRANTED and getattr(user, "role", None) != Role.ADMIN


def rights_of(user: Any) -> dict[int, ClusterRights]:
    """The user's grants by cluster id: one query per user object, i.e. per request or socket (a list asks
    both `authorize` and `visible_namespaces`)."""
    cached = getattr(user, "_grant_rights", None)
    if cached is not None:
        return cached
    rights: dict[int, ClusterRights] = {}
    for grant in Grant.objects.filter(user_id=user.pk).only("cluster_id", "namespace", "role"):
        entry = rights.setdefault(grant.cluster_id, ClusterRights())
        if grant.namespace:
            entry.namespaces[grant.namespace] = grant.role
        else:
            entry.whole = grant.role
    user._grant_rights = rights
    return rights


def visible_cluster_ids(user: Any) -> set[int] | None:
    """The ids of the clusters the user may see at all; None means every cluster."""
    if not is_scoped(user):
        return None
    return set(rights_of(user))


def authorize(user: Any, *, cluster_id: Any, needed: str, what: str, namespace: str | None = None,
              cluster_wide: bool = False) -> Cluster:
    """The cluster, if `user` may do `what` (needing role `needed`) there; else NotFound or PermissionDenied.

    `namespace` is the namespace the request acts in (None: across namespaces, or a cluster-wide object);
    `cluster_wide` marks a cluster-scoped object (a node): it needs a whole-cluster grant.
    """
    from clusters.selectors import get_cluster

    if not getattr(user, "is_active", False):
        raise PermissionDenied(refusal(user, needed, what))
    if not is_scoped(user):  # the role first, as before grants existed: a viewer's write is a 403 anywhere
        if not has_role(user, needed):
            raise PermissionDenied(refusal(user, needed, what))
        return get_cluster(cluster_id=cluster_id)
    cluster = get_cluster(cluster_id=cluster_id)
    rights = rights_of(user).get(cluster.pk)
    if rights is None:
        raise NotFound(f"Cluster {cluster_id} not found")
    if namespace is not None and rights.role_in(namespace) is None:
        raise NotFound(f"Namespace '{namespace}' not found in cluster '{cluster.name}'")
    role = rights.role_in(None if cluster_wide else namespace)
    if cluster_wide and role is None:
        raise PermissionDenied(f"Permission denied: {what} needs a grant on the whole cluster '{cluster.name}'")
    if namespace is None and not cluster_wide and role is None:
        role = max(rights.namespaces.values(), key=lambda r: RANK[Role(r)], default=None)  # a list narrowed later
    if role is None or RANK[Role(role)] < RANK[Role(needed)]:
        where = f"namespace '{namespace}' of " if namespace else ""
        raise PermissionDenied(f"Permission denied: {what} requires the {needed} role in {where}cluster "
                               f"'{cluster.name}' (your grant: {role or 'none'})")
    return cluster


def visible_namespaces(user: Any, cluster: Cluster) -> set[str] | None:
    """The namespaces of `cluster` whose objects the user may list; None means all of them."""
    if not is_scoped(user):
        return None
    rights = rights_of(user).get(cluster.pk)
    if rights is None:
        return set()
    return None if rights.whole else set(rights.namespaces)
