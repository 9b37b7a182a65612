"""The KubePolaris Python SDK.

    from kubepolaris import Client
    client = Client(base_url="https://kubepolaris.example.com", token="your-token")
    clusters = client.clusters.list()

Needs only `requests` and `websockets` (see sdk-requirements.txt); never imports Django.
Every error envelope raises `KubePolarisError` (subclasses per status, in `kubepolaris.client`).
"""
from __future__ import annotations

from typing import Any

import requests

from kubepolaris.sdk.audit import AuditAPI
from kubepolaris.sdk.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    KubePolarisError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from kubepolaris.sdk.kinds import ConfigMapsAPI, NamespacesAPI, SecretsAPI
from kubepolaris.sdk.manifests import ManifestsAPI
from kubepolaris.sdk.pages import Page
from kubepolaris.sdk.readonly_kinds import (
    EventsAPI,
    HorizontalPodAutoscalersAPI,
    IngressesAPI,
    PersistentVolumeClaimsAPI,
    PersistentVolumesAPI,
    ServicesAPI,
    StorageClassesAPI,
)
from kubepolaris.sdk.resources import (
    AuthAPI,
    ClustersAPI,
    CronJobsAPI,
    DaemonSetsAPI,
    DeploymentsAPI,
    JobsAPI,
    NodesAPI,
    PodsAPI,
    StatefulSetsAPI,
    UsersAPI,
    WorkloadsAPI,
)
from kubepolaris.sdk.search import SearchAPI, SearchKind, SearchPage
from kubepolaris.sdk.streams import ExecSession, LogStream
from kubepolaris.sdk.transport import DEFAULT_TIMEOUT, Timeout, Transport

__all__ = [
    "AuthenticationError", "BadRequestError", "Client", "ConflictError", "ExecSession", "KubePolarisError",
    "LogStream", "NotFoundError", "Page", "PermissionDeniedError", "RateLimitedError", "ServerError",
    "TransportError",
]


