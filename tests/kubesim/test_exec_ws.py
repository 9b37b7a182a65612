"""kubesim.exec over real WebSockets: the official Python client, raw
``websockets`` clients speaking v5/v4/base64, and (if installed) kubectl.

The aiohttp app runs on its own event loop in a background thread on
127.0.0.1 (plain HTTP), so blocking clients can drive it from the test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from kubesim.exec import exec_handler, negotiate_protocol

pytestmark = pytest.mark.timeout(60)

TOKEN = "kubesim-exec-test-token"
POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-0", "namespace": "default", "uid": "1b2c3d4e-0000-4000-8000-000000000001"},
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "env": [
                    {"name": "GREETING", "value": "hello"},
                    {"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                ],
            }
        ]
    },
    "status": {"phase": "Running", "podIP": "10.244.1.7"},
}


class _Server:
    """An aiohttp app on a private loop in a thread; records handler events."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.finished: list[float] = []  # monotonic time each exec handler returned
        self.auth_seen: list[str | None] = []
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _check_auth(self, request: web.Request) -> web.Response | None:
        # kubectl withholds bearer tokens over plain http, so a missing header is
        # tolerated; a wrong one is rejected. Seen headers are recorded.
        auth = request.headers.get("Authorization")
        self.auth_seen.append(auth)
        if auth is not None and auth != f"Bearer {TOKEN}":
            return web.json_response(
                {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401},
                status=401,
            )
        return None

    async def _exec(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        if request.match_info["name"] != POD["metadata"]["name"]:
            return web.json_response(
                {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}, status=404
            )
        container = request.query.get("container") or POD["spec"]["containers"][0]["name"]
        try:
            return await exec_handler(
                request, pod=POD, container=container, command=request.query.getall("command", [])
            )
        finally:
            self.finished.append(time.monotonic())

    async def _get_pod(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        return web.json_response(POD)

    async def _discovery(self, request: web.Request) -> web.StreamResponse:
        """Just enough discovery for kubectl (legacy, non-aggregated JSON)."""
        if request.path == "/api":
            return web.json_response({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        if request.path == "/apis":
            return web.json_response({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        return web.json_response(
            {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": "v1",
                "resources": [
                    {
                        "name": "pods",
                        "singularName": "pod",
                        "namespaced": True,
                        "kind": "Pod",
                        "verbs": ["get", "list"],
                        "shortNames": ["po"],
                    },
                    {
                        "name": "pods/exec",
                        "singularName": "",
                        "namespaced": True,
                        "kind": "PodExecOptions",
                        "verbs": ["create", "get"],
                    },
                ],
            }
        )

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        path = "/api/v1/namespaces/{ns}/pods/{name}"
        app.router.add_route("GET", path + "/exec", self._exec)
        app.router.add_route("POST", path + "/exec", self._exec)
        app.router.add_get(path, self._get_pod)
        for discovery in ("/api", "/apis", "/api/v1"):
            app.router.add_get(discovery, self._discovery)
        self._runner = web.AppRunner(app)
        self.loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(10)

    def stop(self) -> None:
        async def shutdown() -> None:
            assert self._runner is not None
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    srv.start()
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------
# (a) the official kubernetes Python client
# ---------------------------------------------------------------------------


@pytest.fixture
def core_v1(server: _Server) -> Any:
    from kubernetes import client

    config = client.Configuration()
    config.host = server.base
    config.api_key = {"authorization": TOKEN}
    config.api_key_prefix = {"authorization": "Bearer"}
    return client.CoreV1Api(client.ApiClient(config))


def _client_exec(core_v1: Any, command: list[str], **kwargs: Any) -> Any:
    from kubernetes.stream import stream

    return stream(
        core_v1.connect_get_namespaced_pod_exec,
        "web-0",
        "default",
        command=command,
        stdout=True,
        stderr=True,
        _preload_content=False,
        **kwargs,
    )


def _drain(resp: Any, timeout: float = 10) -> tuple[str, str]:
    out, err = [], []
    deadline = time.monotonic() + timeout
    while resp.is_open() and time.monotonic() < deadline:
        resp.update(timeout=1)
        out.append(resp.read_stdout(timeout=0))
        err.append(resp.read_stderr(timeout=0))
    assert not resp.is_open(), "server did not close the exec stream"
    # Reading one channel can pull the other's last frames (and the close) off the socket: collect them too.
    out.append(resp.read_stdout(timeout=0))
    err.append(resp.read_stderr(timeout=0))
    return "".join(out), "".join(err)


def test_official_client_stdout_stderr_and_success(core_v1: Any, server: _Server) -> None:
    resp = _client_exec(core_v1, ["sh", "-c", "echo out; echo err >&2; echo $GREETING $POD_NS"], stdin=False, tty=False)
    out, err = _drain(resp)
    assert out == "out\nhello default\n"
    assert err == "err\n"
    assert resp.returncode == 0
    assert resp.subprotocol == "v5.channel.k8s.io"
    assert server.auth_seen[-1] == f"Bearer {TOKEN}"


def test_official_client_returncode_for_exit_3(core_v1: Any) -> None:
    resp = _client_exec(core_v1, ["sh", "-c", "echo bye; exit 3"], stdin=False, tty=False)
    out, _ = _drain(resp)
    assert out == "bye\n"
    assert resp.returncode == 3


def test_official_client_preloaded_direct_command(core_v1: Any) -> None:
    from kubernetes.stream import stream

    text = stream(
        core_v1.connect_get_namespaced_pod_exec,
        "web-0",
        "default",
        command=["echo", "hi", "there"],
        stdout=True,
        stderr=True,
        stdin=False,
        tty=False,
    )
    assert text == "hi there\n"


def test_official_client_interactive_tty_resize(core_v1: Any) -> None:
    resp = _client_exec(core_v1, ["/bin/sh"], stdin=True, tty=True)
    try:
        resp.update(timeout=2)
        resp.write_channel(4, json.dumps({"Width": 132, "Height": 43}))
        resp.write_stdin("stty size\r")
        out = ""
        deadline = time.monotonic() + 10
        while "43 132" not in out and time.monotonic() < deadline:
            resp.update(timeout=1)
            out += resp.read_stdout(timeout=0)
        # prompt, echoed input (CR -> CRLF), then the command's CRLF output
        assert out.startswith("# stty size\r\n43 132\r\n"), out
        assert resp.read_stderr(timeout=0) == ""  # tty merges stderr into stdout
        resp.write_stdin("exit 5\r")
        _drain(resp)
        assert resp.returncode == 5
    finally:
        resp.close()


def test_official_client_stdin_lines(core_v1: Any) -> None:
    resp = _client_exec(core_v1, ["sh"], stdin=True, tty=False)
    try:
        resp.write_stdin("X=$((6*7))\necho answer=$X\nfoo\nexit\n")
        out, err = _drain(resp)
        assert out == "answer=42\n"  # no prompt, no echo without a tty
        assert err == "sh: 3: foo: not found\n"
        assert resp.returncode == 127  # `exit` keeps the last status
    finally:
        resp.close()


# ---------------------------------------------------------------------------
# (b) raw websockets clients
# ---------------------------------------------------------------------------


def _url(server: _Server, command: list[str], **flags: bool) -> str:
    query = "&".join(f"command={c}" for c in command)
    for name, value in flags.items():
        query += f"&{name}={'true' if value else 'false'}"
    return f"ws://127.0.0.1:{server.port}/api/v1/namespaces/default/pods/web-0/exec?{query}"


def _connect(server: _Server, command: list[str], protocols: list[str], **flags: bool) -> ClientConnection:
    from urllib.parse import quote

    quoted = [quote(c, safe="") for c in command]
    return connect(
        _url(server, quoted, **flags),
        subprotocols=protocols,  # type: ignore[arg-type]
        additional_headers={"Authorization": f"Bearer {TOKEN}"},
        open_timeout=10,
        max_size=None,
    )


def _collect(ws: ClientConnection, timeout: float = 10) -> dict[int, bytes]:
    """Read frames until the server closes; returns payload per channel."""
    got: dict[int, bytes] = {}
    try:
        while True:
            msg = ws.recv(timeout=timeout)
            assert isinstance(msg, bytes), "server must send binary frames"
            got[msg[0]] = got.get(msg[0], b"") + msg[1:]
    except ConnectionClosed:
        pass
    assert ws.close_code == 1000
    return got


def test_v5_stdin_close_signal_ends_cat(server: _Server) -> None:
    with _connect(
        server, ["cat"], ["v5.channel.k8s.io", "v4.channel.k8s.io"], stdin=True, stdout=True, stderr=True
    ) as ws:
        assert ws.subprotocol == "v5.channel.k8s.io"
        first = ws.recv(timeout=5)
        assert first == b"\x01"  # the kubelet's empty "ready" frame on stdout
        ws.send(b"\x00line one\npartial")
        ws.send(bytes([255, 0]))  # v5: client closed stdin
        got = _collect(ws)
    assert got[1] == b"line one\npartial"
    assert json.loads(got[3]) == {"metadata": {}, "status": "Success"}
    assert 2 not in got


def test_v5_nonzero_exit_status_shape(server: _Server) -> None:
    with _connect(server, ["sh", "-c", "echo oops >&2; exit 3"], ["v5.channel.k8s.io"], stdout=True, stderr=True) as ws:
        got = _collect(ws)
    assert got[2] == b"oops\n"
    status = json.loads(got[3])
    assert status == {
        "metadata": {},
        "status": "Failure",
        "message": (
            "command terminated with non-zero exit code: "
            "error executing command [sh -c echo oops >&2; exit 3], exit code 3"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }


def test_v4_protocol_and_text_frames_accepted(server: _Server) -> None:
    with _connect(server, ["sh"], ["v4.channel.k8s.io"], stdin=True, stdout=True, stderr=True) as ws:
        assert ws.subprotocol == "v4.channel.k8s.io"
        ws.send("\x00echo via-text-frame\n")  # like the Python client's str writes
        ws.send(b"\x00exit 4\n")
        got = _collect(ws)
    assert got[1] == b"via-text-frame\n"
    assert json.loads(got[3])["details"]["causes"][0] == {"reason": "ExitCode", "message": "4"}


def test_v4_ignores_close_signal(server: _Server) -> None:
    """[255, 0] means nothing in v4: stdin stays open until the socket closes."""
    with _connect(server, ["cat"], ["v4.channel.k8s.io"], stdin=True, stdout=True) as ws:
        ws.recv(timeout=5)  # ready frame
        ws.send(b"\x00abc\n")
        assert ws.recv(timeout=5) == b"\x01abc\n"
        ws.send(bytes([255, 0]))
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)


def test_base64_protocol(server: _Server) -> None:
    with _connect(server, ["sh"], ["v4.base64.channel.k8s.io"], stdin=True, stdout=True) as ws:
        assert ws.subprotocol == "v4.base64.channel.k8s.io"
        assert ws.recv(timeout=5) == "1"
        ws.send("0" + base64.b64encode(b"echo b64\nexit 0\n").decode())
        frames = []
        try:
            while True:
                frames.append(ws.recv(timeout=5))
        except ConnectionClosed:
            pass
    assert all(isinstance(f, str) for f in frames)
    decoded = {f[0]: base64.b64decode(f[1:]) for f in frames}
    assert decoded["1"] == b"b64\n"
    assert json.loads(decoded["3"])["status"] == "Success"


def test_tty_resize_and_echo_over_v5(server: _Server) -> None:
    with _connect(server, ["bash"], ["v5.channel.k8s.io"], stdin=True, stdout=True, stderr=True, tty=True) as ws:
        ws.send(b"\x04" + json.dumps({"Width": 100, "Height": 30}).encode())
        ws.send(b"\x00stty size; echo $TERM\r")
        seen = b""
        while b"xterm\r\n" not in seen:
            frame = ws.recv(timeout=5)
            assert isinstance(frame, bytes) and frame[0] == 1
            seen += frame[1:]
        ws.send(b"\x00exit\r")  # typed only now: a pty echoes type-ahead immediately
        got = _collect(ws)
    out = (seen + got[1]).decode()
    assert out == "root@web-0:/# stty size; echo $TERM\r\n30 100\r\nxterm\r\nroot@web-0:/# exit\r\nexit\r\n"
    assert 2 not in got  # merged into stdout
    assert json.loads(got[3])["status"] == "Success"


def test_unknown_executable_fails_like_containerd(server: _Server) -> None:
    with _connect(server, ["foo"], ["v5.channel.k8s.io"], stdout=True, stderr=True) as ws:
        got = _collect(ws)
    status = json.loads(got[3])
    assert status["status"] == "Failure"
    assert status["reason"] == "InternalError"
    assert status["code"] == 500
    assert status["message"].startswith("Internal error occurred: error executing command in container:")
    assert 'exec: "foo": executable file not found in $PATH: unknown' in status["message"]


def test_unsupported_protocol_is_403(server: _Server) -> None:
    with pytest.raises(InvalidStatus) as info:
        _connect(server, ["ls"], ["v3.channel.k8s.io", "bogus"], stdout=True)
    assert info.value.response.status_code == 403


def test_no_streams_is_400(server: _Server) -> None:
    with pytest.raises(InvalidStatus) as info:
        _connect(server, ["ls"], ["v5.channel.k8s.io"], stdout=False)
    assert info.value.response.status_code == 400
    assert b"you must specify at least 1 of stdin, stdout, stderr" in info.value.response.body


def test_client_close_interrupts_long_sleep(server: _Server) -> None:
    before = len(server.finished)
    start = time.monotonic()
    with _connect(server, ["sleep", "3600"], ["v5.channel.k8s.io"], stdout=True) as ws:
        ws.recv(timeout=5)  # ready frame: the process is running
    deadline = time.monotonic() + 5
    while len(server.finished) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.finished) == before + 1, "handler still running after client closed"
    assert server.finished[-1] - start < 5


def test_ctrl_c_interrupts_sleep_in_tty_shell(server: _Server) -> None:
    with _connect(server, ["sh"], ["v5.channel.k8s.io"], stdin=True, stdout=True, tty=True) as ws:
        ws.send(b"\x00sleep 3600\r")
        time.sleep(0.2)
        ws.send(b"\x00\x03")  # ^C
        ws.send(b"\x00echo status=$?\r")
        ws.send(b"\x00exit\r")
        got = _collect(ws)
    out = got[1].decode()
    assert "^C\r\n" in out
    assert "status=130\r\n" in out


def test_negotiation_follows_client_order() -> None:
    assert negotiate_protocol(["v5.channel.k8s.io", "v4.channel.k8s.io"]) == "v5.channel.k8s.io"
    assert negotiate_protocol(["v3.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io"]) == "v4.channel.k8s.io"
    assert negotiate_protocol([]) == ""
    assert negotiate_protocol(["v2.channel.k8s.io"]) is None


# ---------------------------------------------------------------------------
# (c) real kubectl, when available
# ---------------------------------------------------------------------------


@pytest.fixture
def kubeconfig(server: _Server, tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "sim", "cluster": {"server": server.base}}],
                "users": [{"name": "u", "user": {"token": TOKEN}}],
                "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "u", "namespace": "default"}}],
                "current-context": "sim",
            }
        )
    )
    return path


def _kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    return subprocess.run(
        [kubectl, *args], input=stdin, capture_output=True, text=True, timeout=30, env=env, check=False
    )


def test_kubectl_exec_exit_code(kubeconfig: Path) -> None:
    result = _kubectl(kubeconfig, "exec", "web-0", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert result.stdout == "out\n"
    assert result.stderr == "err\ncommand terminated with exit code 3\n"
    assert result.returncode == 3


def test_kubectl_exec_stdin_eof_via_v5_close(kubeconfig: Path) -> None:
    result = _kubectl(kubeconfig, "exec", "-i", "web-0", "--", "sh", stdin="echo $((2+3))\nhostname\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "5\nweb-0\n"


def test_kubectl_exec_unknown_command(kubeconfig: Path) -> None:
    result = _kubectl(kubeconfig, "exec", "web-0", "--", "nope")
    assert result.returncode == 1
    assert 'exec: "nope": executable file not found in $PATH' in result.stderr
    assert result.stderr.startswith("error: Internal error occurred:")


def test_resize_messages_split_and_batched(server: _Server) -> None:
    with _connect(server, ["sh"], ["v5.channel.k8s.io"], stdin=True, stdout=True, tty=True) as ws:
        ws.send(b'\x04{"Width":90,')  # an object split across frames...
        ws.send(b'\x04"Height":20}{"Width":91,"Height":21}')  # ...then two in one frame
        ws.send(b"\x00stty size\r")
        ws.send(b"\x00exit\r")
        got = _collect(ws)
    assert "21 91\r\n" in got[1].decode()
