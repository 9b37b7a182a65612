"""A client that closes an exec socket while output flows is an ordinary end, never a server error.

Through a real daphne process: many shells, each fed a burst of commands and closed by the client
at once, while the server is still relaying their output. The server's log must hold no
"Pod socket failed" line and no traceback.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.sockets.conftest import find_pod
from tests.sockets.test_daphne import daphne  # noqa: F401 - the module's own daphne process

pytestmark = [pytest.mark.timeout(120)]

SESSIONS = 100
PARALLEL = 10
BURST = "".join(f"echo line-{i}-{'x' * 60}\n" for i in range(40))


async def _one_session(url: str) -> None:
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "input", "data": BURST}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert first["type"] == "output", first
        # close while the rest of the output is on its way


async def test_client_closing_mid_output_is_a_quiet_end(daphne: dict[str, Any], kubesim: Any) -> None:  # noqa: F811
    namespace, pod, (container,) = find_pod(kubesim)
    url = (f"{daphne['url']}/ws/clusters/{daphne['cluster']}/namespaces/{namespace}/pods/{pod}/exec"
           f"?token={daphne['tokens']['operator']}&container={container}")
    log_file = daphne["logs"][0]
    before = log_file.read_text(errors="replace") if log_file.exists() else ""

    async def client(n: int) -> None:
        for _ in range(n):
            await _one_session(url)

    started = time.monotonic()
    await asyncio.gather(*[client(SESSIONS // PARALLEL) for _ in range(PARALLEL)])
    elapsed = time.monotonic() - started
    await asyncio.sleep(1.0)  # let the last sessions' teardown reach the log
    logged = log_file.read_text(errors="replace")[len(before):]
    assert "Pod socket failed" not in logged, logged[-3000:]
    assert "Traceback" not in logged, logged[-3000:]
    assert elapsed < 60
