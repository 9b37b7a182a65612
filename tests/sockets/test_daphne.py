"""The same sockets through a real daphne process on a loopback port, driven by a plain `websockets` client.

The child has its own migrated SQLite database, SECRET_KEY and FERNET_KEYS; users and the cluster (the
session's simulated cluster, over HTTPS) are created in the child's database by `manage.py shell`.
daphne runs with `--ping-interval 1` so the protocol keepalive pings are observable.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from cryptography.fernet import Fernet
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.sockets.conftest import find_pod
from tests.sockets.helpers import upstream_connections

pytestmark = [pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import json, os
from accounts.models import User
from accounts.tokens import SessionToken
from clusters.models import Cluster
tokens, ids = {}, {}
for role in ("viewer", "operator"):
    user = User.objects.create_user(username=role, password="Sturdy-Passw0rd!", role=role)
    tokens[role], ids[role] = str(SessionToken.for_user(user)), user.pk
cluster = Cluster(name="sim", api_server=os.environ["SIM_URL"])
cluster.set_kubeconfig(open(os.environ["SIM_KUBECONFIG"]).read())
cluster.save()
print(json.dumps({"tokens": tokens, "ids": ids, "cluster": cluster.pk}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "daphne exited early"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("daphne did not start listening")


@pytest.fixture(scope="module")
def daphne(kubesim: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("daphne")
    kubeconfig = tmp / "kubeconfig.yaml"
    kubeconfig.write_text(yaml.safe_dump(kubesim.kubeconfig()))
    kubeconfig.chmod(0o600)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kubepolaris.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SECRET_KEY": "daphne-test-secret-" + "k" * 40,
        "FERNET_KEYS": Fernet.generate_key().decode(),
        "KUBEPOLARIS_VAR_DIR": str(tmp / "var"),
        "DEBUG": "0",
        "LOG_LEVEL": "DEBUG",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    made = subprocess.run([python, "manage.py", "shell", "-c", SETUP], cwd=ROOT, check=True, capture_output=True,
                          text=True, env={**env, "SIM_URL": kubesim.url, "SIM_KUBECONFIG": str(kubeconfig)})
    info = json.loads(made.stdout.strip().splitlines()[-1])
    port = _free_port()
    output = tmp / "daphne.out"
    access_log = tmp / "access.log"
    with open(output, "w") as out:
        process = subprocess.Popen(
            [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "2", "--access-log",
             str(access_log), "--ping-interval", "1", "--ping-timeout", "5", "kubepolaris.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process)
        yield {**info, "url": f"ws://127.0.0.1:{port}", "pid": process.pid, "logs": [output, access_log]}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _path(server: dict[str, Any], namespace: str, pod: str, kind: str) -> str:
    return f"{server['url']}/ws/clusters/{server['cluster']}/namespaces/{namespace}/pods/{pod}/{kind}"


async def _next(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _error_then_close(url: str, **kwargs: Any) -> tuple[dict[str, Any], int | None]:
    async with connect(url, **kwargs) as ws:
        first = await _next(ws)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        return first, ws.close_code


async def test_close_codes_over_daphne(daphne: dict[str, Any], kubesim: Any) -> None:
    namespace, pod, _ = find_pod(kubesim)
    logs = _path(daphne, namespace, pod, "logs")
    assert (await _error_then_close(logs))[1] == 4401
    assert (await _error_then_close(logs + "?token=garbage"))[1] == 4401
    viewer, operator = daphne["tokens"]["viewer"], daphne["tokens"]["operator"]
    first, code = await _error_then_close(_path(daphne, namespace, pod, "exec") + f"?token={viewer}")
    assert code == 4403 and first["type"] == "error"
    unknown_cluster = logs.replace(f"/clusters/{daphne['cluster']}/", "/clusters/987654/")
    assert (await _error_then_close(unknown_cluster, additional_headers={"Authorization": f"Bearer {operator}"}))[
        1] == 4404
    assert (await _error_then_close(_path(daphne, namespace, "no-such-pod", "logs") + f"?token={viewer}"))[1] == 4404


async def test_log_follow_over_daphne(daphne: dict[str, Any], kubesim: Any) -> None:
    namespace, pod, (container,) = find_pod(kubesim)
    url = _path(daphne, namespace, pod, "logs") + f"?token={daphne['tokens']['viewer']}"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "subscribe", "container": container, "follow": True, "tailLines": 1}))
        started = time.monotonic()
        first = await _next(ws)
        first_after = time.monotonic() - started
        live = await _next(ws, timeout=10)
        assert first["type"] == live["type"] == "log" and first["data"] != live["data"]
        await ws.send(json.dumps({"type": "subscribe", "container": container, "follow": False, "tailLines": 2}))
        seen = [await _next(ws) for _ in range(3)]
        # A line of the followed stream may still be in flight before the switch.
        while seen[-1]["type"] != "end":
            seen.append(await _next(ws))
        assert seen[-1] == {"type": "end"} and all(f["type"] == "log" for f in seen[:-1])
    assert first_after < 2.0


async def test_exec_over_daphne(daphne: dict[str, Any], kubesim: Any) -> None:
    namespace, pod, (container,) = find_pod(kubesim)
    url = _path(daphne, namespace, pod, "exec") + f"?container={container}&command={quote('/bin/sh')}"
    async with connect(url, additional_headers={"Authorization": f"Bearer {daphne['tokens']['operator']}"}) as ws:
        await ws.send(json.dumps({"type": "input", "data": "echo over-daphne\n"}))
        text = ""
        while text.count("over-daphne") < 2:
            text += (await _next(ws))["data"]
        await ws.send(json.dumps({"type": "resize", "cols": 132, "rows": 43}))
        await ws.send(json.dumps({"type": "input", "data": "stty size\n"}))
        while "43 132\r\n" not in text:
            text += (await _next(ws))["data"]
        await ws.send("definitely not json")
        frame = await _next(ws)
        while frame["type"] == "output":
            frame = await _next(ws)
        assert frame["type"] == "error" and "JSON" in frame["message"]
        await ws.send(json.dumps({"type": "input", "data": "exit 3\n"}))
        frame = await _next(ws)
        while frame["type"] == "output":
            frame = await _next(ws)
        assert frame == {"type": "exit", "code": 3}
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 1000


async def test_daphne_pings_idle_sockets(daphne: dict[str, Any], kubesim: Any) -> None:
    namespace, pod, _ = find_pod(kubesim)
    url = _path(daphne, namespace, pod, "logs") + f"?token={daphne['tokens']['viewer']}"
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("tests.sockets.pings")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Collect())
    async with connect(url, logger=logger, ping_interval=None) as ws:
        await asyncio.sleep(5.0)  # quiet socket: daphne checks every 2 s, so a 1 s interval pings every ~2 s
        assert ws.close_code is None
    assert sum(1 for r in records if r.startswith("< PING")) >= 2


async def test_browser_close_ends_upstream_and_no_token_is_logged(daphne: dict[str, Any], kubesim: Any) -> None:
    namespace, pod, (container,) = find_pod(kubesim)
    port = int(kubesim.url.rsplit(":", 1)[1])
    token = daphne["tokens"]["operator"]
    before = upstream_connections(port)
    ws = await connect(_path(daphne, namespace, pod, "exec") + f"?token={token}&container={container}")
    await ws.send(json.dumps({"type": "input", "data": "sleep 600\n"}))
    await _next(ws)
    follow = await connect(_path(daphne, namespace, pod, "logs") + f"?token={token}")
    await follow.send(json.dumps({"type": "subscribe", "container": container, "follow": True, "tailLines": 1}))
    await _next(follow)
    assert upstream_connections(port) >= before + 2
    await ws.close()
    await follow.close()
    deadline = time.monotonic() + 10
    while upstream_connections(port) > before:
        assert time.monotonic() < deadline, "daphne kept an upstream connection after the browser left"
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # let daphne flush its logs
    logged = "".join(path.read_text() for path in daphne["logs"] if path.exists())
    assert "/ws/clusters/" in logged  # the access log and debug output did record the sockets ...
    assert token not in logged and daphne["tokens"]["viewer"] not in logged  # ... never a token


async def test_another_process_can_end_a_socket_through_redis(daphne: dict[str, Any], kubesim: Any) -> None:
    """Scale-out: with REDIS_URL, this test process reaches a socket served by the daphne child."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL (the in-memory channel layer is private to one process)")
    from accounts.sessions import terminate_user_sockets

    namespace, pod, _ = find_pod(kubesim)
    async with connect(_path(daphne, namespace, pod, "logs") + f"?token={daphne['tokens']['viewer']}") as ws:
        await asyncio.sleep(0.5)  # connect has joined the user's group
        await terminate_user_sockets(daphne["ids"]["viewer"], "Ended from another process")
        assert await _next(ws) == {"type": "error", "message": "Ended from another process"}
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 4401


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


