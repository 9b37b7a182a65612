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

from audit.sessions import ExecAudit, exec_failed
from common import errors
from common.permissions import Role
from kube.streams import ERROR, STDERR, STDOUT, ExecProcess, ExecResult, parse_exit_status
from pods.containers import choose_container
from pods.sockets.base import PodSocketConsumer
from pods.sockets.frames import parse_exec_query, parse_input, parse_resize


class PodExecConsumer(PodSocketConsumer):
    required_role: ClassVar[str] = Role.OPERATOR
    action: ClassVar[str] = "exec into a pod"
    kind: ClassVar[str] = "exec"
    frame_types: ClassVar[tuple[str, ...]] = ("input", "resize")
    idle_setting: ClassVar[str] = "EXEC_IDLE_TIMEOUT"
    output_is_activity: ClassVar[bool] = False  # idle = nothing from the user, however much the process prints

    process: ExecProcess | None = None
    audit: ExecAudit | None = None

    async def start(self) -> None:
        assert self.streams is not None
        params = parse_exec_query(self.scope.get("query_string", b""))
        container = choose_container(self.pod.manifest, params.container, must_run=True)
        self.process = await self.exit_stack.enter_async_context(
            self.streams.pod_exec(self.namespace, self.pod_name, container=container, command=params.command)
        )
        self.audit = ExecAudit(self.scope, container=container, command=params.command)
        await self.audit.opened()
        self.spawn(self.relay_output())

    async def on_input(self, frame: dict[str, Any]) -> None:
        data = parse_input(frame)
        if self.process is not None and data:
            if self.audit is not None:
                self.audit.input(data)
            await self.process.write(data.encode("utf-8"))

    async def on_resize(self, frame: dict[str, Any]) -> None:
        cols, rows = parse_resize(frame)
        if self.process is not None:
            if self.audit is not None:
                self.audit.resize(cols, rows)
            await self.process.resize(cols, rows)

    # --- audit: what the terminal showed is recorded where it is sent; the rows at open, failure, teardown ---
    async def send_frame(self, frame: dict[str, Any]) -> None:
        if self.audit is not None and not self.closed:
            if frame.get("type") == "output":
                self.audit.output(str(frame.get("data", "")))
            elif frame.get("type") == "exit":
                self.audit.exited(frame.get("code"))
        await super().send_frame(frame)

    async def fail(self, error: errors.AppError, code: int | None = None) -> None:
        if not self.closed:
            if self.audit is not None:
                self.audit.failed(error.status_code, error.message)
            else:
                await exec_failed(self.scope, status_code=error.status_code, message=error.message)
        await super().fail(error, code)

    async def fail_internal(self, doing: str) -> None:
        if not self.closed:
            if self.audit is not None:
                self.audit.failed(500, f"Internal server error while {doing}")
            else:
                await exec_failed(self.scope, status_code=500, message=f"Internal server error while {doing}")
        await super().fail_internal(doing)

    async def stop(self) -> None:
        if self.audit is not None:
            audit, self.audit = self.audit, None
            await audit.closed()
        await super().stop()

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