class Client:
    """A KubePolaris API client.

    Give it a `token`, or a `username` and `password` (it logs in on first use and refreshes the
    token before it expires, logging in again if the token was revoked). `timeout` is seconds, or
    `(connect, read)`, for every HTTP call; `retries` is how often 429/502/503 and network failures
    are retried with exponential back-off (honouring `Retry-After`; see `kubepolaris.sdk.transport`
    for which POSTs are never retried). `verify` is requests' TLS setting (False, or a CA bundle path).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retries: int = 3,
        *,
        backoff_factor: float = 0.5,
        max_retry_wait: float = 30.0,
        verify: bool | str = True,
        auto_refresh: bool | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.transport = Transport(
            base_url, token=token, username=username, password=password, timeout=timeout, retries=retries,
            backoff_factor=backoff_factor, max_retry_wait=max_retry_wait, verify=verify,
            auto_refresh=auto_refresh, session=session,
        )
        self.auth = AuthAPI(self.transport)
        self.users = UsersAPI(self.transport)
        self.clusters = ClustersAPI(self.transport)
        self.audit = AuditAPI(self.transport)
        self._search = SearchAPI(self.transport)

    @property
    def token(self) -> str | None:
        """The token in use (None before the first call of a username/password client)."""
        return self.transport.token

    def nodes(self, cluster_id: int | str) -> NodesAPI:
        """Same as `client.clusters.nodes(cluster_id)`."""
        return NodesAPI(self.transport, cluster_id)

    def workloads(self, cluster_id: int | str) -> WorkloadsAPI:
        """Workloads of every kind in one cluster."""
        return WorkloadsAPI(self.transport, cluster_id)

    def deployments(self, cluster_id: int | str, namespace: str) -> DeploymentsAPI:
        """Deployments of one namespace: get, update, delete, scale, restart, history, revision, rollback."""
        return DeploymentsAPI(self.transport, cluster_id, namespace)

    def statefulsets(self, cluster_id: int | str, namespace: str) -> StatefulSetsAPI:
        """StatefulSets of one namespace: get, delete, scale, restart, history, revision, rollback."""
        return StatefulSetsAPI(self.transport, cluster_id, namespace)

    def daemonsets(self, cluster_id: int | str, namespace: str) -> DaemonSetsAPI:
        """DaemonSets of one namespace: get, delete, restart, history, revision, rollback."""
        return DaemonSetsAPI(self.transport, cluster_id, namespace)

    def jobs(self, cluster_id: int | str, namespace: str) -> JobsAPI:
        """Jobs of one namespace: get, delete."""
        return JobsAPI(self.transport, cluster_id, namespace)

    def cronjobs(self, cluster_id: int | str, namespace: str) -> CronJobsAPI:
        """CronJobs of one namespace: get, delete, suspend, resume, trigger."""
        return CronJobsAPI(self.transport, cluster_id, namespace)
    def manifests(self, cluster_id: int | str) -> ManifestsAPI:
        """Apply manifests of any kind (server-side apply, dry-run diffs) and read any object as YAML."""
        return ManifestsAPI(self.transport, cluster_id)

    def pods(self, cluster_id: int | str) -> PodsAPI:
        """Pods of one cluster: list, get, delete, logs, events, follow_logs, exec."""
        return PodsAPI(self.transport, cluster_id)

    def namespaces(self, cluster_id: int | str) -> NamespacesAPI:
        """Namespaces of one cluster: list (with pod and workload counts), get, create, delete (confirmed)."""
        return NamespacesAPI(self.transport, cluster_id)

    def configmaps(self, cluster_id: int | str) -> ConfigMapsAPI:
        """ConfigMaps of one cluster: list, get, create, update, delete."""
        return ConfigMapsAPI(self.transport, cluster_id)

    def secrets(self, cluster_id: int | str) -> SecretsAPI:
        """Secrets of one cluster: list, get (never values), create, update, delete, reveal."""
        return SecretsAPI(self.transport, cluster_id)

    def services(self, cluster_id: int | str) -> ServicesAPI:
        """Services of one cluster, with ready/not-ready endpoint counts: list, iter_all, get."""
        return ServicesAPI(self.transport, cluster_id)

    def ingresses(self, cluster_id: int | str) -> IngressesAPI:
        """Ingresses of one cluster: list, iter_all, get."""
        return IngressesAPI(self.transport, cluster_id)

    def persistentvolumeclaims(self, cluster_id: int | str) -> PersistentVolumeClaimsAPI:
        """PersistentVolumeClaims of one cluster, with the pods using them: list, iter_all, get."""
        return PersistentVolumeClaimsAPI(self.transport, cluster_id)

    def persistentvolumes(self, cluster_id: int | str) -> PersistentVolumesAPI:
        """PersistentVolumes of one cluster: list, iter_all, get."""
        return PersistentVolumesAPI(self.transport, cluster_id)

    def storageclasses(self, cluster_id: int | str) -> StorageClassesAPI:
        """StorageClasses of one cluster: list, iter_all, get."""
        return StorageClassesAPI(self.transport, cluster_id)

    def events(self, cluster_id: int | str) -> EventsAPI:
        """Events of one cluster, newest first: list (type, reason, involved_kind, involved_name, since), get."""
        return EventsAPI(self.transport, cluster_id)

    def horizontalpodautoscalers(self, cluster_id: int | str) -> HorizontalPodAutoscalersAPI:
        """HorizontalPodAutoscalers (autoscaling/v2) of one cluster: list (at_max), iter_all, get."""
        return HorizontalPodAutoscalersAPI(self.transport, cluster_id)

    def search(self, q: str, kinds: list[SearchKind] | str | None = None, cluster_id: int | None = None,
               namespace: str | None = None, page: int = 1, page_size: int = 20) -> SearchPage:
        """Objects by name or label across every cluster you may see; `.errors` names clusters that did not answer."""
        return self._search(q, kinds=kinds, cluster_id=cluster_id, namespace=namespace, page=page,
                            page_size=page_size)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.transport.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.transport.base_url!r})"
