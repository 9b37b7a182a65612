"""WebSocket helpers (contract §7): a pod's log lines as an iterator, and an interactive exec session.

Both authenticate with the same Bearer token in the `Authorization` header. The server reports
failures as `{"type":"error","message":...}` followed by a 4xxx close code (4401, 4403, 4404...);
both helpers raise the matching `KubePolarisError` subclass (code = close code - 4000).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.sync.client import ClientConnection, connect

from kubepolaris.sdk.errors import KubePolarisError, TransportError, error_for
from kubepolaris.sdk.transport import Transport


def open_socket(transport: Transport, path: str, params: dict[str, Any] | None = None,
                open_timeout: float = 10.0) -> ClientConnection:
    """Connect to `path` with the client's token; handshake refusals become `KubePolarisError`s."""
    url = transport.ws_url(path, params)
    try:
        return connect(url, additional_headers=transport.auth_headers(), ssl=transport.ssl_context(),
                       open_timeout=open_timeout, close_timeout=5, max_size=2**24, legacy=True)
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise error_for(status, f"WebSocket {path} refused with HTTP {status}") from exc
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise TransportError(f"WebSocket {path}: {type(exc).__name__}: {exc}") from exc


def close_error(closed: ConnectionClosed, message: str | None) -> KubePolarisError | None:
    """The error a close frame stands for (None for a normal close without an error message)."""
    code = closed.rcvd.code if closed.rcvd is not None else 1006
    reason = (closed.rcvd.reason if closed.rcvd is not None else "") or ""
    if 4000 <= code < 5000:
        return error_for(code - 4000, message or reason or f"closed with {code}")
    if message is not None:
        return error_for(500 if code in (1000, 1001, 1011) else 502, message)
    if code in (1000, 1001):
        return None
    return TransportError(f"WebSocket closed abnormally ({code} {reason})".strip())


def receive(ws: ClientConnection, timeout: float | None) -> dict[str, Any] | None:
    """The next JSON message, or None once the socket closed normally; raises on an error close."""
    try:
        raw = ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        error = close_error(closed, None)
        if error is not None:
            raise error from closed
        return None
    message = json.loads(raw)
    if isinstance(message, dict) and message.get("type") == "error":
        text = str(message.get("message", "error"))
        try:
            ws.recv(timeout=5)  # the close frame that follows carries the code
        except ConnectionClosed as closed:
            raise (close_error(closed, text) or error_for(500, text)) from closed
        except TimeoutError:
            pass
        raise error_for(500, text)
    return message


def send_json(ws: ClientConnection, message: dict[str, Any]) -> None:
    """Send one message; if the server already closed (e.g. refused us), raise the error it gave."""
    try:
        ws.send(json.dumps(message))
    except ConnectionClosed as closed:
        while receive(ws, timeout=1) is not None:  # raises the server's error, if it sent one
            pass
        raise close_error(closed, None) or TransportError("WebSocket closed by the server") from closed


class LogStream:
    """Iterate a pod's log lines as they arrive; ends when the server sends `end` or closes.

    Use it as a context manager (or call `close()`) to stop following early. `timeout` is the
    longest wait for the next line; a quiet log past it raises `TimeoutError`.
    """

    def __init__(self, ws: ClientConnection, timeout: float | None = None) -> None:
        self._ws = ws
        self.timeout = timeout
        self.ended = False

    def subscribe(self, **options: Any) -> None:
        """(Re)subscribe: `container`, `follow`, `tailLines`, `sinceSeconds`, `timestamps`, `previous`."""
        body = {key: value for key, value in options.items() if value is not None}
        send_json(self._ws, {"type": "subscribe", **body})

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while not self.ended:
            message = receive(self._ws, self.timeout)
            if message is None or message.get("type") == "end":
                self.ended = True
                break
            if message.get("type") == "log":
                return str(message.get("data", ""))
        raise StopIteration

    def close(self) -> None:
        """Stop following; the server ends its upstream stream."""
        self.ended = True
        self._ws.close()

    def __enter__(self) -> LogStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ExecSession:
    """A command running in a container with a TTY: `send` input, `resize`, `read` output, `close`.

    `exit_code` is None while the process runs and its exit status once the server reported it.
    """

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self.exit_code: int | None = None
        self.closed = False

    def send(self, data: str | bytes) -> None:
        """Type `data` into the terminal (add "\\n" to run a line)."""
        text = data.decode() if isinstance(data, bytes) else data
        send_json(self._ws, {"type": "input", "data": text})

    def resize(self, cols: int, rows: int) -> None:
        """Tell the remote TTY its new size."""
        send_json(self._ws, {"type": "resize", "cols": int(cols), "rows": int(rows)})

    def read(self, timeout: float | None = None) -> str:
        """The next chunk of output; "" once the process exited or the socket closed.

        Raises `TimeoutError` when nothing arrives within `timeout` seconds (None waits forever).
        """
        while not self.closed:
            message = receive(self._ws, timeout)
            if message is None:
                self.closed = True
                break
            kind = message.get("type")
            if kind == "output":
                return str(message.get("data", ""))
            if kind == "exit":
                code = message.get("code")
                self.exit_code = int(code) if code is not None else None
                self.closed = True
                self._ws.close()
                break
        return ""

    def read_until(self, text: str, timeout: float = 10.0) -> str:
        """Read output until it contains `text` (or the process ends); returns everything read."""
        out = ""
        while text not in out:
            chunk = self.read(timeout=timeout)
            if not chunk:
                break
            out += chunk
        return out

    def read_all(self, timeout: float = 30.0) -> str:
        """Read until the process exits; `timeout` bounds each wait for more output."""
        out = ""
        while True:
            chunk = self.read(timeout=timeout)
            if not chunk:
                return out
            out += chunk

    def close(self) -> None:
        """Close the terminal; the server ends the remote process."""
        self.closed = True
        self._ws.close()

    def __enter__(self) -> ExecSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
