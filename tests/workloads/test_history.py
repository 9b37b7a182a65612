"""Rollout history and rollback of Deployments (issue 13.2), with `kubectl rollout history` as the oracle."""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from kubepolaris.client import Client
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope, assert_page
from tests.conftest import bearer_client, register_sim
from tests.pods.helpers import Kubectl, deployment_url
from tests.sdk.stub import StubServer, ok

ANY = "/api/clusters/1/namespaces/default/deployments/nginx"
ITEM_KEYS = {"revision", "createdAt", "changeCause", "images", "replicas", "current"}
NEW_IMAGE = "nginx:9.9-history"
KUBECTL = shutil.which("kubectl")


def wait_for(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.fixture
def rollout(db: Any, fresh_kubesim: Any, tmp_path: Path, make_user: Any) -> Any:
    """A private fast-ticking demo sim, registered, with an operator (`alice-…`) and its client."""
    sim = fresh_kubesim(tick=0.1)
    cluster = register_sim(sim, name=f"history-{sim.port}")
    user = make_user(role=Role.OPERATOR)

    class World:
        pass

    world = World()
    world.sim, world.cluster, world.user, world.api = sim, cluster, user, bearer_client(user)
    world.kubectl = Kubectl(sim, tmp_path) if KUBECTL else None
    world.url = lambda suffix="": deployment_url(cluster, "default", "nginx", suffix)
    return world


def history(world: Any) -> list[dict[str, Any]]:
    body = assert_envelope(world.api.get(world.url("/history"), {"pageSize": 100}), 200)
    return assert_page(body)


def history_with(world: Any, revisions: list[int]) -> list[dict[str, Any]]:
    """Wait until the controller has made the revisions `revisions` (and exactly those)."""
    def check() -> list[dict[str, Any]] | None:
        items = history(world)
        return items if [r["revision"] for r in items] == revisions else None
    return wait_for(check, f"revisions {revisions}")


def sim_replicasets(sim: Any, name: str = "nginx") -> list[dict[str, Any]]:
    return [rs for rs in sim.store.list("replicasets.apps")
            if rs["metadata"]["namespace"] == "default" and rs["metadata"]["name"].startswith(f"{name}-")]


def put_deployment(world: Any, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit the live Deployment and PUT it through our API, again on a 409 (the sim's controller writes too)."""
    for _ in range(20):
        manifest = json.loads(json.dumps(world.sim.store.get("deployments.apps", "default", "nginx")))
        manifest.pop("status", None)
        edit(manifest)
        response = world.api.put(world.url(), manifest, format="json")
        if response.status_code != 409:
            assert_envelope(response, 200)
            return
    raise AssertionError("the PUT kept conflicting with the controller")


def set_image(world: Any, image: str) -> None:
    """Change the image with a PUT through our API (the usual edit of an operator)."""
    put_deployment(world, lambda m: m["spec"]["template"]["spec"]["containers"][0].update(image=image))


# --- access --------------------------------------------------------------------------------------

class TestHistoryAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY + "/history"
    min_role = Role.VIEWER


class TestRevisionAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY + "/history/1"
    min_role = Role.VIEWER


class TestRollbackAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY + "/rollback"
    method = "post"
    body = {"revision": 1}
    min_role = Role.OPERATOR


# --- reads and bad input on the shared sim (nothing here changes it) ------------------------------

@pytest.mark.django_db
class TestReads:
    def test_one_revision_at_first(self, api: Any, sim_cluster: Any, kubesim: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "nginx", "/history")),
                               200)
        items = assert_page(body)
        assert body["data"]["total"] == len(items) == 1
        item = items[0]
        assert set(item) == ITEM_KEYS
        live = kubesim.store.get("deployments.apps", "default", "nginx")
        assert item["revision"] == 1 and item["current"] is True
        assert item["images"] == [c["image"] for c in live["spec"]["template"]["spec"]["containers"]]
        assert item["replicas"] == live["spec"]["replicas"]
        assert item["createdAt"].endswith("Z")

    def test_current_revision_has_no_diff_and_no_hash_label(self, api: Any, sim_cluster: Any, kubesim: Any) -> None:
        data = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "nginx", "/history/1")),
                               200)["data"]
        assert set(data) == ITEM_KEYS | {"template", "diff"}
        assert data["diff"] == ""
        assert "pod-template-hash" not in data["template"]["metadata"]["labels"]
        live = kubesim.store.get("deployments.apps", "default", "nginx")
        assert data["template"]["spec"]["containers"] == live["spec"]["template"]["spec"]["containers"]

    @pytest.mark.parametrize(("revision", "code", "words"), [
        ("999", 404, "Revision 999 of Deployment 'nginx' not found"),
        ("x", 400, "whole number"), ("0", 400, "revision"), ("-1", 400, "revision"),
        ("99999999999999999999999", 400, "revision"),
    ])
    def test_bad_revisions(self, api: Any, sim_cluster: Any, revision: str, code: int, words: str) -> None:
        body = assert_envelope(api(Role.VIEWER).get(
            deployment_url(sim_cluster, "default", "nginx", f"/history/{revision}")), code)
        assert words in body["message"]

    @pytest.mark.parametrize("payload", [{"revision": "x"}, {"revision": -1}, {"revision": 1.5},
                                         {"revision": True}, {"revision": None}])
    def test_bad_rollback_bodies_are_400(self, api: Any, sim_cluster: Any, payload: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(sim_cluster, "default", "nginx", "/rollback"),
                                                       payload, format="json"), 400)
        assert "revision" in body["data"]["errors"]

    def test_rollback_to_an_unknown_revision_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(sim_cluster, "default", "nginx", "/rollback"),
                                                       {"revision": 42}, format="json"), 404)
        assert "Revision 42 of Deployment 'nginx' not found" in body["message"]

    def test_rollback_without_a_previous_revision_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(sim_cluster, "default", "nginx", "/rollback"),
                                                       {}, format="json"), 404)
        assert "no previous revision" in body["message"]

    def test_viewer_may_not_roll_back(self, api: Any, sim_cluster: Any) -> None:
        assert_envelope(api(Role.VIEWER).post(deployment_url(sim_cluster, "default", "nginx", "/rollback"),
                                              {"revision": 1}, format="json"), 403)

    def test_unknown_deployment_and_namespace_are_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "ghost", "/history")), 404)
        assert "Deployment 'ghost'" in body["message"]
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "atlantis", "nginx", "/history")),
                               404)
        assert "Namespace 'atlantis'" in body["message"]


