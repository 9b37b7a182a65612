"""Resource groups, shaped like the API (contract §2–§8). Each method is one endpoint and returns
the envelope's `data` (typed), a `Page` for paginated lists, or None where the API returns none."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import Any, cast

from kubepolaris.sdk.pages import Page, iterate_pages
from kubepolaris.sdk.streams import ExecSession, LogStream, open_socket
from kubepolaris.sdk.transport import Transport, segment
from kubepolaris.sdk.types import (
    Cluster,
    ClusterTest,
    CronJob,
    DaemonSet,
    Deployment,
    DrainResult,
    Event,
    Grant,
    Job,
    LoginResult,
    Node,
    NodeDetail,
    Pod,
    PodDetail,
    RestartResult,
    Revision,
    RevisionDetail,
    RollbackResult,
    ScaleResult,
    StatefulSet,
    SuspendResult,
    Token,
    TriggerResult,
    User,
    Workload,
    WsTicket,
)


def _body(**fields: Any) -> dict[str, Any]:
    """A request body without the arguments left as None."""
    return {key: value for key, value in fields.items() if value is not None}


def encode_kubeconfig(kubeconfig: str | bytes | Mapping[str, Any]) -> str:
    """Base64 of a kubeconfig given as YAML text, bytes or a parsed dict (JSON is valid YAML)."""
    if isinstance(kubeconfig, Mapping):
        kubeconfig = json.dumps(kubeconfig)
    raw = kubeconfig.encode() if isinstance(kubeconfig, str) else kubeconfig
    return base64.b64encode(raw).decode()


class _Group:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _page(self, path: str, params: Mapping[str, Any]) -> Page[Any]:
        return Page.from_data(self._t.request("GET", path, params=params))


class AuthAPI(_Group):
    """`/api/auth/*`: the client keeps the token these calls return."""

    def login(self, username: str, password: str) -> LoginResult:
        """Exchange credentials for a token (the client uses it from now on)."""
        return cast(LoginResult, self._t.login(username, password))

    def logout(self) -> None:
        """Revoke the current token; later calls need a new login."""
        self._t.request("POST", "/api/auth/logout", idempotent=False)
        self._t.set_token(None, None)

    def refresh(self) -> Token:
        """Swap the current token for a new one (the old one is revoked)."""
        return cast(Token, self._t.refresh())

    def me(self) -> User:
        """The user the token belongs to."""
        return cast(User, self._t.request("GET", "/api/auth/me"))

    def ws_ticket(self) -> WsTicket:
        """A single-use ticket for one WebSocket (`?ticket=`), valid for seconds: what a browser puts in a
        socket URL instead of its token. The SDK's own sockets send the token in a header and need none."""
        return cast(WsTicket, self._t.request("POST", "/api/auth/ws-ticket", idempotent=False))


class UsersAPI(_Group):
    """`/api/users` (admins only)."""

    def list(self, search: str | None = None, page: int = 1, page_size: int = 20) -> Page[User]:
        """One page of users; `search` matches username or email."""
        return self._page("/api/users", {"search": search, "page": page, "pageSize": page_size})

    def iter_all(self, search: str | None = None, page_size: int = 100) -> Iterator[User]:
        """Every user, page after page."""
        return iterate_pages(lambda p, s: self.list(search=search, page=p, page_size=s), page_size)

    def get(self, user_id: int | str) -> User:
        return cast(User, self._t.request("GET", f"/api/users/{segment(user_id)}"))

    def create(self, username: str, password: str, email: str | None = None, role: str | None = None,
               is_active: bool | None = None) -> User:
        """Create a user (`role` admin|operator|viewer, default viewer); the password is validated."""
        body = _body(username=username, password=password, email=email, role=role, isActive=is_active)
        return cast(User, self._t.request("POST", "/api/users", json=body, idempotent=False))

    def update(self, user_id: int | str, *, username: str | None = None, password: str | None = None,
               email: str | None = None, role: str | None = None, is_active: bool | None = None,
               scope: str | None = None) -> User:
        """Change the given fields only (`scope="all"` gives a scoped user back their global role everywhere)."""
        body = _body(username=username, password=password, email=email, role=role, isActive=is_active, scope=scope)
        return cast(User, self._t.request("PUT", f"/api/users/{segment(user_id)}", json=body))

    def delete(self, user_id: int | str) -> None:
        self._t.request("DELETE", f"/api/users/{segment(user_id)}")

    def grants(self, user_id: int | str) -> GrantsAPI:
        """`/api/users/:id/grants`: what a non-admin may reach, per cluster or namespace."""
        return GrantsAPI(self._t, user_id)


