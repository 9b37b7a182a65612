"""Issue 11.1: `GET/POST /api/users/:id/grants`, `DELETE …/grants/:grantId`, the user's `scope`, and the sockets."""
from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from accounts.models import Grant, Scope, User
from common.permissions import Role
from tests.api_mixins import assert_envelope, assert_page
from tests.conftest import bearer_client, register_sim
from tests.sockets.conftest import find_pod
from tests.sockets.helpers import exec_path, expect_error_close, frame, logs_path, open_socket, token_for


@pytest.fixture
def cluster(db: Any, kubesim: Any) -> Any:
    return register_sim(kubesim, "prod")


def grants_url(user: User) -> str:
    return f"/api/users/{user.pk}/grants"


def test_a_grant_scopes_the_user(admin_api: Any, make_user: Any, cluster: Any) -> None:
    user = make_user(role=Role.VIEWER)
    client = bearer_client(user)
    assert_envelope(client.get(f"/api/clusters/{cluster.pk}/pods?namespace=shop"), 200)  # unscoped: everything
    body = assert_envelope(admin_api.post(grants_url(user), {"clusterId": cluster.pk, "namespace": "monitoring",
                                                             "role": "operator"}, format="json"), 201)
    assert set(body["data"]) == {"id", "clusterId", "namespace", "role", "createdAt"}
    assert body["data"]["clusterId"] == cluster.pk and body["data"]["namespace"] == "monitoring"
    assert assert_envelope(admin_api.get(f"/api/users/{user.pk}"), 200)["data"]["scope"] == "granted"
    assert_envelope(client.get(f"/api/clusters/{cluster.pk}/pods?namespace=shop"), 404)
    items = assert_page(assert_envelope(admin_api.get(grants_url(user)), 200))
    assert [g["id"] for g in items] == [body["data"]["id"]]


def test_removing_the_last_grant_never_widens(admin_api: Any, make_user: Any, cluster: Any) -> None:
    user = make_user(role=Role.OPERATOR)
    grant = assert_envelope(admin_api.post(grants_url(user), {"clusterId": cluster.pk, "role": "viewer"},
                                           format="json"), 201)["data"]
    assert grant["namespace"] is None
    client = bearer_client(user)
    assert_envelope(client.get(f"/api/clusters/{cluster.pk}/nodes"), 200)
    assert_envelope(client.post(f"/api/clusters/{cluster.pk}/nodes/worker-1/cordon"), 403)  # viewer grant
    assert_envelope(admin_api.delete(f"{grants_url(user)}/{grant['id']}"), 200)
    assert_envelope(client.get(f"/api/clusters/{cluster.pk}/pods"), 404)
    assert assert_envelope(client.get("/api/clusters"), 200)["data"]["total"] == 0
    assert_envelope(admin_api.put(f"/api/users/{user.pk}", {"scope": "all"}, format="json"), 200)
    assert_envelope(client.get(f"/api/clusters/{cluster.pk}/pods"), 401)  # a scope change is an access change
    user.refresh_from_db()
    assert_envelope(bearer_client(user).get(f"/api/clusters/{cluster.pk}/pods"), 200)  # only `all` widens


@pytest.mark.parametrize(("body", "field"), [
    ({"clusterId": 999999, "role": "viewer"}, "clusterId"),
    ({"clusterId": "abc", "role": "viewer"}, "clusterId"),
    ({"role": "viewer"}, "clusterId"),
    ({"clusterId": "{cluster}", "role": "admin"}, "role"),
    ({"clusterId": "{cluster}", "role": "viewer", "namespace": "Shop"}, "namespace"),
    ({"clusterId": "{cluster}", "role": "viewer", "namespace": ".."}, "namespace"),
    ({"clusterId": "{cluster}", "role": "viewer", "namespace": 12}, "namespace"),
])
def test_bad_grants_are_400_naming_why(admin_api: Any, make_user: Any, cluster: Any, body: dict[str, Any],
                                       field: str) -> None:
    user = make_user(role=Role.VIEWER)
    body = {k: (cluster.pk if v == "{cluster}" else v) for k, v in body.items()}
    answer = assert_envelope(admin_api.post(grants_url(user), body, format="json"), 400)
    assert field in answer["data"]["errors"], answer
    assert not Grant.objects.filter(user=user).exists()


