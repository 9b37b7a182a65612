"""WS /ws/clusters/:id/namespaces/:ns/pods/:name/logs — live container logs, one frame per line.

client: {"type":"subscribe","container":"nginx","follow":true} (+ tailLines, sinceSeconds, timestamps, previous)
server: {"type":"log","data":"<line>"} ... {"type":"end"} | {"type":"error","message":...}

A new subscribe cancels the current stream (its HTTP response is closed) and starts the new one.
After `end` the socket stays open for another subscribe (the idle limit closes it eventually).

Memory: the upstream reader and the socket writer are joined by a bounded queue (LOG_QUEUE_LINES).
When it is full the reader blocks, so we stop reading the apiserver's response and TCP flow control
slows the producer: back-pressure, no line is dropped.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings

from common import errors
from common.permissions import Role
from pods.containers import choose_container
from pods.sockets.base import PodSocketConsumer
from pods.sockets.frames import LogOptions, parse_subscribe


@dataclass
class _End:
    error: BaseException | None = None


async def pump_lines(lines: AsyncIterator[str], queue: asyncio.Queue[Any]) -> None:
    """Upstream → queue. Blocks while the queue is full (back-pressure); ends with an `_End` marker."""
    error: BaseException | None = None
    try:
        async for line in lines:
            await queue.put(line)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - handed to the writer, which reports it
        error = exc
    await queue.put(_End(error))


async def drain_lines(queue: asyncio.Queue[Any]) -> AsyncIterator[str]:
    """Queue → lines, until the reader's `_End` (re-raising the reader's failure)."""
    while True:
        item = await queue.get()
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            return
        yield item


class PodLogConsumer(PodSocketConsumer):
    required_role: ClassVar[str] = Role.VIEWER
    action: ClassVar[str] = "streaming pod logs"
    kind: ClassVar[str] = "logs"
    frame_types: ClassVar[tuple[str, ...]] = ("subscribe",)
    idle_setting: ClassVar[str] = "LOG_IDLE_TIMEOUT"

    current: asyncio.Task[Any] | None = None

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        options = parse_subscribe(frame)
        await self.stop()
        self.current = self.spawn(self.stream(options))

    async def stop(self) -> None:
        if self.current is not None:
            await self.cancel_tasks([self.current])
            self.current = None

    async def stream(self, options: LogOptions) -> None:
        assert self.streams is not None
        try:
            pod = await self.streams.read_pod(self.namespace, self.pod_name)
            container = choose_container(pod.manifest, options.container)
            queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=settings.LOG_QUEUE_LINES)
            async with self.streams.pod_log(
                self.namespace,
                self.pod_name,
                container=container,
                follow=options.follow,
                tail_lines=options.tail_lines,
                since_seconds=options.since_seconds,
                timestamps=options.timestamps,
                previous=options.previous,
                max_line_bytes=settings.LOG_MAX_LINE_BYTES,
            ) as lines:
                reader = asyncio.create_task(pump_lines(lines, queue))
                try:
                    async for line in drain_lines(queue):
                        await self.send_frame({"type": "log", "data": line})
                finally:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await reader
            await self.send_frame({"type": "end"})
        except errors.AppError as exc:
            # The socket stays usable: the client may subscribe again (e.g. to another container).
            await self.send_frame({"type": "error", "message": exc.message})
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            await self.fail_internal("streaming logs")