class GrantsAPI(_Group):
    """`/api/users/:id/grants` (admins only). Giving a grant scopes the user to their grants."""

    def __init__(self, transport: Transport, user_id: int | str) -> None:
        super().__init__(transport)
        self._base = f"/api/users/{segment(user_id)}/grants"

    def list(self, page: int = 1, page_size: int = 20) -> Page[Grant]:
        return self._page(self._base, {"page": page, "pageSize": page_size})

    def iter_all(self, page_size: int = 100) -> Iterator[Grant]:
        return iterate_pages(lambda p, s: self.list(page=p, page_size=s), page_size)

    def create(self, cluster_id: int, role: str, namespace: str | None = None) -> Grant:
        """`role` viewer|operator on the whole cluster (`namespace=None`) or on one namespace of it."""
        body = {"clusterId": cluster_id, "role": role, "namespace": namespace}
        return cast(Grant, self._t.request("POST", self._base, json=body, idempotent=False))

    def delete(self, grant_id: int | str) -> None:
        self._t.request("DELETE", f"{self._base}/{segment(grant_id)}")


class NodesAPI(_Group):
    """`/api/clusters/:id/nodes`."""

    def __init__(self, transport: Transport, cluster_id: int | str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/nodes"

    def list(self, search: str | None = None, status: str | None = None, page: int = 1,
             page_size: int = 20) -> Page[Node]:
        """One page of nodes; `status` is Ready or NotReady."""
        return self._page(self._base, {"search": search, "status": status, "page": page, "pageSize": page_size})

    def iter_all(self, search: str | None = None, status: str | None = None, page_size: int = 100) -> Iterator[Node]:
        return iterate_pages(lambda p, s: self.list(search=search, status=status, page=p, page_size=s), page_size)

    def get(self, name: str) -> NodeDetail:
        return cast(NodeDetail, self._t.request("GET", f"{self._base}/{segment(name)}"))

    def cordon(self, name: str) -> Node:
        """Mark the node unschedulable; returns the node."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/cordon", idempotent=True)

    def uncordon(self, name: str) -> Node:
        """Mark the node schedulable again; returns the node."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/uncordon", idempotent=True)

    def drain(self, name: str, *, grace_period_seconds: int | None = None, timeout_seconds: int | None = None,
              ignore_daemon_sets: bool | None = None, delete_empty_dir_data: bool | None = None,
              force: bool | None = None, dry_run: bool | None = None) -> DrainResult:
        """Cordon, then evict the node's pods as `kubectl drain` does; the result says what happened to each.

        The HTTP read timeout is stretched past `timeout_seconds`, since the server waits that long.
        """
        body = _body(gracePeriodSeconds=grace_period_seconds, timeoutSeconds=timeout_seconds,
                     ignoreDaemonSets=ignore_daemon_sets, deleteEmptyDirData=delete_empty_dir_data,
                     force=force, dryRun=dry_run)
        connect = self._t.timeout[0] if isinstance(self._t.timeout, tuple) else self._t.timeout
        read = max(300.0, float(timeout_seconds or 0) + 60.0)
        return cast(DrainResult, self._t.request("POST", f"{self._base}/{segment(name)}/drain", json=body,
                                                 idempotent=True, timeout=(connect, read)))


