"""Issue 10.3 on sockets: a change made in the Django admin (role, password, delete, bulk delete) ends the user's
open sockets at once, as the REST API's changes do. (The REST side over real daphne: test_daphne_sessions.py.)"""
from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from common.permissions import Role
from tests.accounts.test_access_changes import NEW_PASSWORD, change_form
from tests.sockets.helpers import closed_with, exec_path, frame, logs_path, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


@pytest.fixture
def browser(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("root", role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


async def error_then_close(socket: Any) -> tuple[str, int]:
    """Skip the shell's in-flight output; return the error frame's message and the close code."""
    while (item := await frame(socket))["type"] in ("output", "log"):
        pass
    assert item["type"] == "error", item
    code = await closed_with(socket)
    await socket.disconnect()
    return item["message"], code


async def open_shell(cluster: Any, pod: Any, token: str) -> Any:
    namespace, name, (container,) = pod
    socket = await open_socket(exec_path(cluster.pk, namespace, name), token, query=f"container={container}")
    await socket.send_json_to({"type": "input", "data": "echo ready\n"})
    text = ""
    while text.count("ready") < 2:  # the shell runs and the socket has joined its user's group
        text += (await frame(socket))["data"]
    return socket


async def open_log(cluster: Any, pod: Any, token: str) -> Any:
    namespace, name, (container, *_) = pod
    socket = await open_socket(logs_path(cluster.pk, namespace, name), token)
    await socket.send_json_to({"type": "subscribe", "container": container, "follow": False, "tailLines": 1})
    while (await frame(socket))["type"] != "end":  # frames are handled after connect, so the group is joined
        pass
    return socket


async def test_admin_demotion_closes_an_open_shell(sim_cluster: Any, single_pod: Any, role_users: dict,
                                                   tokens: dict, browser: Client) -> None:
    operator = role_users[Role.OPERATOR]
    shell = await open_shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    post = sync_to_async(browser.post)
    page = await post(f"/admin/accounts/user/{operator.pk}/change/", change_form(operator, role=Role.VIEWER))
    assert page.status_code == 302
    message, code = await error_then_close(shell)
    assert code == 4401 and "log in again" in message


async def test_admin_password_change_closes_open_sockets(sim_cluster: Any, single_pod: Any, role_users: dict,
                                                         tokens: dict, browser: Client) -> None:
    viewer = role_users[Role.VIEWER]
    socket = await open_log(sim_cluster, single_pod, tokens[Role.VIEWER])
    shell = await open_shell(sim_cluster, single_pod, tokens[Role.OPERATOR])  # another user's: stays open
    page = await sync_to_async(browser.post)(f"/admin/accounts/user/{viewer.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert page.status_code == 302
    message, code = await error_then_close(socket)
    assert code == 4401 and "log in again" in message
    await shell.send_json_to({"type": "input", "data": "echo still-here\n"})
    text = ""
    while text.count("still-here") < 2:
        item = await frame(shell)
        assert item["type"] == "output", item
        text += item["data"]
    await shell.disconnect()


@pytest.mark.parametrize("bulk", [False, True], ids=["delete-page", "bulk-delete-action"])
async def test_admin_delete_closes_open_sockets(sim_cluster: Any, single_pod: Any, role_users: dict,
                                                tokens: dict, browser: Client, bulk: bool) -> None:
    operator, viewer = role_users[Role.OPERATOR], role_users[Role.VIEWER]
    shell = await open_shell(sim_cluster, single_pod, tokens[Role.OPERATOR])
    log = await open_log(sim_cluster, single_pod, tokens[Role.VIEWER])
    post = sync_to_async(browser.post)
    if bulk:
        page = await post("/admin/accounts/user/", {"action": "delete_selected", "post": "yes",
                                                    "_selected_action": [operator.pk, viewer.pk]})
    else:
        page = await post(f"/admin/accounts/user/{operator.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302
    message, code = await error_then_close(shell)
    assert code == 4401 and message == "Your account was removed"
    if bulk:
        assert (await error_then_close(log))[1] == 4401
    else:
        await log.disconnect()
