"""Pod exec over the Kubernetes remote-command WebSocket protocol.

``exec_handler`` serves ``GET/POST /api/v1/namespaces/{ns}/pods/{name}/exec``
upgrade requests the way kube-apiserver (and behind it the kubelet's
``wsstream`` server) does, running the command in :mod:`kubesim.shell`.

Protocol summary (what real clients send and expect):

* Subprotocol: the client lists protocols in ``Sec-WebSocket-Protocol``;
  like ``wsstream`` the server takes the first *client-listed* one it
  supports.  Supported: ``v5.channel.k8s.io``, ``v4.channel.k8s.io``,
  ``v4.base64.channel.k8s.io``, ``channel.k8s.io``, ``base64.channel.k8s.io``
  and no header at all (same as ``channel.k8s.io``).  client-go/kubectl
  offer only v5; the Python client offers ``v5,v4``.  If nothing offered is
  supported the answer is HTTP 403 (what golang.org/x/net/websocket returns
  when wsstream's handshake rejects the protocols).
* Binary protocols: every message is ``[channel byte] + payload``.  Channels:
  0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize (JSON
  ``{"Width": W, "Height": H}``).  v5 adds ``[255, channel]``: the peer
  closed that channel (client-go sends it on stdin EOF).  Text frames from
  the client are accepted too (the Python client sends ``str`` data as text
  frames); the server always sends binary frames (client-go rejects text).
* base64 protocols: text frames, channel as an ASCII digit, payload base64.
* Right after the upgrade an empty message goes to the lowest writable
  channel (stdout, else stderr, else error), as the kubelet does.
* On exit the error channel carries a ``metav1.Status`` JSON (v4/v5):
  ``{"metadata":{},"status":"Success"}`` or ``Failure`` with reason
  ``NonZeroExitCode`` and a cause ``{"reason":"ExitCode","message":"3"}``.
  Pre-v4 protocols send nothing on success and the plain message on failure.
  Then the server closes the socket with a normal closure (1000).
* An executable that does not exist fails like containerd/runc: an
  ``InternalError`` Status (code 500) whose message ends in
  ``exec: "foo": executable file not found in $PATH: unknown``.

Closing the socket (or the connection dropping) cancels the running command.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import WSMsgType, hdrs, web

from kubesim.shell import (
    ContainerInfo,
    ExecNotFound,
    Input,
    NullOutput,
    Output,
    PipeInput,
    Shell,
    StreamOutput,
    StringInput,
    TerminalInput,
    TerminalSize,
)

__all__ = ["SUPPORTED_PROTOCOLS", "exec_handler", "negotiate_protocol"]

log = logging.getLogger(__name__)

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE_SIGNAL = 255

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
V4_BASE64 = "v4.base64.channel.k8s.io"
V1 = "channel.k8s.io"
V1_BASE64 = "base64.channel.k8s.io"
SUPPORTED_PROTOCOLS: tuple[str, ...] = (V5, V4, V4_BASE64, V1, V1_BASE64)
_STATUS_PROTOCOLS = {V5, V4, V4_BASE64}
_BASE64_PROTOCOLS = {V4_BASE64, V1_BASE64}
_TRUE = {"true", "1", "yes"}
MAX_MESSAGE = 16 * 1024 * 1024  # inbound frame limit (stdin chunks, resize JSON)


def negotiate_protocol(offered: Iterable[str]) -> str | None:
    """Pick the first client-offered protocol we support.

    Returns ``""`` when the client offered none (legacy default, treated as
    ``channel.k8s.io``) and ``None`` when nothing offered is supported.
    """
    offers = [p.strip() for p in offered if p.strip()]
    if not offers:
        return ""
    return next((p for p in offers if p in SUPPORTED_PROTOCOLS), None)


def _offered_protocols(request: web.Request) -> list[str]:
    values = request.headers.getall(hdrs.SEC_WEBSOCKET_PROTOCOL, [])
    return [p.strip() for value in values for p in value.split(",")]


def _flag(request: web.Request, *names: str) -> bool:
    return any(request.query.get(n, "").lower() in _TRUE for n in names)


def _status_json(status: dict[str, Any]) -> bytes:
    return json.dumps(status, separators=(",", ":")).encode()


def _bad_request(message: str) -> web.Response:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "BadRequest",
        "code": 400,
    }
    return web.Response(status=400, body=_status_json(body), content_type="application/json")


def success_status() -> dict[str, Any]:
    return {"metadata": {}, "status": "Success"}


def exit_code_status(command: list[str], code: int) -> dict[str, Any]:
    """The Status the kubelet writes for a process that exited non-zero."""
    argv = "[" + " ".join(command) + "]"
    return {
        "metadata": {},
        "status": "Failure",
        "message": (f"command terminated with non-zero exit code: error executing command {argv}, exit code {code}"),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def internal_error_status(detail: str) -> dict[str, Any]:
    """``apierrors.NewInternalError`` as serialised on the error channel."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {detail}",
        "reason": "InternalError",
        "details": {"causes": [{"message": detail}]},
        "code": 500,
    }