class ClustersAPI(_Group):
    """`/api/clusters`; `nodes(cluster_id)` for a cluster's nodes."""

    def list(self, search: str | None = None, page: int = 1, page_size: int = 20) -> Page[Cluster]:
        """One page of clusters; `search` matches the name."""
        return self._page("/api/clusters", {"search": search, "page": page, "pageSize": page_size})

    def iter_all(self, search: str | None = None, page_size: int = 100) -> Iterator[Cluster]:
        return iterate_pages(lambda p, s: self.list(search=search, page=p, page_size=s), page_size)

    def get(self, cluster_id: int | str) -> Cluster:
        return cast(Cluster, self._t.request("GET", f"/api/clusters/{segment(cluster_id)}"))

    @staticmethod
    def _fields(name: str | None, api_server: str | None, kubeconfig: str | bytes | Mapping[str, Any] | None,
                token: str | None, ca_data: str | None, description: str | None) -> dict[str, Any]:
        return _body(name=name, apiServer=api_server, description=description, token=token, caData=ca_data,
                     kubeConfig=encode_kubeconfig(kubeconfig) if kubeconfig is not None else None)

    def create(self, name: str, api_server: str, kubeconfig: str | bytes | Mapping[str, Any] | None = None, *,
               token: str | None = None, ca_data: str | None = None, description: str | None = None) -> Cluster:
        """Register a cluster from its kubeconfig (YAML text, bytes or dict; the SDK base64-encodes it),
        or from a bearer `token` (+ `ca_data`, base64 PEM)."""
        body = self._fields(name, api_server, kubeconfig, token, ca_data, description)
        return cast(Cluster, self._t.request("POST", "/api/clusters", json=body, idempotent=False))

    def update(self, cluster_id: int | str, *, name: str | None = None, api_server: str | None = None,
               kubeconfig: str | bytes | Mapping[str, Any] | None = None, token: str | None = None,
               ca_data: str | None = None, description: str | None = None) -> Cluster:
        """Change the given fields only."""
        body = self._fields(name, api_server, kubeconfig, token, ca_data, description)
        return cast(Cluster, self._t.request("PUT", f"/api/clusters/{segment(cluster_id)}", json=body))

    def delete(self, cluster_id: int | str) -> None:
        """Forget the cluster (the cluster itself is untouched)."""
        self._t.request("DELETE", f"/api/clusters/{segment(cluster_id)}")

    def test(self, cluster_id: int | str) -> ClusterTest:
        """Connect now and report `connected`, `version`, `nodeCount`, `latencyMs`, `message`."""
        return cast(ClusterTest, self._t.request("POST", f"/api/clusters/{segment(cluster_id)}/test",
                                                 idempotent=True))

    def nodes(self, cluster_id: int | str) -> NodesAPI:
        """The nodes of one cluster."""
        return NodesAPI(self._t, cluster_id)


class WorkloadsAPI(_Group):
    """`/api/clusters/:id/workloads`: deployments, statefulsets, daemonsets, jobs and cronjobs together."""

    def __init__(self, transport: Transport, cluster_id: int | str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/workloads"

    def list(self, namespace: str | None = None, type: str | None = None, search: str | None = None,  # noqa: A002
             page: int = 1, page_size: int = 20) -> Page[Workload]:
        """One page of workloads; `type` is deployment|statefulset|daemonset|job|cronjob (default all)."""
        params = {"namespace": namespace, "type": type, "search": search, "page": page, "pageSize": page_size}
        return self._page(self._base, params)

    def iter_all(self, namespace: str | None = None, type: str | None = None,  # noqa: A002
                 search: str | None = None, page_size: int = 100) -> Iterator[Workload]:
        return iterate_pages(lambda p, s: self.list(namespace=namespace, type=type, search=search, page=p,
                                                    page_size=s), page_size)


class _RolloutHistory(_Group):
    """history, revision and rollback of one namespace's workloads of a kind (`self._base` ends in the plural)."""

    _base: str

    def history(self, name: str, page: int = 1, page_size: int = 20) -> Page[Revision]:
        """One page of the rollout history, oldest revision first (as `kubectl rollout history`)."""
        return self._page(f"{self._base}/{segment(name)}/history", {"page": page, "pageSize": page_size})

    def revision(self, name: str, revision: int) -> RevisionDetail:
        """One revision's pod template and a unified diff from the current template to it."""
        return cast(RevisionDetail, self._t.request("GET", f"{self._base}/{segment(name)}/history/{int(revision)}"))

    def rollback(self, name: str, revision: int = 0) -> RollbackResult:
        """Roll back as `kubectl rollout undo --to-revision` (0: the previous revision).

        Retried on 502 only for an explicit revision: rolling back to it twice is a no-op, to "the previous"
        twice is not.
        """
        return self._t.request("POST", f"{self._base}/{segment(name)}/rollback", json={"revision": revision},
                               idempotent=revision != 0)


class _Deletable(_Group):
    """delete with a propagation policy (`self._base` ends in the plural)."""

    _base: str

    def delete(self, name: str, propagation_policy: str | None = None) -> None:
        """Delete it; `propagation_policy` is Background (the server's default here), Foreground or Orphan."""
        params = {"propagationPolicy": propagation_policy} if propagation_policy else None
        self._t.request("DELETE", f"{self._base}/{segment(name)}", params=params)


class _Restartable(_Group):
    _base: str

    def restart(self, name: str) -> RestartResult:
        """Rolling restart, as `kubectl rollout restart` (not retried on 502: it would restart twice)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/restart", idempotent=False)


class StatefulSetsAPI(_RolloutHistory, _Deletable, _Restartable):
    """`/api/clusters/:id/namespaces/:ns/statefulsets/:name`: detail, delete, scale, restart, and rollout history
    and rollback (ControllerRevisions)."""

    def __init__(self, transport: Transport, cluster_id: int | str, namespace: str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/namespaces/{segment(namespace)}/statefulsets"

    def get(self, name: str) -> StatefulSet:
        return cast(StatefulSet, self._t.request("GET", f"{self._base}/{segment(name)}"))

    def scale(self, name: str, replicas: int) -> ScaleResult:
        """Set the replica count (0 is valid)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/scale", json={"replicas": replicas},
                               idempotent=True)


