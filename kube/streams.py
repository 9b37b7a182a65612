"""Long-lived pod streams (log follow, exec) on the asyncio client `kubernetes.aio`: no thread per stream.

    async with await open_streams(cluster) as streams:        # one aiohttp session per socket
        pod = await streams.read_pod("default", "web-0")
        async with streams.pod_log("default", "web-0", container="app", follow=True) as lines:
            async for line in lines: ...
        async with streams.pod_exec("default", "web-0", container="app", command=["/bin/sh"]) as proc:
            await proc.write(b"ls\\n"); async for channel, data in proc.frames(): ...

The credentials come from the same cached sync client `kube.clients.client_for` builds from the
stored kubeconfig (its CA/cert temp files and bearer token are copied into an aio Configuration).
Every failure leaves this module as a `common.errors.AppError` naming the cluster (`translate_aio`).

Why not the generated `read_namespaced_pod_log`: the aio REST client passes `_request_timeout` to
aiohttp as a *total* timeout (default 300 s), which would cut a follow stream; so the log request is
issued on the client's own session with a connect timeout only.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import aiohttp
from asgiref.sync import sync_to_async
from kubernetes.aio.client import ApiClient, Configuration, CoreV1Api
from kubernetes.aio.client.exceptions import ApiException as AioApiException
from kubernetes.aio.stream import WsApiClient

from common import errors
from kube.clients import client_for
from kube.errors import from_api_exception, translated
from kube.gateway import default_timeout
from kube.paths import check_url_path

if TYPE_CHECKING:
    from kube.target import ClusterTarget

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4


@dataclass
class _HttpFailure:
    """The shape `kube.errors.from_api_exception` reads (status, reason, body)."""

    status: int
    reason: str
    body: str | None = None


def translate_aio(exc: BaseException, cluster_name: str) -> errors.AppError | None:
    """The application error for a failure of the asyncio client, aiohttp or asyncio; None if not one."""
    where = f"cluster '{cluster_name}'"
    if isinstance(exc, errors.AppError):
        return exc
    if isinstance(exc, AioApiException):
        return from_api_exception(exc, cluster_name)  # type: ignore[arg-type] - same status/reason/body shape
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        failure = _HttpFailure(exc.status, f"exec upgrade refused: {exc.message}")
        return from_api_exception(failure, cluster_name)  # type: ignore[arg-type]
    if isinstance(exc, aiohttp.ClientResponseError):
        return from_api_exception(_HttpFailure(exc.status, exc.message), cluster_name)  # type: ignore[arg-type]
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError, ssl.SSLError)):
        return errors.ClusterUnreachable(f"TLS handshake with the {where} failed")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return errors.ClusterUnreachable(f"The {where}'s address cannot be resolved")
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):  # incl. aiohttp.ServerTimeoutError
        return errors.ClusterTimeout(f"The {where} did not answer in time")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return errors.ClusterUnreachable(f"Cannot connect to the {where}: connection refused or host unreachable")
    if isinstance(exc, (aiohttp.ClientError, ConnectionError)):
        return errors.ClusterUnreachable(f"Lost the connection to the {where}: {type(exc).__name__}")
    return None


def translated_aio(cluster_name: str) -> Any:
    """`kube.errors.translated` for the asyncio client's failures."""
    return translated(cluster_name, translate_aio)


def _aio_configuration(cluster: ClusterTarget) -> Configuration:
    """Runs in a worker thread: decrypting the kubeconfig and writing cert files must not block the loop."""
    with translated(cluster.name):
        sync = client_for(cluster).configuration
    connect, _read = default_timeout()
    return Configuration(
        host=sync.host,
        api_key=dict(sync.api_key),
        api_key_prefix=dict(sync.api_key_prefix),
        ssl_ca_cert=sync.ssl_ca_cert,
        cert_file=sync.cert_file,
        key_file=sync.key_file,
        verify_ssl=sync.verify_ssl,
        tls_server_name=getattr(sync, "tls_server_name", None),
        proxy=sync.proxy,
        retries=None,  # a dead cluster must fail within the timeout
        client_session_kwargs={
            # The session default: connect timeout only. A follow stream or a terminal may stay quiet for hours.
            "timeout": aiohttp.ClientTimeout(total=None, sock_connect=connect),
            # Like the sync gateway: the proxy comes from the kubeconfig, never from the environment or
            # ~/.netrc (kubernetes.aio's default trust_env=True reads both in a worker thread per request).
            "trust_env": False,
        },
    )


