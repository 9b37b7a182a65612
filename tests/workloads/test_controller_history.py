"""Rollout history and rollback of StatefulSets and DaemonSets from their ControllerRevisions (issue 13.2),
with `kubectl rollout history` as the oracle."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from kubepolaris.client import Client
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.conftest import bearer_client, register_sim
from tests.pods.helpers import Kubectl
from tests.sdk.stub import StubServer, ok
from tests.workloads.test_history import ITEM_KEYS, wait_for

KUBECTL = shutil.which("kubectl")
NS = "monitoring"
# plural → (the demo fleet's object in `monitoring`, its kind, kubectl's resource name)
KINDS = {"statefulsets": ("prometheus", "StatefulSet", "statefulset"),
         "daemonsets": ("node-exporter", "DaemonSet", "daemonset")}
NEW_IMAGE = "example/controller-history:9.9"
CAUSE = "kubernetes.io/change-cause"


def url(cluster: Any, plural: str, suffix: str = "", name: str | None = None) -> str:
    return f"/api/clusters/{cluster.pk}/namespaces/{NS}/{plural}/{name or KINDS[plural][0]}{suffix}"


# --- access --------------------------------------------------------------------------------------

class TestStatefulSetHistoryAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/monitoring/statefulsets/prometheus/history"
    min_role = Role.VIEWER


class TestDaemonSetRevisionAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/monitoring/daemonsets/node-exporter/history/1"
    min_role = Role.VIEWER


class TestStatefulSetRollbackAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/monitoring/statefulsets/prometheus/rollback"
    method = "post"
    body = {"revision": 1}
    min_role = Role.OPERATOR


class TestDaemonSetRollbackAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/namespaces/monitoring/daemonsets/node-exporter/rollback"
    method = "post"
    body = {"revision": 1}
    min_role = Role.OPERATOR


# --- bad input on the shared sim (nothing here changes it) ----------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("plural", list(KINDS))
class TestBadInput:
    @pytest.mark.parametrize(("revision", "code", "words"), [
        ("999", 404, "Revision 999 of {kind} '{name}' not found"),
        ("x", 400, "whole number"), ("0", 400, "revision"), ("-1", 400, "revision"),
    ])
    def test_bad_revisions(self, api: Any, sim_cluster: Any, plural: str, revision: str, code: int,
                           words: str) -> None:
        name, kind, _ = KINDS[plural]
        body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, plural, f"/history/{revision}")), code)
        assert words.format(kind=kind, name=name) in body["message"]

    @pytest.mark.parametrize("payload", [{"revision": "x"}, {"revision": -1}, {"revision": True}])
    def test_bad_rollback_bodies_are_400(self, api: Any, sim_cluster: Any, plural: str, payload: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(url(sim_cluster, plural, "/rollback"), payload,
                                                       format="json"), 400)
        assert "revision" in body["data"]["errors"]

    def test_unknown_revision_no_previous_one_and_unknown_object_are_404(self, api: Any, sim_cluster: Any,
                                                                        plural: str) -> None:
        name, kind, _ = KINDS[plural]
        operator = api(Role.OPERATOR)
        body = assert_envelope(operator.post(url(sim_cluster, plural, "/rollback"), {"revision": 42},
                                             format="json"), 404)
        assert f"Revision 42 of {kind} '{name}' not found" in body["message"]
        body = assert_envelope(operator.post(url(sim_cluster, plural, "/rollback"), {}, format="json"), 404)
        assert f"{kind} '{name}' has no previous revision" in body["message"]
        body = assert_envelope(operator.get(url(sim_cluster, plural, "/history", name="ghost")), 404)
        assert f"{kind} 'ghost' not found" in body["message"]

    def test_viewer_may_not_roll_back(self, api: Any, sim_cluster: Any, plural: str) -> None:
        body = assert_envelope(api(Role.VIEWER).post(url(sim_cluster, plural, "/rollback"), {"revision": 1},
                                                     format="json"), 403)
        assert f"rolling back a {KINDS[plural][1].lower()}" in body["message"]


# --- the whole round trip on a private sim --------------------------------------------------------

@pytest.fixture
def world(db: Any, fresh_kubesim: Any, tmp_path: Path, make_user: Any) -> Any:
    sim = fresh_kubesim(tick=0.1)

    class World:
        pass

    w = World()
    w.sim, w.cluster, w.user = sim, register_sim(sim, name=f"ctlhistory-{sim.port}"), make_user(role=Role.OPERATOR)
    w.api = bearer_client(w.user)
    w.kubectl = Kubectl(sim, tmp_path) if KUBECTL else None
    return w


def history(world: Any, plural: str) -> list[dict[str, Any]]:
    return assert_page(assert_envelope(world.api.get(url(world.cluster, plural, "/history"), {"pageSize": 100}),
                                       200))


def history_with(world: Any, plural: str, revisions: list[int]) -> list[dict[str, Any]]:
    def check() -> list[dict[str, Any]] | None:
        items = history(world, plural)
        return items if [r["revision"] for r in items] == revisions else None
    return wait_for(check, f"{plural} revisions {revisions}")


def live(world: Any, plural: str) -> dict[str, Any]:
    return world.sim.store.get(f"{plural}.apps", NS, KINDS[plural][0])


def change_image(world: Any, plural: str, image: str, cause: str) -> None:
    """An edit made outside KubePolaris (as `kubectl set image` + annotate would): image and change cause."""
    def edit(obj: dict[str, Any]) -> dict[str, Any]:
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
        obj["metadata"].setdefault("annotations", {})[CAUSE] = cause
        return obj
    world.sim.store.mutate(f"{plural}.apps", NS, KINDS[plural][0], edit)


@pytest.mark.parametrize("plural", list(KINDS))
def test_change_read_diff_roll_back_and_forth(world: Any, plural: str) -> None:
    name, kind, _ = KINDS[plural]
    [first] = history_with(world, plural, [1])
    old_image = live(world, plural)["spec"]["template"]["spec"]["containers"][0]["image"]
    assert set(first) == ITEM_KEYS and first["current"] is True and first["images"] == [old_image]
    assert first["changeCause"] is None and first["createdAt"].endswith("Z")
    if plural == "daemonsets":
        assert first["replicas"] is None
    else:
        wait_for(lambda: history(world, plural)[0]["replicas"] == 1, "the StatefulSet's pod at revision 1")

    change_image(world, plural, NEW_IMAGE, "to 9.9")
    first, second = history_with(world, plural, [1, 2])
    assert (first["current"], second["current"]) == (False, True)
    assert (second["images"], second["changeCause"]) == ([NEW_IMAGE], "to 9.9")

    detail = assert_envelope(world.api.get(url(world.cluster, plural, "/history/1")), 200)["data"]
    assert set(detail) == ITEM_KEYS | {"template", "diff"} and detail["revision"] == 1
    assert "$patch" not in detail["template"]
    assert detail["template"]["spec"]["containers"][0]["image"] == old_image
    assert detail["diff"].startswith("--- current\n+++ revision 1\n")
    changed = [line for line in detail["diff"].splitlines()[2:] if line[:1] in "+-" and not line.startswith("@@")]
    assert [(line[0], line[1:].strip(" -")) for line in changed] == [("-", f"image: {NEW_IMAGE}"),
                                                                     ("+", f"image: {old_image}")]
    current = assert_envelope(world.api.get(url(world.cluster, plural, "/history/2")), 200)["data"]
    assert current["diff"] == "" and current["current"] is True

    # revision 0 = the previous one: revision 1's ControllerRevision is reused and comes back as revision 3
    body = assert_envelope(world.api.post(url(world.cluster, plural, "/rollback"), {}, format="json"), 200)
    assert body["data"] == {"name": name, "namespace": NS, "revision": 1, "rolledBack": True}
    assert body["message"] == f"{kind} rolled back to revision 1"
    obj = live(world, plural)
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == old_image
    assert "$patch" not in obj["spec"]["template"]
    # the change cause is recorded on the object; the reused revision keeps its own, as kubectl shows it
    assert obj["metadata"]["annotations"][CAUSE] == f"kubepolaris: rollback to revision 1 by {world.user.username}"
    second, third = history_with(world, plural, [2, 3])
    assert (third["images"], third["current"], third["changeCause"]) == ([old_image], True, None)

    # to the current template: a no-op that says so
    body = assert_envelope(world.api.post(url(world.cluster, plural, "/rollback"), {"revision": 3},
                                          format="json"), 200)
    assert body["data"]["rolledBack"] is False and "already matches revision 3" in body["message"]
    # an explicit revision
    body = assert_envelope(world.api.post(url(world.cluster, plural, "/rollback"), {"revision": 2},
                                          format="json"), 200)
    assert body["data"] == {"name": name, "namespace": NS, "revision": 2, "rolledBack": True}
    third, fourth = history_with(world, plural, [3, 4])
    assert (fourth["images"], fourth["current"], third["current"]) == ([NEW_IMAGE], True, False)
    assert_envelope(world.api.get(url(world.cluster, plural, "/history/1")), 404)


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the oracle check needs it")
@pytest.mark.parametrize("plural", list(KINDS))
def test_kubectl_rollout_history_agrees(world: Any, plural: str) -> None:
    name, _, resource = KINDS[plural]
    history_with(world, plural, [1])
    change_image(world, plural, NEW_IMAGE, "to 9.9")
    history_with(world, plural, [1, 2])
    assert_envelope(world.api.post(url(world.cluster, plural, "/rollback"), {"revision": 1}, format="json"), 200)
    ours = history_with(world, plural, [2, 3])
    out = world.kubectl.run("rollout", "history", f"{resource}/{name}", "-n", NS)
    lines = out.splitlines()
    assert lines[0].strip() == f"{resource}.apps/{name}" and lines[1].split() == ["REVISION", "CHANGE-CAUSE"], out
    rows = [line.split(None, 1) for line in lines[2:] if line.strip()]
    assert [(int(rev), cause.strip()) for rev, cause in rows] == \
        [(item["revision"], item["changeCause"] or "<none>") for item in ours]
    # kubectl's own undo goes where ours would: the previous revision, 2, comes back as 4
    world.kubectl.run("rollout", "undo", f"{resource}/{name}", "-n", NS)
    third, fourth = history_with(world, plural, [3, 4])
    assert fourth["images"] == [NEW_IMAGE] and fourth["current"]


# --- the SDK -------------------------------------------------------------------------------------

@pytest.mark.parametrize("plural", list(KINDS))
def test_sdk_methods_send_what_the_api_expects(plural: str) -> None:
    stub = StubServer()
    try:
        stub.script(ok({"items": [{"revision": 1}], "total": 1, "page": 1, "pageSize": 20}),
                    ok({"revision": 2, "diff": ""}), ok({"revision": 1, "rolledBack": True}), ok({"revision": 0}))
        group = getattr(Client(stub.url, token="t"), plural)(3, "default")
        page = group.history("web")
        assert [item["revision"] for item in page.items] == [1] and page.total == 1
        assert group.revision("web", 2)["revision"] == 2
        assert group.rollback("web", revision=1)["rolledBack"] is True
        group.rollback("web")
        sent = [(method, path.split("?")[0], body) for method, path, _, body in stub.requests]
        base = f"/api/clusters/3/namespaces/default/{plural}/web"
        assert sent == [("GET", f"{base}/history", b""), ("GET", f"{base}/history/2", b""),
                        ("POST", f"{base}/rollback", b'{"revision": 1}'),
                        ("POST", f"{base}/rollback", b'{"revision": 0}')]
    finally:
        stub.stop()
