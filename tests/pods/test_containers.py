"""One container rule set (pods.containers) for REST logs, the log socket and the exec socket: kubectl's."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from common.errors import InvalidRequest
from common.permissions import Role
from kube.streams import PodStreams
from pods.containers import DEFAULT_CONTAINER_ANNOTATION, PodContainers, choose_container
from tests.api_mixins import assert_envelope
from tests.conftest import bearer_client, register_sim
from tests.pods.helpers import pod_url
from tests.sockets.conftest import find_pod
from tests.sockets.helpers import exec_path, expect_error_close, frame, frames_until, logs_path, open_socket, token_for

RUNNING = {"running": {"startedAt": "2024-01-01T00:00:00Z"}}


def pod(containers: tuple[str, ...] = ("app", "sidecar"), *, init: tuple[str, ...] = (),
        ephemeral: tuple[str, ...] = (), annotation: str | None = None, running: tuple[str, ...] = ()) -> dict:
    def statuses(names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"name": n, "state": RUNNING if n in running else {"waiting": {"reason": "PodInitializing"}}}
                for n in names]

    meta: dict[str, Any] = {"name": "web-0"}
    if annotation is not None:
        meta["annotations"] = {DEFAULT_CONTAINER_ANNOTATION: annotation}
    return {
        "metadata": meta,
        "spec": {"containers": [{"name": n} for n in containers], "initContainers": [{"name": n} for n in init],
                 "ephemeralContainers": [{"name": n} for n in ephemeral]},
        "status": {"phase": "Running", "containerStatuses": statuses(containers),
                   "initContainerStatuses": statuses(init), "ephemeralContainerStatuses": statuses(ephemeral)},
    }


class TestRules:
    def test_default_is_the_first_container(self) -> None:
        assert choose_container(pod(), None) == "app"
        assert choose_container(pod(), "") == "app"

    def test_default_is_the_annotated_container(self) -> None:
        assert choose_container(pod(annotation="sidecar"), None) == "sidecar"

    def test_annotation_may_name_an_init_or_ephemeral_container_as_in_kubectl(self) -> None:
        assert choose_container(pod(init=("migrate",), annotation="migrate"), None) == "migrate"
        assert choose_container(pod(ephemeral=("debugger",), annotation="debugger"), None) == "debugger"

    def test_annotation_naming_no_container_falls_back_to_the_first(self) -> None:
        assert choose_container(pod(annotation="gone"), None) == "app"

    def test_pod_without_containers_is_400(self) -> None:
        with pytest.raises(InvalidRequest, match="has no containers"):
            choose_container(pod(containers=()), None)

    @pytest.mark.parametrize("name", ["sidecar", "migrate", "debugger"])
    def test_any_container_by_explicit_name(self, name: str) -> None:
        assert choose_container(pod(init=("migrate",), ephemeral=("debugger",)), name) == name

    def test_unknown_name_lists_every_container_by_kind(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            choose_container(pod(init=("migrate",), ephemeral=("debugger",)), "nope")
        assert caught.value.message == ("Container 'nope' is not in pod 'web-0'; its containers are: app, sidecar; "
                                        "init containers: migrate; ephemeral containers: debugger")

    def test_exec_needs_a_running_container(self) -> None:
        subject = pod(init=("migrate",), ephemeral=("debugger",), running=("app", "debugger"))
        assert choose_container(subject, "debugger", must_run=True) == "debugger"
        assert choose_container(subject, None, must_run=True) == "app"
        with pytest.raises(InvalidRequest, match=r"'migrate' of pod 'web-0' is not running \(pod phase Running\)"):
            choose_container(subject, "migrate", must_run=True)

    def test_reads_the_api_objects_shape(self) -> None:
        info = PodContainers.of(pod(init=("migrate",), ephemeral=("debugger",), running=("app",)))
        assert info.all == ("app", "sidecar", "migrate", "debugger") and info.running == {"app"}


# --- the same answers through REST logs and both sockets, on the simulated cluster ---------------

def _debuggable(sim: Any) -> tuple[str, str, list[str], list[str]]:
    """(namespace, name, containers, init containers) of a running two-container pod, annotated to default to
    its second container, with a running ephemeral container `debugger` (as `kubectl debug` would add)."""
    namespace, name, containers = find_pod(sim, containers=2)

    def change(p: dict[str, Any]) -> dict[str, Any]:
        p["metadata"].setdefault("annotations", {})[DEFAULT_CONTAINER_ANNOTATION] = containers[1]
        p["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox:1.36", "stdin": True, "tty": True}]
        started = next(s["state"] for s in p["status"]["containerStatuses"] if s["name"] == containers[0])
        p["status"]["ephemeralContainerStatuses"] = [
            {"name": "debugger", "image": "busybox:1.36", "imageID": "", "ready": False, "restartCount": 0,
             "state": started}]
        return p

    changed = sim.store.mutate("pods", namespace, name, change)
    return namespace, name, containers, [c["name"] for c in changed["spec"].get("initContainers") or []]


@pytest.fixture
def debuggable(fresh_kubesim: Callable[..., Any]) -> tuple[Any, str, str, list[str], list[str]]:
    sim = fresh_kubesim()
    return (sim, *_debuggable(sim))


@pytest.mark.django_db
def test_rest_logs_follow_the_rules(api: Any, debuggable: Any) -> None:
    sim, namespace, name, containers, inits = debuggable
    cluster = register_sim(sim, name="containers-rest")
    client, url = api(Role.VIEWER), pod_url(cluster, namespace, name, "/logs")

    def lines(**params: str) -> list[str]:
        return assert_envelope(client.get(url, params), 200)["data"]["logs"].splitlines()[:3]

    assert lines() == lines(container=containers[1]) != lines(container=containers[0])  # the annotation wins
    assert_envelope(client.get(url, {"container": "debugger"}), 200)  # ephemeral: allowed by name
    message = assert_envelope(client.get(url, {"container": "nope"}), 400)["message"]
    listed = "; ".join([", ".join(containers), *([f"init containers: {', '.join(inits)}"] if inits else []),
                        "ephemeral containers: debugger"])
    assert message == f"Container 'nope' is not in pod '{name}'; its containers are: {listed}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
async def test_sockets_agree_with_rest(debuggable: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, namespace, name, containers, inits = debuggable
    cluster = await database_sync_to_async(register_sim)(sim, "containers-sockets")
    viewer = await database_sync_to_async(make_user)(role=Role.VIEWER)
    operator = await database_sync_to_async(make_user)(role=Role.OPERATOR)
    rest = await database_sync_to_async(lambda: bearer_client(viewer).get(
        pod_url(cluster, namespace, name, "/logs"), {"container": "nope"}).json()["message"])()

    # Log socket: the default is the annotated container; an unknown name gets REST's words; ephemeral by name.
    socket = await open_socket(logs_path(cluster.pk, namespace, name), token_for(viewer))
    await socket.send_json_to({"type": "subscribe", "follow": False})
    default = [f["data"] for f in await frames_until(socket, lambda f: f["type"] != "log") if f["type"] == "log"]
    explicit = await database_sync_to_async(lambda: bearer_client(viewer).get(
        pod_url(cluster, namespace, name, "/logs"), {"container": containers[1]}).json()["data"]["logs"])()
    assert default[:3] == explicit.splitlines()[:3]
    await socket.send_json_to({"type": "subscribe", "container": "nope"})
    assert await frame(socket) == {"type": "error", "message": rest}
    await socket.send_json_to({"type": "subscribe", "container": "debugger", "follow": False})
    assert (await frame(socket))["type"] in ("log", "end")
    await socket.disconnect()

    # Exec socket: the same unknown-name refusal, the annotated default, and the ephemeral container by name.
    exec_url = exec_path(cluster.pk, namespace, name)
    socket = await open_socket(exec_url, token_for(operator), query="container=nope")
    assert await expect_error_close(socket, 4400) == rest

    chosen: list[str] = []
    original = PodStreams.pod_exec

    def spy(self: PodStreams, namespace: str, name: str, *, container: str, **kwargs: Any) -> Any:
        chosen.append(container)
        return original(self, namespace, name, container=container, **kwargs)

    monkeypatch.setattr(PodStreams, "pod_exec", spy)
    for query in ("", "container=debugger"):
        socket = await open_socket(exec_url, token_for(operator), query=query)
        await socket.send_json_to({"type": "input", "data": "echo ok\n"})
        assert (await frame(socket))["type"] == "output"
        await socket.disconnect()
    assert chosen == [containers[1], "debugger"]
