"""The exec terminal against kubesim's shell over HTTPS (v4 channel protocol), through Channels' communicator."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from common.permissions import Role
from tests.sockets.helpers import closed_with, exec_path, expect_error_close, frame, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


async def output_until(socket: Any, needle: str, count: int = 1, timeout: float = 10) -> str:
    """Concatenated output frames until `needle` appears `count` times."""
    text = ""
    while text.count(needle) < count:
        item = await frame(socket, timeout)
        assert item["type"] == "output", item
        text += item["data"]
    return text


async def shell(sim_cluster: Any, pod: Any, token: str, query: str = "") -> Any:
    namespace, name, (container, *_) = pod
    query = f"container={container}" + (f"&{query}" if query else "")
    return await open_socket(exec_path(sim_cluster.pk, namespace, name), token, query=query)


async def test_echo(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    await socket.send_json_to({"type": "input", "data": "echo hello-from-the-socket\n"})
    text = await output_until(socket, "hello-from-the-socket\r\n", count=2)
    # The TTY echoes the typed line, then the command prints its output on a line of its own.
    assert "echo hello-from-the-socket" in text
    assert text.count("hello-from-the-socket") == 2
    await socket.disconnect()


async def test_stty_size_after_resize(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.ADMIN])
    await socket.send_json_to({"type": "resize", "cols": 123, "rows": 41})
    await socket.send_json_to({"type": "input", "data": "stty size\n"})
    assert "41 123\r\n" in await output_until(socket, "41 123\r\n")
    await socket.send_json_to({"type": "resize", "cols": 80, "rows": 24})
    await socket.send_json_to({"type": "input", "data": "stty size\n"})
    assert "24 80\r\n" in await output_until(socket, "24 80\r\n")
    await socket.disconnect()


async def test_exit_code_then_normal_close(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    await socket.send_json_to({"type": "input", "data": "exit 3\n"})
    frames = await frames_until(socket, lambda f: f["type"] != "output")
    assert frames[-1] == {"type": "exit", "code": 3}
    assert await closed_with(socket) == 1000
    await socket.disconnect()


async def test_exit_zero(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    await socket.send_json_to({"type": "input", "data": "exit\n"})
    assert (await frames_until(socket, lambda f: f["type"] != "output"))[-1] == {"type": "exit", "code": 0}
    assert await closed_with(socket) == 1000
    await socket.disconnect()


async def test_command_with_spaces_is_split_like_a_shell(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    command = quote("sh -c 'echo split-ok; exit 7'")
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR], f"command={command}")
    frames = await frames_until(socket, lambda f: f["type"] != "output")
    assert "split-ok" in "".join(f["data"] for f in frames[:-1])
    assert frames[-1] == {"type": "exit", "code": 7}
    await socket.disconnect()


async def test_repeated_command_params_are_the_argv(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR], "command=echo&command=a%20b")
    frames = await frames_until(socket, lambda f: f["type"] != "output")
    assert "a b" in "".join(f["data"] for f in frames[:-1])
    assert frames[-1] == {"type": "exit", "code": 0}
    await socket.disconnect()


@pytest.mark.parametrize(
    "bad, words",
    [
        ("not json at all", "JSON"),
        ('{"data": "ls\\n"}', "type"),
        ('{"type": "subscribe"}', "input, resize"),
        ('{"type": "resize", "cols": -1, "rows": 40}', "cols"),
        ('{"type": "resize", "cols": 80, "rows": 0}', "rows"),
        ('{"type": "resize", "cols": 80.5, "rows": 24}', "cols"),
        ('{"type": "resize", "cols": "80", "rows": 24}', "cols"),
        ('{"type": "resize", "cols": true, "rows": 24}', "cols"),
        ('{"type": "resize", "cols": 80}', "rows"),
        ('{"type": "input"}', "data"),
        ('{"type": "input", "data": 42}', "data"),
    ],
)
async def test_bad_frames_get_an_error_and_the_terminal_stays(
    sim_cluster: Any, single_pod: Any, tokens: dict, bad: str, words: str
) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    await socket.send_to(text_data=bad)
    error = await frames_until(socket, lambda f: f["type"] == "error")
    assert words in error[-1]["message"]
    await socket.send_json_to({"type": "input", "data": "echo still-here\n"})
    await output_until(socket, "still-here\r\n", count=2)
    await socket.disconnect()


async def test_binary_frame_gets_an_error(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    await socket.send_to(bytes_data=b"\x00ls\n")
    assert "Binary" in (await frames_until(socket, lambda f: f["type"] == "error"))[-1]["message"]
    await socket.disconnect()


async def test_unknown_container_is_4400_listing_containers(
    sim_cluster: Any, multi_pod: Any, tokens: dict
) -> None:
    namespace, name, containers = multi_pod
    socket = await open_socket(exec_path(sim_cluster.pk, namespace, name), tokens[Role.OPERATOR],
                               query="container=nope")
    message = await expect_error_close(socket, 4400)
    assert "nope" in message and all(c in message for c in containers)


async def test_unknown_pod_is_4404(sim_cluster: Any, tokens: dict) -> None:
    socket = await open_socket(exec_path(sim_cluster.pk, "default", "no-such-pod-xyz"), tokens[Role.OPERATOR])
    assert "no-such-pod-xyz" in await expect_error_close(socket, 4404)


async def test_unparsable_command_is_4400(sim_cluster: Any, single_pod: Any, tokens: dict) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR], "command=" + quote("sh -c 'oops"))
    assert "command" in await expect_error_close(socket, 4400)


async def test_missing_executable_reports_kubernetes_message(
    sim_cluster: Any, single_pod: Any, tokens: dict
) -> None:
    socket = await shell(sim_cluster, single_pod, tokens[Role.OPERATOR], "command=no-such-binary")
    message = await expect_error_close(socket, 4502)
    assert "no-such-binary" in message and "not found" in message
