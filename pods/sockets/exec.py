"""WS /ws/clusters/:id/namespaces/:ns/pods/:name/exec?container=&command= — a terminal in a container.

`command` defaults to /bin/sh; one `command` value is split like a shell would (`sh -c 'echo hi'`),
repeated `command` values are taken as the argv. A TTY is allocated (stderr arrives merged into output).

client: {"type":"input","data":"ls -la\\n"}  {"type":"resize","cols":120,"rows":40}
server: {"type":"output","data":"..."} ... {"type":"exit","code":N}, then a normal close (1000).

Operators and admins only. Closing the socket closes the upstream WebSocket, which ends the process.
"""
from __future__ import annotations

import codecs
from typing import Any, ClassVar

from common import errors
from common.permissions import Role
from kube.streams import ERROR, STDERR, STDOUT, ExecProcess, ExecResult, parse_exit_status
from pods.sockets.base import PodSocketConsumer
from pods.sockets.frames import choose_container, parse_exec_query, parse_input, parse_resize


class PodExecConsumer(PodSocketConsumer):
    required_role: ClassVar[str] = Role.OPERATOR
    action: ClassVar[str] = "exec into a pod"
    frame_types: ClassVar[tuple[str, ...]] = ("input", "resize")
    idle_setting: ClassVar[str] = "EXEC_IDLE_TIMEOUT"

    process: ExecProcess | None = None

    async def start(self) -> None:
        assert self.streams is not None
        params = parse_exec_query(self.scope.get("query_string", b""))
        container = choose_container(self.pod, params.container, for_exec=True)
        self.process = await self.exit_stack.enter_async_context(
            self.streams.pod_exec(self.namespace, self.pod_name, container=container, command=params.command)
        )
        self.spawn(self.relay_output())

    async def on_input(self, frame: dict[str, Any]) -> None:
        data = parse_input(frame)
        if self.process is not None and data:
            await self.process.write(data.encode("utf-8"))

    async def on_resize(self, frame: dict[str, Any]) -> None:
        cols, rows = parse_resize(frame)
        if self.process is not None:
            await self.process.resize(cols, rows)

    async def relay_output(self) -> None:
        """Upstream → socket until the process ends; then the exit code and a normal close."""
        assert self.process is not None
        decoders = {ch: codecs.getincrementaldecoder("utf-8")("replace") for ch in (STDOUT, STDERR)}
        result: ExecResult | None = None
        try:
            async for channel, data in self.process.frames():
                if channel in decoders:
                    text = decoders[channel].decode(data)
                    if text:
                        await self.send_frame({"type": "output", "data": text})
                        if self.closed:  # the client left: an ordinary end, disconnect() cleans up
                            return
                elif channel == ERROR:
                    result = parse_exit_status(data)
        except errors.AppError as exc:
            await self.fail(exc)
            return
        except Exception:  # noqa: BLE001
            await self.fail_internal("relaying the terminal")
            return
        tail = "".join(d.decode(b"", final=True) for d in decoders.values())
        if tail:
            await self.send_frame({"type": "output", "data": tail})
        if result is None:
            await self.fail(errors.ClusterError("The cluster ended the session without the command's exit status"))
        elif result.exit_code is None:
            await self.fail(errors.ClusterError(f"The command could not run: {result.message}"))
        else:
            await self.finish({"type": "exit", "code": result.exit_code})