async def test_twenty_concurrent_logs_and_twenty_shells_add_no_thread(daphne: dict[str, Any], kubesim: Any) -> None:
    """The measurement behind choosing kubernetes.aio: streams cost no thread. Figures are printed (-s)."""
    namespace, pod, (container,) = find_pod(kubesim)
    port = int(kubesim.url.rsplit(":", 1)[1])
    viewer, operator = daphne["tokens"]["viewer"], daphne["tokens"]["operator"]

    async def follow() -> tuple[Any, float]:
        started = time.monotonic()
        ws = await connect(_path(daphne, namespace, pod, "logs") + f"?token={viewer}")
        await ws.send(json.dumps({"type": "subscribe", "container": container, "follow": True, "tailLines": 1}))
        assert (await _next(ws))["type"] == "log"
        return ws, time.monotonic() - started

    async def terminal() -> tuple[Any, float]:
        started = time.monotonic()
        ws = await connect(_path(daphne, namespace, pod, "exec") + f"?token={operator}&container={container}")
        await ws.send(json.dumps({"type": "input", "data": "echo up\n"}))
        text = ""
        while text.count("up") < 2:
            text += (await _next(ws))["data"]
        return ws, time.monotonic() - started

    async def round_of(n: int) -> tuple[list[float], list[float], int, int]:
        opened = await asyncio.gather(*[follow() for _ in range(n)], *[terminal() for _ in range(n)])
        during_threads, during_upstream = _threads(daphne["pid"]), upstream_connections(port)
        await asyncio.gather(*[ws.close() for ws, _ in opened])
        return [t for _, t in opened[:n]], [t for _, t in opened[n:]], during_threads, during_upstream

    baseline_upstream = upstream_connections(port)
    await round_of(2)  # warm-up: the database thread, imports, the client cache
    alone = (await round_of(1))[:2]
    idle_threads = _threads(daphne["pid"])
    firsts, shells, during_threads, during_upstream = await round_of(20)
    deadline = time.monotonic() + 10
    while upstream_connections(port) > baseline_upstream:
        assert time.monotonic() < deadline, "upstream connections left behind"
        await asyncio.sleep(0.1)
    after_threads = _threads(daphne["pid"])
    firsts.sort()
    shells.sort()
    print(
        f"\n[measure] daphne threads idle={idle_threads} with-40-sockets={during_threads} after={after_threads}; "
        f"upstream connections during={during_upstream - baseline_upstream}; "
        f"first log line p50={firsts[10] * 1000:.0f}ms max={firsts[-1] * 1000:.0f}ms; "
        f"shell echo round trip p50={shells[10] * 1000:.0f}ms max={shells[-1] * 1000:.0f}ms; "
        f"one socket alone: first log line {alone[0][0] * 1000:.0f}ms, shell echo {alone[1][0] * 1000:.0f}ms"
    )
    assert during_upstream - baseline_upstream >= 40  # every socket really held its own upstream stream
    assert during_threads == idle_threads == after_threads
