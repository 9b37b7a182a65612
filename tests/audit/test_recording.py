"""The asciicast v2 recorder on its own (a fake clock): header, events, input switch, size cap."""
from __future__ import annotations

import json
from typing import Any

import pytest

from audit.middleware import action_for
from audit.recording import Recorder


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def parsed(recorder: Recorder) -> tuple[dict[str, Any], list[list[Any]]]:
    lines = recorder.text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def test_header_and_timed_events() -> None:
    clock = Clock()
    recorder = Recorder(command="/bin/sh", title="t", clock=clock, started_at=1700000000.5)
    clock.now += 0.25
    recorder.output("$ ")
    clock.now += 1.5
    recorder.resize(120, 40)
    recorder.output("é\x00\ud800")  # non-ASCII, NUL and a lone surrogate all survive as JSON escapes
    header, events = parsed(recorder)
    assert header == {"version": 2, "width": 80, "height": 24, "timestamp": 1700000000, "command": "/bin/sh",
                      "title": "t", "env": {"TERM": "xterm-256color"}}
    assert events == [[0.25, "o", "$ "], [1.75, "r", "120x40"], [1.75, "o", "é\x00\ud800"]]
    assert recorder.text().isascii() and "\x00" not in recorder.text()


def test_a_resize_before_any_output_sets_the_header_size() -> None:
    recorder = Recorder(clock=Clock())
    recorder.resize(200, 50)
    recorder.output("hello")
    recorder.resize(100, 30)
    header, events = parsed(recorder)
    assert (header["width"], header["height"]) == (200, 50)
    assert [e[1:] for e in events] == [["r", "200x50"], ["o", "hello"], ["r", "100x30"]]


@pytest.mark.parametrize("record_input", [False, True])
def test_input_is_recorded_only_when_switched_on(record_input: bool) -> None:
    recorder = Recorder(clock=Clock(), record_input=record_input)
    recorder.input("secret-typed\n")
    recorder.output("ok")
    _, events = parsed(recorder)
    assert (["i", "secret-typed\n"] in [e[1:] for e in events]) is record_input


def test_the_cap_truncates_once_and_says_so() -> None:
    recorder = Recorder(clock=Clock(), max_bytes=200)
    for i in range(50):
        recorder.output(f"chunk {i:02d}\r\n")
    _, events = parsed(recorder)
    assert recorder.truncated
    assert events[-1][1:] == ["m", "recording truncated"]
    assert "recording truncated at 200 bytes" in events[-2][2]
    kept = events[:-2]
    assert kept and all(e[1] == "o" and e[2].startswith("chunk") for e in kept)
    body = recorder.text().split("\n", 1)[1]
    assert len(body) - sum(len(json.dumps(e)) + 1 for e in events[-2:]) <= 200


@pytest.mark.parametrize("url_name, method, path, status, expected", [
    ("auth-login", "POST", "/api/auth/login", 200, ("auth.login", "auth")),
    ("auth-login", "POST", "/api/auth/login", 401, ("auth.login_failed", "auth")),
    ("auth-login", "POST", "/api/auth/login", 429, ("auth.login_failed", "auth")),
    ("auth-logout", "POST", "/api/auth/logout", 200, ("auth.logout", "auth")),
    ("ws-ticket", "POST", "/api/auth/ws-ticket", 200, ("auth.ws_ticket", "auth")),
    (None, "POST", "/api/auth/ws-ticket/", 200, ("auth.ws_ticket", "auth")),
    ("pod-detail", "DELETE", "/api/clusters/1/namespaces/a/pods/b", 200, ("pod.delete", "pod")),
    ("deployment-detail", "PUT", "/x", 200, ("deployment.update", "deployment")),
    ("deployment-scale", "POST", "/x", 200, ("deployment.scale", "deployment")),
    ("cluster-list", "POST", "/api/clusters", 201, ("cluster.create", "cluster")),
    ("node-drain", "POST", "/x", 200, ("node.drain", "node")),
    ("user-grant-list", "POST", "/x", 201, ("user_grant.create", "user_grant")),
    (None, "POST", "/api/nope", 404, ("api.unknown", "api")),
])
def test_action_names(url_name: str | None, method: str, path: str, status: int, expected: tuple[str, str]) -> None:
    assert action_for(url_name, method, path, status) == expected