def exec_not_found_status(pod: dict[str, Any], container: str, error: ExecNotFound) -> dict[str, Any]:
    """containerd's wording when runc cannot start the exec'd process."""
    uid = (pod.get("metadata") or {}).get("uid", "")
    exec_id = hashlib.sha256(f"{uid}/{container}/{error.name}".encode()).hexdigest()
    detail = (
        "error executing command in container: failed to exec in container: "
        f'failed to start exec "{exec_id}": OCI runtime exec failed: exec failed: '
        f"unable to start container process: {error}: unknown"
    )
    return internal_error_status(detail)


class _Channels:
    """Writes channel-framed messages on the negotiated protocol."""

    def __init__(self, ws: web.WebSocketResponse, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self.base64 = protocol in _BASE64_PROTOCOLS
        self._lock = asyncio.Lock()

    async def send(self, channel: int, data: bytes) -> None:
        if self.ws.closed:
            return
        async with self._lock:
            with contextlib.suppress(ConnectionError, RuntimeError):
                if self.base64:
                    await self.ws.send_str(chr(ord("0") + channel) + base64.b64encode(data).decode())
                else:
                    await self.ws.send_bytes(bytes([channel]) + data)

    def decode(self, msg: Any) -> tuple[int, bytes] | None:
        """Split an incoming message into (channel, payload)."""
        if msg.type == WSMsgType.BINARY:
            raw: bytes = msg.data
        elif msg.type == WSMsgType.TEXT:
            text: str = msg.data
            if self.base64:
                if not text:
                    return None
                try:
                    return ord(text[0]) - ord("0"), base64.b64decode(text[1:])
                except ValueError:
                    return None
            raw = text.encode("utf-8")
        else:
            return None
        if not raw:
            return None
        return raw[0], raw[1:]


class _ResizeDecoder:
    """Decodes the resize stream: a sequence of JSON objects, possibly split."""

    def __init__(self, size: TerminalSize) -> None:
        self.size = size
        self._buffer = ""
        self._decoder = json.JSONDecoder()

    def feed(self, data: bytes) -> None:
        self._buffer += data.decode("utf-8", "replace")
        while True:
            text = self._buffer.lstrip()
            if not text:
                self._buffer = ""
                return
            try:
                obj, end = self._decoder.raw_decode(text)
            except ValueError:
                if not text.startswith("{"):
                    # Garbage: resynchronise on the next object.
                    start = text.find("{")
                    self._buffer = text[start:] if start >= 0 else ""
                    if start > 0:
                        continue
                    return
                self._buffer = text[-4096:]  # incomplete object; wait for more
                return
            self._buffer = text[end:]
            if isinstance(obj, dict):
                width, height = obj.get("Width", obj.get("width")), obj.get("Height", obj.get("height"))
                if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                    self.size.cols, self.size.rows = width, height


async def exec_handler(
    request: web.Request, *, pod: dict[str, Any], container: str, command: list[str]
) -> web.StreamResponse:
    """Upgrade to a remote-command WebSocket and run ``command`` in the pod.

    Query flags ``stdin``, ``stdout``, ``stderr``, ``tty`` accept
    ``true``/``1``.  With ``tty`` stderr is merged into stdout (as the
    kubelet does) and a cooked line discipline echoes input.
    """
    tty = _flag(request, "tty")
    want_stdin = _flag(request, "stdin", "input")
    want_stdout = _flag(request, "stdout", "output")
    want_stderr = _flag(request, "stderr", "error")
    if tty and want_stderr:
        want_stderr = False  # kubelet: "Access to exec with tty and stderr is not supported"
    if not (want_stdin or want_stdout or want_stderr):
        return web.Response(status=400, text="you must specify at least 1 of stdin, stdout, stderr")
    if not command:
        return _bad_request("you must specify at least one command for the container")

    upgrade = request.headers.get(hdrs.UPGRADE, "").lower()
    if upgrade != "websocket":
        # No SPDY here; kubectl only falls back to SPDY if the WebSocket upgrade fails.
        return _bad_request("Upgrade request required")

    offered = _offered_protocols(request)
    protocol = negotiate_protocol(offered)
    if protocol is None:
        return web.Response(
            status=403,
            text=f"requested protocol(s) are not supported: {offered}; supports {list(SUPPORTED_PROTOCOLS)}",
        )

    ws = web.WebSocketResponse(protocols=(protocol,) if protocol else (), autoping=True, max_msg_size=MAX_MESSAGE)
    await ws.prepare(request)
    channels = _Channels(ws, protocol)

    async def send_stdout(data: bytes) -> None:
        await channels.send(STDOUT, data)

    async def send_stderr(data: bytes) -> None:
        await channels.send(STDERR, data)

    stdout: Output = StreamOutput(send_stdout, crlf=tty) if want_stdout else NullOutput()
    # With a tty the kubelet drops stderr: everything goes through the pty (stdout).
    stderr: Output = StreamOutput(send_stderr) if want_stderr else NullOutput()
    if tty:
        stderr = stdout

    terminal = TerminalSize()
    stdin: Input
    feeder: TerminalInput | PipeInput | None = None
    if want_stdin and tty:
        feeder = TerminalInput(stdout)
        stdin = feeder
    elif want_stdin:
        feeder = PipeInput()
        stdin = feeder
    else:
        stdin = StringInput("")

    info = ContainerInfo.from_pod(pod, container)
    shell = Shell(info, stdin=stdin, stdout=stdout, stderr=stderr, tty=tty, terminal=terminal)
    resize = _ResizeDecoder(terminal)

    # The kubelet announces readiness with an empty frame on the lowest writable channel.
    await channels.send(STDOUT if want_stdout else STDERR if want_stderr else ERROR, b"")

    async def read_loop() -> None:
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE, WSMsgType.CLOSING):
                    break
                decoded = channels.decode(msg)
                if decoded is None:
                    continue
                channel, payload = decoded
                if channel == CLOSE_SIGNAL and protocol == V5:
                    if payload[:1] == bytes([STDIN]) and feeder is not None:
                        feeder.close()
                elif channel == STDIN and feeder is not None:
                    await feeder.feed(payload)
                elif channel == RESIZE and tty:
                    resize.feed(payload)
        finally:
            if feeder is not None:
                feeder.close()

    reader = asyncio.create_task(read_loop(), name="kubesim-exec-read")
    process = asyncio.create_task(shell.exec(list(command)), name="kubesim-exec-process")
    try:
        await asyncio.wait({reader, process}, return_when=asyncio.FIRST_COMPLETED)
        if not process.done():
            # The client went away: kill the process, nobody is left to tell.
            process.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await process
            return ws
        status = _final_status(process, pod, container, command)
        if protocol in _STATUS_PROTOCOLS:
            await channels.send(ERROR, _status_json(status))
        elif status["status"] != "Success":
            await channels.send(ERROR, status["message"].encode())
        await ws.close()
        return ws
    finally:
        for task in (reader, process):
            if not task.done():
                task.cancel()
        for task in (reader, process):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _final_status(
    process: asyncio.Task[int], pod: dict[str, Any], container: str, command: list[str]
) -> dict[str, Any]:
    error = process.exception()
    if isinstance(error, ExecNotFound):
        return exec_not_found_status(pod, container, error)
    if error is not None:
        log.exception("simulated exec failed", exc_info=error)
        return internal_error_status(f"error executing command in container: {error}")
    code = process.result()
    return success_status() if code == 0 else exit_code_status(command, code)