@dataclass
class PodInfo:
    """What a socket needs to know about a pod before streaming from it: that it exists, and the object itself.

    Which container a socket means is not decided here but in `pods.containers`, the same rule as REST logs.
    """

    name: str
    phase: str
    manifest: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_pod(cls, pod: dict[str, Any]) -> PodInfo:
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        return cls(name=meta.get("name", ""), phase=status.get("phase") or "Unknown", manifest=pod)


class ExecProcess:
    """One remote command over the v4 channel protocol: stdin/resize out, (channel, bytes) frames in."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, cluster_name: str) -> None:
        self._ws = ws
        self._cluster_name = cluster_name

    async def write(self, data: bytes) -> None:
        with translated_aio(self._cluster_name):
            await self._ws.send_bytes(bytes([STDIN]) + data)

    async def resize(self, cols: int, rows: int) -> None:
        payload = json.dumps({"Width": cols, "Height": rows}).encode()
        with translated_aio(self._cluster_name):
            await self._ws.send_bytes(bytes([RESIZE]) + payload)

    async def frames(self) -> AsyncIterator[tuple[int, bytes]]:
        """(channel, payload) per message until the remote side closes."""
        with translated_aio(self._cluster_name):
            async for msg in self._ws:
                if msg.type == aiohttp.WSMsgType.BINARY and msg.data:
                    yield msg.data[0], msg.data[1:]
                elif msg.type == aiohttp.WSMsgType.TEXT and msg.data:
                    yield ord(msg.data[0]), msg.data[1:].encode()
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    raise self._ws.exception() or aiohttp.ClientError("exec stream error")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._ws.close()


@dataclass
class ExecResult:
    """The process's end as reported on the error channel: an exit code, or Kubernetes' failure message."""

    exit_code: int | None
    message: str | None = None


def parse_exit_status(data: bytes) -> ExecResult:
    """`metav1.Status` from the error channel: Success → 0, NonZeroExitCode → its ExitCode cause."""
    try:
        status = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return ExecResult(None, data.decode("utf-8", "replace").strip() or "the command failed")
    if not isinstance(status, dict):
        return ExecResult(None, str(status))
    if status.get("status") == "Success":
        return ExecResult(0)
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                with contextlib.suppress(TypeError, ValueError):
                    return ExecResult(int(cause.get("message")))
    return ExecResult(None, str(status.get("message") or "the command failed"))


class PodStreams:
    """The asyncio clients of one socket. Close it (async with) and every upstream connection goes."""

    def __init__(self, cluster_name: str, configuration: Configuration) -> None:
        """Builds clients (TLS contexts load CA/cert files): construct it off the loop, as open_streams does."""
        self.cluster_name = cluster_name
        self._configuration = configuration
        self._api = ApiClient(configuration)
        self._ws_api = WsApiClient(configuration)
        connect, read = default_timeout()
        self._timeout = connect + read

    async def __aenter__(self) -> PodStreams:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        for client in (self._api, self._ws_api):
            with contextlib.suppress(Exception):
                await client.close()

    async def read_pod(self, namespace: str, name: str) -> PodInfo:
        with translated_aio(self.cluster_name):
            response = await self._get(f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}")
            async with response:
                body = await asyncio.wait_for(response.read(), self._timeout)
        return PodInfo.from_pod(json.loads(body))

    def _session(self) -> aiohttp.ClientSession:
        """One aiohttp session per socket, shared by both clients (an exec upgrade can reuse the pod lookup's
        connection). Created lazily, on the loop that uses it."""
        rest = self._api.rest_client
        if rest.pool_manager is None:
            rest.pool_manager = rest._create_pool_manager()  # noqa: SLF001 - the client's own factory
            self._ws_api.rest_client.pool_manager = rest.pool_manager
        return rest.pool_manager

    async def _get(self, path: str, query: dict[str, Any] | None = None) -> aiohttp.ClientResponse:
        """A GET on the client's session; non-2xx becomes the kube ApiException (then an AppError)."""
        session = self._session()
        headers = {"Accept": "*/*", "User-Agent": "kubepolaris"}
        for auth in (await self._configuration.auth_settings()).values():
            headers[auth["key"]] = auth["value"]
        check_url_path(path)
        url = self._configuration.host + path + (f"?{urlencode(query)}" if query else "")
        connect, _read = default_timeout()
        response = await asyncio.wait_for(
            session.get(
                url,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect),
                server_hostname=self._configuration.tls_server_name,
            ),
            self._timeout,
        )
        if response.status >= 400:
            async with response:
                body = await asyncio.wait_for(response.text(errors="replace"), self._timeout)
            raise AioApiException(status=response.status, reason=response.reason, body=body)
        return response

    @contextlib.asynccontextmanager
    async def pod_log(
        self,
        namespace: str,
        name: str,
        *,
        container: str,
        follow: bool,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
        previous: bool = False,
        max_line_bytes: int = 65536,
    ) -> AsyncIterator[AsyncIterator[str]]:
        """The container's log as lines, read incrementally; leaving the block closes the HTTP response."""
        query: dict[str, Any] = {"container": container}
        for key, value in (("follow", follow), ("timestamps", timestamps), ("previous", previous)):
            if value:
                query[key] = "true"
        if tail_lines is not None:
            query["tailLines"] = tail_lines
        if since_seconds is not None:
            query["sinceSeconds"] = since_seconds
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}/log"
        with translated_aio(self.cluster_name):
            response = await self._get(path, query)
        try:
            yield self._lines(response, max_line_bytes)
        finally:
            response.close()  # drops the connection: the apiserver ends the follow

    async def _lines(self, response: aiohttp.ClientResponse, max_line_bytes: int) -> AsyncIterator[str]:
        """Split the byte stream on newlines ourselves, as chunks arrive (no waiting for big reads)."""
        pending = bytearray()
        with translated_aio(self.cluster_name):
            async for chunk in response.content.iter_any():
                pending += chunk
                while (end := pending.find(b"\n")) >= 0 or len(pending) > max_line_bytes:
                    cut = end if 0 <= end <= max_line_bytes else max_line_bytes
                    line = bytes(pending[:cut])
                    del pending[: cut + (1 if cut == end else 0)]
                    yield _decode_line(line)
        if pending:
            yield _decode_line(bytes(pending))

    @contextlib.asynccontextmanager
    async def pod_exec(
        self, namespace: str, name: str, *, container: str, command: list[str], tty: bool = True
    ) -> AsyncIterator[ExecProcess]:
        """A remote command with stdin and a TTY; leaving the block closes the WebSocket (the process ends)."""
        self._session()
        check_url_path(f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}/exec")
        api = CoreV1Api(self._ws_api)
        with translated_aio(self.cluster_name):
            connecting = await api.connect_get_namespaced_pod_exec_without_preload_content(
                name, namespace, command=command, container=container,
                stdin=True, stdout=True, stderr=not tty, tty=tty,
            )
            ws = await asyncio.wait_for(connecting, self._timeout)
        process = ExecProcess(ws, self.cluster_name)
        try:
            yield process
        finally:
            await process.close()


def _decode_line(line: bytes) -> str:
    if line.endswith(b"\r"):
        line = line[:-1]
    return line.decode("utf-8", "replace")


async def open_streams(cluster: ClusterTarget) -> PodStreams:
    """Clients for one socket's streams, built off the event loop from the cluster's stored kubeconfig."""
    # thread_sensitive: the one worker thread Channels already uses for the database, not a growing pool.
    return await sync_to_async(_build_streams, thread_sensitive=True)(cluster)


def _build_streams(cluster: ClusterTarget) -> PodStreams:
    configuration = _aio_configuration(cluster)
    with translated(cluster.name):  # unreadable CA or client certificate files
        return PodStreams(cluster.name, configuration)


__all__ = [
    "ExecProcess",
    "ExecResult",
    "PodInfo",
    "PodStreams",
    "open_streams",
    "parse_exit_status",
    "translate_aio",
    "translated_aio",
]