def test_grant_for_an_admin_is_400_and_duplicates_409(admin_api: Any, make_user: Any, cluster: Any) -> None:
    admin = make_user(role=Role.ADMIN)
    answer = assert_envelope(admin_api.post(grants_url(admin), {"clusterId": cluster.pk, "role": "viewer"},
                                            format="json"), 400)
    assert "admin" in answer["message"]
    user = make_user(role=Role.VIEWER)
    body = {"clusterId": cluster.pk, "namespace": "shop", "role": "viewer"}
    assert_envelope(admin_api.post(grants_url(user), body, format="json"), 201)
    assert_envelope(admin_api.post(grants_url(user), {**body, "role": "operator"}, format="json"), 409)
    whole = {"clusterId": cluster.pk, "role": "viewer"}
    assert_envelope(admin_api.post(grants_url(user), whole, format="json"), 201)
    assert_envelope(admin_api.post(grants_url(user), {**whole, "namespace": None}, format="json"), 409)


def test_only_admins_manage_grants(api: Any, make_user: Any, cluster: Any) -> None:
    user = make_user(role=Role.VIEWER)
    for role in (Role.VIEWER, Role.OPERATOR):
        client = api(role)
        assert_envelope(client.get(grants_url(user)), 403)
        assert_envelope(client.post(grants_url(user), {"clusterId": cluster.pk, "role": "viewer"}, format="json"), 403)


def test_unknown_user_or_grant_is_404(admin_api: Any, make_user: Any) -> None:
    assert_envelope(admin_api.get("/api/users/999999/grants"), 404)
    assert_envelope(admin_api.delete(f"{grants_url(make_user())}/123456"), 404)


def test_grants_in_the_django_admin(client: Any, make_user: Any, cluster: Any) -> None:
    """The grant form on the admin site scopes the user too, and refuses an admin or a bad namespace."""
    admin = make_user(role=Role.ADMIN, is_superuser=True)  # the Django admin's own permissions: a superuser
    client.force_login(admin)
    user = make_user(role=Role.VIEWER)
    add = "/admin/accounts/grant/add/"
    assert client.post(add, {"user": user.pk, "cluster": cluster.pk, "namespace": "Bad_NS", "role": "viewer"}
                       ).status_code == 200  # the form again, with the error
    assert client.post(add, {"user": admin.pk, "cluster": cluster.pk, "namespace": "", "role": "viewer"}
                       ).status_code == 200
    assert not Grant.objects.exists()
    assert client.post(add, {"user": user.pk, "cluster": cluster.pk, "namespace": "shop", "role": "viewer"}
                       ).status_code == 302
    user.refresh_from_db()
    assert user.scope == Scope.GRANTED and Grant.objects.get(user=user).namespace == "shop"


# --- sockets: the same decision --------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
async def test_sockets_follow_the_grants(kubesim: Any, make_user: Any) -> None:
    namespace, pod, _ = find_pod(kubesim, containers=1)

    def setup() -> tuple[Any, Any, str, str]:
        granted, hidden = register_sim(kubesim, "sock-granted"), register_sim(kubesim, "sock-hidden")
        viewer, operator = make_user(role=Role.OPERATOR), make_user(role=Role.VIEWER)
        Grant.objects.create(user=viewer, cluster=granted, namespace=namespace, role=Role.VIEWER)
        Grant.objects.create(user=operator, cluster=granted, namespace=namespace, role=Role.OPERATOR)
        return granted, hidden, token_for(viewer), token_for(operator)

    granted, hidden, viewer, operator = await database_sync_to_async(setup)()
    other = "kube-system" if namespace != "kube-system" else "default"
    # outside the grant: 4404, as if it did not exist
    await expect_error_close(await open_socket(logs_path(hidden.pk, namespace, pod), operator), 4404)
    await expect_error_close(await open_socket(logs_path(granted.pk, other, pod), operator), 4404)
    await expect_error_close(await open_socket(exec_path(granted.pk, other, pod), operator), 4404)
    # a viewer grant may follow logs, not exec (the global operator role does not count once scoped)
    message = await expect_error_close(await open_socket(exec_path(granted.pk, namespace, pod), viewer), 4403)
    assert "operator" in message
    logs = await open_socket(logs_path(granted.pk, namespace, pod), viewer)
    await logs.send_json_to({"type": "subscribe", "follow": False, "tailLines": 1})
    first = await frame(logs)
    assert first["type"] in ("log", "end"), first
    await logs.disconnect()
    shell = await open_socket(exec_path(granted.pk, namespace, pod), operator, query="command=echo&command=granted")
    seen = [await frame(shell)]
    while seen[-1]["type"] == "output":
        seen.append(await frame(shell))
    assert seen[-1] == {"type": "exit", "code": 0} and "granted" in "".join(f.get("data", "") for f in seen)
    await shell.disconnect()
