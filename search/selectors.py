"""Cross-cluster search: object names and labels, in every cluster the user may see, at once.

    hits, errors = search(user=request.user, query="web", kinds=["pod"], cluster_id=None, namespace=None)

What matches (case matters only for `key=value`):
- the object's name contains `q` (case-insensitive);
- `q` is `key=value` and the object has exactly that label;
- a label value contains `q` (case-insensitive). Label keys alone are not matched: nearly every object has
  `app`, and a search for it would answer everything.

Who sees what (accounts.access): an unscoped user searches every cluster; a scoped user only granted clusters
and, in each, only granted namespaces (a whole-cluster grant: all of them); nodes only with a whole-cluster
grant. `namespace` narrows namespaced kinds and leaves out nodes (they live in none).

How: the access decision is made first, in the request's thread (it reads the database); then each cluster is
searched in a worker of a small per-search thread pool (SEARCH_MAX_WORKERS), which never touches the database.
Every cluster has one deadline, SEARCH_CLUSTER_TIMEOUT from the start of the search: a cluster that has not
answered by then becomes an entry of `errors`, and the search answers with the others. Each kind is read from
its watch cache when that cache has finished its first list (kube.cache.warm); otherwise directly, with the
request's timeouts cut to what is left of the deadline. A cold cache is started by the search (so the next
search is answered from memory) but never waited for: its initial list of thousands of pods can take seconds.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts.access import is_scoped, rights_of
from clusters.models import Cluster
from clusters.nodes.shapes import node_status
from clusters.selectors import cluster_list, get_cluster
from common.errors import AppError, ClusterTimeout, NotFound
from kube import cache, gateway
from kube.cache_rows import Record, row_function
from kube.raw import read_json
from pods.selectors import list_pods_directly
from pods.status import pod_status
from workloads.selectors import KINDS as WORKLOAD_KINDS
from workloads.selectors import list_kind_directly

Obj = dict[str, Any]
# an object and the lower-case text its name and label values are searched in; or a lean cache's record (the
# record's label set carries the text of its values, shared by every object with the same labels)
Indexed = tuple[Obj, str] | tuple[Record, None]


@dataclass(frozen=True)
class SearchKind:
    """One kind the search knows: its Kubernetes Kind, watch-cache resource, STATUS and direct list."""

    kind: str
    resource: str
    namespaced: bool
    status: Callable[[Obj], str]
    direct: Callable[[Cluster, str | None, tuple[float, float]], list[Obj]]


def _list_pods(cluster: Cluster, namespace: str | None, timeout: tuple[float, float]) -> list[Obj]:
    return list_pods_directly(cluster, namespace, timeout=timeout)


def _list_nodes(cluster: Cluster, namespace: str | None, timeout: tuple[float, float]) -> list[Obj]:
    body = read_json(cluster, gateway.core_v1(cluster).list_node, _request_timeout=timeout)
    return (body or {}).get("items") or []


def _workload_lister(key: str) -> Callable[[Cluster, str | None, tuple[float, float]], list[Obj]]:
    kind = WORKLOAD_KINDS[key]
    return lambda cluster, namespace, timeout: list_kind_directly(cluster, kind, namespace, timeout=timeout)


# The kinds, in the order `kinds` is documented; keys are what the query parameter accepts.
KINDS: dict[str, SearchKind] = {
    "pod": SearchKind("Pod", "pods", True, pod_status, _list_pods),
    **{key: SearchKind(w.kind, f"{key}s", True, w.status, _workload_lister(key)) for key, w in WORKLOAD_KINDS.items()},
    "node": SearchKind("Node", "nodes", False, node_status, _list_nodes),
}


@dataclass
class ClusterScope:
    """What one cluster is searched for: which kinds, and in which namespaces (None: all of them)."""

    cluster: Cluster
    kinds: list[str]
    namespaces: set[str] | None


@dataclass(frozen=True)
class Matcher:
    """Does an object match `q`? Names and label values by substring (any case), or one `key=value` label."""

    needle: str
    label: tuple[str, str] | None

    @classmethod
    def of(cls, query: str) -> Matcher:
        key, sep, value = query.partition("=")
        return cls(query.lower().replace("\0", ""), (key, value) if sep and key else None)

    def __call__(self, entry: Indexed) -> bool:
        obj, haystack = entry
        if haystack is None:  # a record
            record: Record = obj  # type: ignore[assignment]
            if self.needle in record.key[1].lower() or self.needle in record.labelset.text:
                return True
            labels = record.labelset.labels
        else:
            if self.needle in haystack:
                return True
            labels = (obj.get("metadata") or {}).get("labels") or {}  # type: ignore[union-attr]
        return self.label is not None and labels.get(self.label[0]) == self.label[1]


def indexed(obj: Obj) -> Indexed:
    """The object with what substrings are looked for in: its name and label values, lower case, NUL-separated.

    A pure function of the object, so the watch cache computes it once per object version (cache.derive):
    a warm search then costs one `in` per object.
    """
    metadata = obj.get("metadata") or {}
    values = (metadata.get("labels") or {}).values()
    return obj, "\0".join([(metadata.get("name") or "").lower(), *(str(v).lower() for v in values)])


def plan(*, user: Any, kinds: list[str], cluster_id: int | None = None,
         namespace: str | None = None) -> list[ClusterScope]:
    """The clusters to search and, per cluster, the kinds and namespaces this user may see (database reads).

    A `cluster_id` the user may not see is a 404, as everywhere else (accounts.access).
    """
    scoped = is_scoped(user)
    rights = rights_of(user) if scoped else {}
    if cluster_id is not None:
        cluster = get_cluster(cluster_id=cluster_id)
        if scoped and cluster.pk not in rights:
            raise NotFound(f"Cluster {cluster_id} not found")
        clusters: Iterable[Cluster] = [cluster]
    else:
        clusters = cluster_list(only_ids=set(rights) if scoped else None)
    wanted = {namespace} if namespace else None
    scopes = []
    for cluster in clusters:
        allowed, searched = wanted, list(kinds)
        if namespace:
            searched = [k for k in searched if KINDS[k].namespaced]
        if scoped:
            held = rights[cluster.pk]
            if not held.whole:
                granted = set(held.namespaces)
                allowed = granted if wanted is None else wanted & granted
                searched = [k for k in searched if KINDS[k].namespaced]
        if searched and (allowed is None or allowed):
            scopes.append(ClusterScope(cluster, searched, allowed))
    return scopes


def _hit(cluster: Cluster, kind: SearchKind, obj: Obj | Record) -> Obj:
    if isinstance(obj, Record):
        return {"clusterId": cluster.pk, "clusterName": cluster.name, "kind": kind.kind,
                "namespace": obj.namespace if kind.namespaced else None, "name": obj.name, "status": obj.status}
    metadata = obj.get("metadata") or {}
    return {"clusterId": cluster.pk, "clusterName": cluster.name, "kind": kind.kind,
            "namespace": metadata.get("namespace") if kind.namespaced else None,
            "name": metadata.get("name"), "status": kind.status(obj)}


def _objects(cluster: Cluster, kind: SearchKind, namespace: str | None, deadline: float) -> list[Indexed]:
    """From the watch cache when it is warm, else a direct list whose timeouts end with the deadline."""

    def direct() -> list[Obj]:
        left = max(0.05, deadline - time.monotonic())
        return kind.direct(cluster, namespace, (left, left))

    if cache.warm(cluster, kind.resource):
        if row_function(kind.resource) is not None:  # a lean cache: its records, with their STATUS
            found = cache.records(cluster, kind.resource, namespace=namespace)
            if found is not None:
                return [(record, None) for record in found]
            return [indexed(obj) for obj in direct()]
        return cache.list_objects(cluster, kind.resource, namespace=namespace, fallback=direct, transform=indexed)
    return [indexed(obj) for obj in direct()]


def search_cluster(scope: ClusterScope, matches: Matcher, deadline: float) -> list[Obj]:
    """The hits in one cluster (runs in a worker thread: no database access here)."""
    hits: list[Obj] = []
    one_namespace = next(iter(scope.namespaces)) if scope.namespaces is not None and len(scope.namespaces) == 1 \
        else None
    for key in scope.kinds:
        kind = KINDS[key]
        if time.monotonic() >= deadline:
            raise ClusterTimeout(f"Cluster '{scope.cluster.name}' did not answer in time")
        for entry in _objects(scope.cluster, kind, one_namespace if kind.namespaced else None, deadline):
            if matches(entry):
                obj = entry[0]
                namespace = obj.namespace if isinstance(obj, Record) else (obj.get("metadata") or {}).get("namespace")
                if scope.namespaces is None or namespace in scope.namespaces:
                    hits.append(_hit(scope.cluster, kind, obj))
    return hits


def _message(exc: BaseException) -> str:
    if isinstance(exc, AppError):
        return str(exc.detail)
    return f"{type(exc).__name__} while searching"  # never a traceback or an internal detail


def search(*, scopes: list[ClusterScope], query: str) -> tuple[list[Obj], list[Obj]]:
    """(hits sorted by cluster name, kind, namespace, name; per-cluster errors sorted by cluster name).

    Every cluster gets SEARCH_CLUSTER_TIMEOUT seconds from now; the call returns by then (plus scheduling).
    """
    timeout = float(settings.SEARCH_CLUSTER_TIMEOUT)
    deadline = time.monotonic() + timeout
    matches = Matcher.of(query)
    hits: list[Obj] = []
    errors: list[Obj] = []
    if not scopes:
        return hits, errors
    pool = ThreadPoolExecutor(max_workers=max(1, min(int(settings.SEARCH_MAX_WORKERS), len(scopes))),
                              thread_name_prefix="search")
    try:
        futures: dict[Future[list[Obj]], ClusterScope] = {
            pool.submit(search_cluster, scope, matches, deadline): scope for scope in scopes}
        done, pending = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        for future in done:
            try:
                hits.extend(future.result())
            except Exception as exc:  # noqa: BLE001 - one cluster's failure is an entry of `errors`
                errors.append(_error(futures[future].cluster, _message(exc)))
        for future in pending:
            errors.append(_error(futures[future].cluster,
                                 f"Cluster '{futures[future].cluster.name}' did not answer within {timeout:g} s"))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # stragglers end by their own (deadline-bound) timeouts
    hits.sort(key=lambda h: (h["clusterName"], h["kind"], h["namespace"] or "", h["name"] or ""))
    errors.sort(key=lambda e: (e["clusterName"], e["clusterId"]))
    return hits, errors


def _error(cluster: Cluster, message: str) -> Obj:
    return {"clusterId": cluster.pk, "clusterName": cluster.name, "message": message}
