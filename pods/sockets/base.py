"""What every pod socket shares: role check, cluster and pod lookup, error frames and close codes,
the idle limit, token expiry, server-side termination through the channel layer, and leak-free teardown.

Close codes: 4000 + the REST status for the same error (4400 bad request, 4401 no/bad/expired/revoked
token, 4403 role too low, 4404 unknown cluster or pod, 4408 idle too long, 4502/4504 the cluster
failed or timed out); 1011 for an unexpected server error; 1000 when a command exits normally.
Every such close is preceded by `{"type":"error","message":...}` (1000 by `{"type":"exit",...}`).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Coroutine
from typing import Any, ClassVar

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.access import authorize
from accounts.sessions import user_group
from common import errors
from common.names import path_name_problems
from common.permissions import Role
from kube.streams import PodInfo, PodStreams, open_streams
from observe.metrics import OPEN_SOCKETS
from pods.sockets.frames import close_code, parse_frame

log = logging.getLogger(__name__)

CLOSE_INTERNAL_ERROR = 1011

try:  # daphne (autobahn) raises this on a send after the client's close; ASGI servers may raise OSError
    from autobahn.exception import Disconnected as _Disconnected

    CLIENT_GONE: tuple[type[BaseException], ...] = (_Disconnected, OSError)
except ImportError:  # pragma: no cover - another ASGI server
    CLIENT_GONE = (OSError,)


class IdleTimeout(errors.AppError):
    status_code = 408
    default_code = "idle_timeout"


class PodSocketConsumer(AsyncWebsocketConsumer):
    """Subclasses set `required_role`, `action`, `frame_types`, `idle_setting` and implement `start`/`stop`."""

    required_role: ClassVar[str] = Role.VIEWER
    action: ClassVar[str] = "this"
    kind: ClassVar[str] = "pod"  # the `kind` label of kubepolaris_open_sockets (logs, exec)
    frame_types: ClassVar[tuple[str, ...]] = ()
    idle_setting: ClassVar[str] = "LOG_IDLE_TIMEOUT"
    # Whether frames we send count as activity for the idle limit (a followed log that produces lines is not
    # idle). Exec turns it off: only the user's frames count, so a chatty process cannot keep a shell open.
    output_is_activity: ClassVar[bool] = True

    streams: PodStreams | None = None
    pod: PodInfo
    closed = False
    counted = False  # counted in kubepolaris_open_sockets (from accept to disconnect)

    # --- lifecycle ---------------------------------------------------------------------------
    async def connect(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()
        self.exit_stack = contextlib.AsyncExitStack()
        self.last_activity = time.monotonic()
        await self.accept()
        OPEN_SOCKETS.labels(self.kind).inc()
        self.counted = True
        user = self.scope.get("user")
        kwargs = self.scope["url_route"]["kwargs"]
        self.namespace, self.pod_name = kwargs["namespace"], kwargs["name"]
        try:
            for parameter, reasons in path_name_problems(kwargs).items():
                raise errors.InvalidRequest(f"{parameter}: {reasons[0]}")
            # The REST API's access decision (global role, or grants), for this pod's namespace.
            cluster = await database_sync_to_async(authorize)(
                user, cluster_id=kwargs["cluster_id"], namespace=self.namespace, needed=self.required_role,
                what=self.action)
            self.streams = await open_streams(cluster)
            self.pod = await self.streams.read_pod(self.namespace, self.pod_name)
            await self.start()
        except errors.AppError as exc:
            await self.fail(exc)
            return
        except errors.DATABASE_UNAVAILABLE_ERRORS as exc:  # 4503, like the REST API's 503
            log.warning("Database unavailable while opening a pod socket: %s", exc)
            await self.fail(errors.DatabaseUnavailable())
            return
        except Exception:  # noqa: BLE001 - reported to the client as 1011, logged with the traceback
            await self.fail_internal("opening the socket")
            return
        if not self.closed:
            await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
            self.spawn(self.watchdog())

    async def disconnect(self, code: int) -> None:
        """The browser went away (or we closed): end the upstream streams and every task of this socket."""
        self.closed = True
        if self.counted:
            OPEN_SOCKETS.labels(self.kind).dec()
            self.counted = False
        user = self.scope.get("user")
        if getattr(user, "pk", None) is not None:
            await self.channel_layer.group_discard(user_group(user.pk), self.channel_name)
        await self.cancel_tasks(getattr(self, "tasks", set()))
        await self.stop()
        if hasattr(self, "exit_stack"):
            await self.exit_stack.aclose()
        if self.streams is not None:
            await self.streams.close()

    async def start(self) -> None:
        """Called once the pod is known (subclasses open their upstream stream here)."""

    async def stop(self) -> None:
        """Called on teardown before the upstream clients are closed."""

    # --- frames ----------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        self.touch()
        try:
            frame = parse_frame(text_data, self.frame_types)
            await getattr(self, f"on_{frame['type']}")(frame)
        except errors.InvalidRequest as exc:
            await self.send_frame({"type": "error", "message": exc.message})  # a bad frame never closes
        except errors.AppError as exc:
            await self.fail(exc)
        except Exception:  # noqa: BLE001
            await self.fail_internal("handling a frame")

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one frame. A send that races the client's close is an ordinary end: the socket is marked
        closed (nothing more is sent) and `disconnect` tears the session down."""
        if self.closed:
            return
        if self.output_is_activity:
            self.touch()
        try:
            await self.send(text_data=json.dumps(frame, ensure_ascii=False))
        except CLIENT_GONE:
            self.closed = True
            log.debug("Client left before a frame could be sent (%s)", self.scope.get("path", ""))

    async def fail(self, error: errors.AppError, code: int | None = None) -> None:
        """The error frame, then the close code for it. Nothing is sent after this."""
        if self.closed:
            return
        await self.send_frame({"type": "error", "message": error.message})
        self.closed = True
        await self.close(code=code or close_code(error))

    async def fail_internal(self, doing: str) -> None:
        if self.closed:  # the client already left: whatever failed on the way out is not an error
            log.debug("Pod socket ended while %s after the client left", doing, exc_info=True)
            return
        log.exception("Pod socket failed while %s (%s)", doing, self.scope.get("path", ""))
        await self.send_frame({"type": "error", "message": f"Internal server error while {doing}"})
        self.closed = True
        await self.close(code=CLOSE_INTERNAL_ERROR)

    async def finish(self, frame: dict[str, Any]) -> None:
        """A last frame, then a normal close (1000)."""
        if self.closed:
            return
        await self.send_frame(frame)
        self.closed = True
        await self.close(code=1000)

    # --- tasks, idle limit, token expiry, termination ------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    @staticmethod
    async def cancel_tasks(tasks: set[asyncio.Task[Any]] | list[asyncio.Task[Any]]) -> None:
        current = asyncio.current_task()
        pending = [t for t in list(tasks) if t is not current]
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def idle_limit(self) -> float:
        from django.conf import settings

        return float(getattr(settings, self.idle_setting))

    async def watchdog(self) -> None:
        """Close an idle session (4408) and one whose token expired (4401)."""
        limit = self.idle_limit()
        expires_at = self.scope.get("token_expires_at")
        while not self.closed:
            now = time.monotonic()
            token_left = (expires_at - time.time()) if expires_at else float("inf")
            if token_left <= 0:
                await self.fail(errors.Unauthenticated("Your token expired; log in again"))
                return
            idle_left = self.last_activity + limit - now
            if idle_left <= 0:
                await self.fail(IdleTimeout(f"Closed after {limit:g} s without activity"))
                return
            await asyncio.sleep(min(idle_left, token_left) + 0.01)

    async def session_terminate(self, event: dict[str, Any]) -> None:
        """Channel-layer message from `terminate_user_sockets`."""
        await self.fail(errors.Unauthenticated(str(event.get("message") or "Your session was ended")))
