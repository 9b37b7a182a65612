"""A scripted HTTP server for the SDK's transport tests (retries, timeouts, error decoding).

Not a mock of KubePolaris: it answers what each test scripts, so the tests can observe how
often and how the SDK asks. Scripted answers are `(status, body, headers)` or a callable.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, Any, dict[str, str]]


class StubServer:
    def __init__(self) -> None:
        self.answers: list[Answer | Callable[[str, str], Answer]] = []
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append((self.command, self.path, dict(self.headers), body))
                answer = stub.answers.pop(0) if stub.answers else (500, {"code": 500, "message": "unscripted",
                                                                           "data": None}, {})
                if callable(answer):
                    answer = answer(self.command, self.path)
                status, payload, headers = answer
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def script(self, *answers: Answer | Callable[[str, str], Answer]) -> None:
        self.answers.extend(answers)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def ok(data: Any = None, code: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return code, {"code": code, "message": "success", "data": data}, headers or {}


def err(code: int, message: str = "nope", data: Any = None, headers: dict[str, str] | None = None) -> Answer:
    return code, {"code": code, "message": message, "data": data}, headers or {}


def slow(seconds: float, answer: Answer) -> Callable[[str, str], Answer]:
    def delayed(method: str, path: str) -> Answer:
        time.sleep(seconds)
        return answer

    return delayed