# --- the whole round trip on a private sim --------------------------------------------------------

@pytest.mark.django_db
class TestRollback:
    def test_change_read_diff_roll_back_and_forth(self, rollout: Any) -> None:
        old_image = history(rollout)[0]["images"][0]
        set_image(rollout, NEW_IMAGE)
        first, second = history_with(rollout, [1, 2])
        cause = f"kubepolaris: update by {rollout.user.username}"
        assert (first["images"], first["current"]) == ([old_image], False)
        assert (second["images"], second["current"], second["changeCause"]) == ([NEW_IMAGE], True, cause)

        detail = assert_envelope(rollout.api.get(rollout.url("/history/1")), 200)["data"]
        assert detail["revision"] == 1 and detail["current"] is False
        assert detail["template"]["spec"]["containers"][0]["image"] == old_image
        assert "pod-template-hash" not in detail["template"]["metadata"]["labels"]
        assert detail["diff"].startswith("--- current\n+++ revision 1\n")
        assert f"-  - image: {NEW_IMAGE}\n" in detail["diff"] and f"+  - image: {old_image}\n" in detail["diff"]

        # revision 0 = the previous one: revision 1's ReplicaSet comes back as revision 3, as kubectl shows it
        body = assert_envelope(rollout.api.post(rollout.url("/rollback"), {}, format="json"), 200)
        assert body["data"] == {"name": "nginx", "namespace": "default", "revision": 1, "rolledBack": True}
        assert body["message"] == "Deployment rolled back to revision 1"
        second, third = history_with(rollout, [2, 3])
        assert (third["images"], third["current"]) == ([old_image], True)
        assert third["changeCause"] == f"kubepolaris: rollback to revision 1 by {rollout.user.username}"
        live = rollout.sim.store.get("deployments.apps", "default", "nginx")
        assert live["spec"]["template"]["spec"]["containers"][0]["image"] == old_image
        assert "pod-template-hash" not in live["spec"]["template"]["metadata"]["labels"]
        rs = next(r for r in sim_replicasets(rollout.sim)
                  if r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3")
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"

        # to the current template: a no-op that says so
        body = assert_envelope(rollout.api.post(rollout.url("/rollback"), {"revision": 3}, format="json"), 200)
        assert body["data"]["rolledBack"] is False and "already matches revision 3" in body["message"]
        # an explicit revision
        body = assert_envelope(rollout.api.post(rollout.url("/rollback"), {"revision": 2}, format="json"), 200)
        assert body["data"]["rolledBack"] is True
        third, fourth = history_with(rollout, [3, 4])
        assert (fourth["images"], fourth["current"], third["current"]) == ([NEW_IMAGE], True, False)

    def test_paused_deployment_is_refused(self, rollout: Any) -> None:
        set_image(rollout, NEW_IMAGE)
        history_with(rollout, [1, 2])
        put_deployment(rollout, lambda m: m["spec"].update(paused=True))
        body = assert_envelope(rollout.api.post(rollout.url("/rollback"), {"revision": 1}, format="json"), 409)
        assert "paused" in body["message"]
        live = rollout.sim.store.get("deployments.apps", "default", "nginx")
        assert live["spec"]["template"]["spec"]["containers"][0]["image"] == NEW_IMAGE

    def test_scale_and_restart_record_their_change_cause(self, rollout: Any) -> None:
        who = rollout.user.username
        assert_envelope(rollout.api.post(rollout.url("/scale"), {"replicas": 2}, format="json"), 200)
        scaled = f"kubepolaris: scaled to 2 by {who}"
        live = rollout.sim.store.get("deployments.apps", "default", "nginx")
        assert live["metadata"]["annotations"]["kubernetes.io/change-cause"] == scaled
        # the controller copies the Deployment's annotations onto its current ReplicaSet
        wait_for(lambda: history(rollout)[-1]["changeCause"] == scaled, "the scale's change cause on revision 1")
        assert_envelope(rollout.api.post(rollout.url("/restart")), 200)
        first, second = history_with(rollout, [1, 2])
        assert (first["changeCause"], second["changeCause"]) == (scaled, f"kubepolaris: restart by {who}")

    def test_new_replicasets_get_the_deployments_annotations_but_the_skip_list(self, rollout: Any) -> None:
        """kubesim as kube-controller-manager: every annotation but the controller's own bookkeeping is copied."""
        def annotate(d: dict[str, Any]) -> dict[str, Any]:
            d["metadata"]["annotations"].update({"team": "web",
                                                 "kubectl.kubernetes.io/last-applied-configuration": "{}"})
            d["spec"]["template"]["spec"]["containers"][0]["image"] = NEW_IMAGE
            return d
        rollout.sim.store.mutate("deployments.apps", "default", "nginx", annotate)
        history_with(rollout, [1, 2])
        new = next(r for r in sim_replicasets(rollout.sim)
                   if r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2")
        assert new["metadata"]["annotations"]["team"] == "web"
        assert "kubectl.kubernetes.io/last-applied-configuration" not in new["metadata"]["annotations"]

    @pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the oracle check needs it")
    def test_kubectl_rollout_history_agrees(self, rollout: Any) -> None:
        set_image(rollout, NEW_IMAGE)
        history_with(rollout, [1, 2])
        assert_envelope(rollout.api.post(rollout.url("/rollback"), {"revision": 1}, format="json"), 200)
        ours = history_with(rollout, [2, 3])
        out = rollout.kubectl.run("rollout", "history", "deployment/nginx", "-n", "default")
        lines = out.splitlines()
        assert lines[0].strip() == "deployment.apps/nginx" and lines[1].split() == ["REVISION", "CHANGE-CAUSE"], out
        rows = [line.split(None, 1) for line in lines[2:] if line.strip()]
        assert [(int(rev), cause.strip()) for rev, cause in rows] == \
            [(item["revision"], item["changeCause"] or "<none>") for item in ours]
        # and kubectl's own undo goes where ours would: the previous revision, 2, comes back as 4
        rollout.kubectl.run("rollout", "undo", "deployment/nginx", "-n", "default")
        third, fourth = history_with(rollout, [3, 4])
        assert fourth["images"] == [NEW_IMAGE] and fourth["current"]


# --- the SDK -------------------------------------------------------------------------------------

def test_sdk_methods_send_what_the_api_expects() -> None:
    stub = StubServer()
    try:
        stub.script(ok({"items": [{"revision": 1}], "total": 1, "page": 1, "pageSize": 20}),
                    ok({"revision": 2, "diff": ""}), ok({"revision": 1, "rolledBack": True}), ok({"revision": 0}))
        deployments = Client(stub.url, token="t").deployments(3, "default")
        page = deployments.history("web")
        assert [item["revision"] for item in page.items] == [1] and page.total == 1
        assert deployments.revision("web", 2)["revision"] == 2
        assert deployments.rollback("web", revision=1)["rolledBack"] is True
        deployments.rollback("web")
        sent = [(method, path.split("?")[0], body) for method, path, _, body in stub.requests]
        base = "/api/clusters/3/namespaces/default/deployments/web"
        assert sent == [("GET", f"{base}/history", b""), ("GET", f"{base}/history/2", b""),
                        ("POST", f"{base}/rollback", b'{"revision": 1}'), ("POST", f"{base}/rollback",
                                                                           b'{"revision": 0}')]
        assert "pageSize=20" in stub.requests[0][1]
    finally:
        stub.stop()
