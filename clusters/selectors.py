"""Reads of cluster records. Other apps resolve the `<cluster_id>` of their URLs here."""
from __future__ import annotations

from django.db.models import QuerySet

from clusters.models import Cluster
from common.errors import NotFound
from kube import cache


def get_cluster(*, cluster_id: str | int) -> Cluster:
    """The cluster with this id; an unknown or non-numeric id is a 404 (never a 500)."""
    try:
        pk = int(str(cluster_id).strip())
    except (TypeError, ValueError):
        raise NotFound(f"Cluster {cluster_id} not found") from None
    if not 0 < pk < 2**63:  # out of the column's range: would overflow the database driver
        raise NotFound(f"Cluster {cluster_id} not found")
    cluster = Cluster.objects.filter(pk=pk).first()
    if cluster is None:
        raise NotFound(f"Cluster {cluster_id} not found")
    return cluster


def cluster_list(*, search: str | None = None, only_ids: set[int] | None = None) -> QuerySet[Cluster]:
    """Clusters ordered by name, optionally those whose name contains `search` (case-insensitive);
    `only_ids` (a scoped user's granted clusters) narrows the list before it is paginated."""
    clusters = Cluster.objects.order_by("name", "pk")
    if only_ids is not None:
        clusters = clusters.filter(pk__in=only_ids)
    if search:
        clusters = clusters.filter(name__icontains=search.strip())
    return clusters


def cache_state(*, cluster: Cluster) -> dict[str, cache.CacheState]:
    """The watch caches this process runs for the cluster, by resource; empty when none runs here (cache off,
    nothing read yet, or stopped after KUBE_WATCH_CACHE_IDLE_SECONDS). Other processes keep their own."""
    return cache.cluster_states(cluster.pk)