class DaemonSetsAPI(_RolloutHistory, _Deletable, _Restartable):
    """`/api/clusters/:id/namespaces/:ns/daemonsets/:name`: detail, delete, restart, and rollout history and
    rollback (ControllerRevisions).

    A DaemonSet revision's `replicas` is None (no pod count per revision)."""

    def __init__(self, transport: Transport, cluster_id: int | str, namespace: str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/namespaces/{segment(namespace)}/daemonsets"

    def get(self, name: str) -> DaemonSet:
        return cast(DaemonSet, self._t.request("GET", f"{self._base}/{segment(name)}"))


class JobsAPI(_Deletable):
    """`/api/clusters/:id/namespaces/:ns/jobs/:name`: detail and delete."""

    def __init__(self, transport: Transport, cluster_id: int | str, namespace: str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/namespaces/{segment(namespace)}/jobs"

    def get(self, name: str) -> Job:
        return cast(Job, self._t.request("GET", f"{self._base}/{segment(name)}"))


class CronJobsAPI(_Deletable):
    """`/api/clusters/:id/namespaces/:ns/cronjobs/:name`: detail, delete, suspend, resume, trigger."""

    def __init__(self, transport: Transport, cluster_id: int | str, namespace: str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/namespaces/{segment(namespace)}/cronjobs"

    def get(self, name: str) -> CronJob:
        return cast(CronJob, self._t.request("GET", f"{self._base}/{segment(name)}"))

    def suspend(self, name: str) -> SuspendResult:
        """Suspend the schedule (running Jobs go on)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/suspend", idempotent=True)

    def resume(self, name: str) -> SuspendResult:
        return self._t.request("POST", f"{self._base}/{segment(name)}/resume", idempotent=True)

    def trigger(self, name: str, job_name: str | None = None) -> TriggerResult:
        """Run it now: a Job as `kubectl create job --from=cronjob/<name>` makes it, named `job_name` or
        `<name>-manual-<suffix>`. Not retried on 502 (it could run twice)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/trigger", json=_body(name=job_name),
                               idempotent=False)


class DeploymentsAPI(_RolloutHistory):
    """`/api/clusters/:id/namespaces/:ns/deployments/:name`."""

    def __init__(self, transport: Transport, cluster_id: int | str, namespace: str) -> None:
        super().__init__(transport)
        self._base = f"/api/clusters/{segment(cluster_id)}/namespaces/{segment(namespace)}/deployments"

    def get(self, name: str) -> Deployment:
        return cast(Deployment, self._t.request("GET", f"{self._base}/{segment(name)}"))

    def update(self, name: str, manifest: Mapping[str, Any] | None = None, *, yaml: str | None = None) -> Deployment:
        """Replace the Deployment with a full manifest (a dict, or YAML text via `yaml=`).

        Put `metadata.resourceVersion` in it to be told (409) when someone else changed it first.
        """
        if (manifest is None) == (yaml is None):
            raise ValueError("pass exactly one of manifest or yaml")
        body = dict(manifest) if manifest is not None else {"yaml": yaml}
        return cast(Deployment, self._t.request("PUT", f"{self._base}/{segment(name)}", json=body))

    def delete(self, name: str, propagation_policy: str | None = None) -> None:
        """Delete it; `propagation_policy` is Background (the default), Foreground or Orphan."""
        params = {"propagationPolicy": propagation_policy} if propagation_policy else None
        self._t.request("DELETE", f"{self._base}/{segment(name)}", params=params)

    def scale(self, name: str, replicas: int) -> ScaleResult:
        """Set the replica count (0 is valid)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/scale", json={"replicas": replicas},
                               idempotent=True)

    def restart(self, name: str) -> RestartResult:
        """Rolling restart, as `kubectl rollout restart` (not retried on 502: it would restart twice)."""
        return self._t.request("POST", f"{self._base}/{segment(name)}/restart", idempotent=False)


class PodsAPI(_Group):
    """`/api/clusters/:id/pods` and `/api/clusters/:id/namespaces/:ns/pods/:name[...]`, plus log and exec sockets."""

    def __init__(self, transport: Transport, cluster_id: int | str) -> None:
        super().__init__(transport)
        self._cluster = segment(cluster_id)

    def _pod(self, namespace: str, name: str) -> str:
        return f"/api/clusters/{self._cluster}/namespaces/{segment(namespace)}/pods/{segment(name)}"

    def _ws(self, namespace: str, name: str, what: str) -> str:
        return f"/ws/clusters/{self._cluster}/namespaces/{segment(namespace)}/pods/{segment(name)}/{what}"

    def list(self, namespace: str | None = None, status: str | None = None, node_name: str | None = None,
             search: str | None = None, page: int = 1, page_size: int = 20) -> Page[Pod]:
        """One page of pods; `status` matches kubectl's STATUS column or the phase, `search` the name."""
        params = {"namespace": namespace, "status": status, "nodeName": node_name, "search": search,
                  "page": page, "pageSize": page_size}
        return self._page(f"/api/clusters/{self._cluster}/pods", params)

    def iter_all(self, namespace: str | None = None, status: str | None = None, node_name: str | None = None,
                 search: str | None = None, page_size: int = 100) -> Iterator[Pod]:
        return iterate_pages(lambda p, s: self.list(namespace=namespace, status=status, node_name=node_name,
                                                    search=search, page=p, page_size=s), page_size)

    def get(self, namespace: str, name: str) -> PodDetail:
        return cast(PodDetail, self._t.request("GET", self._pod(namespace, name)))

    def delete(self, namespace: str, name: str, *, force: bool | None = None, grace_period: int | None = None) -> None:
        """Delete the pod (`force` skips graceful termination; `grace_period` in seconds)."""
        self._t.request("DELETE", self._pod(namespace, name), params={"force": force, "gracePeriod": grace_period})

    def logs(self, namespace: str, name: str, container: str | None = None, *, previous: bool | None = None,
             since_seconds: int | None = None, tail_lines: int | None = None, timestamps: bool | None = None) -> str:
        """The log text (of the first container unless `container` is given)."""
        params = {"container": container, "previous": previous, "sinceSeconds": since_seconds,
                  "tailLines": tail_lines, "timestamps": timestamps}
        data = self._t.request("GET", f"{self._pod(namespace, name)}/logs", params=params)
        return str(data.get("logs", "")) if isinstance(data, dict) else str(data or "")

    def events(self, namespace: str, name: str) -> list[Event]:
        """The pod's events, newest last."""
        return cast(list[Event], self._t.request("GET", f"{self._pod(namespace, name)}/events"))

    def follow_logs(self, namespace: str, name: str, container: str | None = None, *, follow: bool = True,
                    tail_lines: int | None = None, since_seconds: int | None = None, timestamps: bool | None = None,
                    previous: bool | None = None, timeout: float | None = None) -> LogStream:
        """Stream log lines over the WebSocket; iterate the result (a context manager) to get them.

        `timeout` bounds the wait for each next line (None waits forever, fine for `follow=False`).
        """
        stream = LogStream(open_socket(self._t, self._ws(namespace, name, "logs")), timeout=timeout)
        stream.subscribe(container=container, follow=follow, tailLines=tail_lines, sinceSeconds=since_seconds,
                         timestamps=timestamps, previous=previous)
        return stream

    def exec(self, namespace: str, name: str, command: str | list[str] | None = None,
             container: str | None = None) -> ExecSession:
        """Start `command` (default `/bin/sh`) in a TTY and return the session (a context manager).

        A string is split by the server as a shell would (`"sh -c 'echo hi'"`); a list of two or more
        items is sent as repeated `command` parameters and used as the argv unchanged.
        """
        params = {"container": container, "command": command}
        return ExecSession(open_socket(self._t, self._ws(namespace, name, "exec"), params))
