"""Deployment detail, update, delete, scale and restart against the simulated cluster (kubectl as the oracle)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import yaml

from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope
from tests.pods.helpers import deployment_url

DETAIL_KEYS = {"kind", "name", "namespace", "replicas", "readyReplicas", "availableReplicas", "images", "labels",
               "status", "createdAt", "selector", "strategy", "conditions", "containers", "annotations",
               "resourceVersion", "pods"}
RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SECRET = "hunter2-super-secret-value"
ANY = "/api/clusters/1/namespaces/default/deployments/nginx"


def manifest_of(kubectl: Any, name: str = "nginx", namespace: str = "default") -> dict[str, Any]:
    """The Deployment as kubectl gets it, ready to send back (status and managed fields dropped)."""
    obj = kubectl.json("get", "deployment", name, "-n", namespace)
    obj.pop("status", None)
    obj["metadata"].pop("managedFields", None)
    return obj


# --- access --------------------------------------------------------------------------------------

class TestDetailAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY
    min_role = Role.VIEWER


class TestUpdateAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY
    method = "put"
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}, "spec": {}}
    min_role = Role.OPERATOR


class TestDeleteAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY
    method = "delete"
    min_role = Role.OPERATOR


class TestScaleAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY + "/scale"
    method = "post"
    body = {"replicas": 1}
    min_role = Role.OPERATOR


class TestRestartAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = ANY + "/restart"
    method = "post"
    min_role = Role.OPERATOR


# --- detail --------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestDetail:
    def test_detail_of_nginx(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        deploy = kubectl.json("get", "deployment", "nginx", "-n", "default")
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "nginx")), 200)
        data = body["data"]
        assert set(data) == DETAIL_KEYS
        assert (data["kind"], data["name"], data["namespace"], data["replicas"]) == ("Deployment", "nginx",
                                                                                     "default", 3)
        assert data["selector"] == deploy["spec"]["selector"]
        assert data["strategy"] == deploy["spec"].get("strategy", {})
        assert data["resourceVersion"] == deploy["metadata"]["resourceVersion"]
        template = deploy["spec"]["template"]["spec"]["containers"]
        assert [c["name"] for c in data["containers"]] == [c["name"] for c in template]
        for ours, theirs in zip(data["containers"], template, strict=True):
            assert set(ours) == {"name", "image", "ports", "resources", "env"}
            assert ours["image"] == theirs["image"]
            assert ours["env"] == [e["name"] for e in theirs.get("env", [])]
        assert {c["type"] for c in data["conditions"]} == {c["type"] for c in deploy["status"].get("conditions", [])}

    def test_pods_are_the_deployments(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        labels = kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["selector"]["matchLabels"]
        selector = ",".join(f"{k}={v}" for k, v in labels.items())
        pods = kubectl.json("get", "pods", "-n", "default", "-l", selector)["items"]
        expected = {p["metadata"]["name"] for p in pods}
        data = api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "nginx")).json()["data"]
        assert {p["name"] for p in data["pods"]} == expected and len(expected) >= 3
        assert all(p["status"] for p in data["pods"])

    def test_unknown_deployment_is_404_naming_it(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "default", "ghost")), 404)
        assert "Deployment 'ghost'" in body["message"] and "default" in body["message"]

    def test_unknown_namespace_is_404_naming_it(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).get(deployment_url(sim_cluster, "atlantis", "nginx")), 404)
        assert "Namespace 'atlantis'" in body["message"]

    def test_unknown_cluster_is_404(self, api: Any, db: Any) -> None:
        assert_envelope(api(Role.VIEWER).get("/api/clusters/777/namespaces/default/deployments/nginx"), 404)


# --- update --------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestUpdate:
    def test_put_json_manifest(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        manifest["metadata"].setdefault("labels", {})["team"] = "edge"
        manifest["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
        body = assert_envelope(api(Role.OPERATOR).put(deployment_url(cluster, "default", "nginx"), manifest,
                                                      format="json"), 200)
        assert body["data"]["labels"]["team"] == "edge" and body["data"]["images"] == ["nginx:1.27"]
        after = kubectl.json("get", "deployment", "nginx", "-n", "default")
        assert after["metadata"]["labels"]["team"] == "edge"
        assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"

    def test_put_yaml_text(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        manifest["spec"]["replicas"] = 2
        text = yaml.safe_dump(manifest)
        assert_envelope(api(Role.ADMIN).put(deployment_url(cluster, "default", "nginx"), {"yaml": text},
                                            format="json"), 200)
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["replicas"] == 2

    def test_env_values_never_come_back(self, api: Any, fresh: Any) -> None:
        """Env values (and kubectl's last-applied copy that repeats them) can hold secrets."""
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        manifest["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "DB_PASSWORD", "value": SECRET}]
        manifest["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = (
            json.dumps(manifest))
        client = api(Role.OPERATOR)
        put = client.put(deployment_url(cluster, "default", "nginx"), manifest, format="json")
        assert_envelope(put, 200)
        got = client.get(deployment_url(cluster, "default", "nginx"))
        for response in (put, got):
            assert SECRET not in response.content.decode()
            assert response.json()["data"]["containers"][0]["env"] == ["DB_PASSWORD"]
        assert SECRET in kubectl.run("get", "deployment", "nginx", "-n", "default", "-o", "json")

    def test_stale_resource_version_is_409(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        client = api(Role.OPERATOR)
        first = dict(manifest, spec={**manifest["spec"], "replicas": 4})
        assert_envelope(client.put(deployment_url(cluster, "default", "nginx"), first, format="json"), 200)
        stale = dict(manifest, spec={**manifest["spec"], "replicas": 1})
        body = assert_envelope(client.put(deployment_url(cluster, "default", "nginx"), stale, format="json"), 409)
        assert "modified" in body["message"] or "conflict" in body["message"].lower()
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["replicas"] == 4

    def test_without_resource_version_it_overwrites(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        del manifest["metadata"]["resourceVersion"]
        manifest["spec"]["replicas"] = 5
        assert_envelope(api(Role.OPERATOR).put(deployment_url(cluster, "default", "nginx"), manifest,
                                               format="json"), 200)
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["replicas"] == 5

    @pytest.mark.parametrize(("change", "field"), [
        (lambda m: m["metadata"].update(name="other"), "metadata.name"),
        (lambda m: m["metadata"].update(namespace="shop"), "metadata.namespace"),
        (lambda m: m.update(kind="Service"), "kind"),
        (lambda m: m.update(apiVersion="v1"), "apiVersion"),
        (lambda m: m.pop("kind"), "kind"),
        (lambda m: m.pop("spec"), "spec"),
        (lambda m: m.update(spec="replicas: 3"), "spec"),
        (lambda m: m.update(metadata=["nginx"]), "metadata"),
    ])
    def test_not_a_deployment_for_this_path_is_400_naming_the_field(self, api: Any, sim_cluster: Any,
                                                                     kubectl: Any, change: Any, field: str) -> None:
        manifest = manifest_of(kubectl)
        change(manifest)
        response = api(Role.OPERATOR).put(deployment_url(sim_cluster, "default", "nginx"), manifest, format="json")
        body = assert_envelope(response, 400)
        assert field in body["data"]["errors"], body
        assert body["message"].startswith(field)

    @pytest.mark.parametrize(("payload", "field"), [
        ({"yaml": "kind: [unclosed"}, "yaml"),
        ({"yaml": "- just\n- a list\n"}, "yaml"),
        ({"yaml": 42}, "yaml"),
        ({"yaml": "apiVersion: apps/v1\nkind: ConfigMap\nmetadata: {}\nspec: {}\n"}, "kind"),
    ])
    def test_bad_yaml_is_400(self, api: Any, sim_cluster: Any, payload: dict, field: str) -> None:
        response = api(Role.OPERATOR).put(deployment_url(sim_cluster, "default", "nginx"), payload, format="json")
        body = assert_envelope(response, 400)
        assert field in body["data"]["errors"] and body["message"].startswith(field)

    def test_a_json_list_is_400(self, api: Any, sim_cluster: Any) -> None:
        response = api(Role.OPERATOR).put(deployment_url(sim_cluster, "default", "nginx"), [1, 2], format="json")
        assert_envelope(response, 400)

    def test_kubernetes_refusal_is_400_with_its_reason(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        manifest = manifest_of(kubectl)
        manifest["spec"]["template"]["metadata"]["labels"] = {"app": "something-else"}
        body = assert_envelope(api(Role.OPERATOR).put(deployment_url(cluster, "default", "nginx"), manifest,
                                                      format="json"), 400)
        assert "selector" in body["message"] and "does not match" in body["message"]

    def test_manifest_without_selector_or_template_is_400_not_500(self, api: Any, sim_cluster: Any) -> None:
        """Found by the fuzzer: the client's own models refuse it before sending; that is the user's mistake."""
        manifest = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}, "spec": {}}
        body = assert_envelope(api(Role.OPERATOR).put(deployment_url(sim_cluster, "default", "nginx"), manifest,
                                                      format="json"), 400)
        assert "selector" in body["message"] or "template" in body["message"]

    def test_unknown_deployment_is_404(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        manifest = manifest_of(kubectl)
        manifest["metadata"]["name"] = "ghost"
        body = assert_envelope(api(Role.OPERATOR).put(deployment_url(sim_cluster, "default", "ghost"), manifest,
                                                      format="json"), 404)
        assert "Deployment 'ghost'" in body["message"]


# --- delete --------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestDelete:
    def test_delete(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        body = assert_envelope(api(Role.OPERATOR).delete(deployment_url(cluster, "default", "nginx")), 200)
        assert body["message"] == "Deployment deleted successfully" and body["data"] is None
        assert kubectl.run("get", "deployment", "nginx", "-n", "default", check=False) == ""
        assert_envelope(api(Role.VIEWER).get(deployment_url(cluster, "default", "nginx")), 404)

    def test_unknown_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).delete(deployment_url(sim_cluster, "default", "ghost")), 404)
        assert "ghost" in body["message"]

    def test_viewer_is_403_and_nothing_happens(self, api: Any, sim_cluster: Any, kubectl: Any) -> None:
        body = assert_envelope(api(Role.VIEWER).delete(deployment_url(sim_cluster, "default", "nginx")), 403)
        assert "operator" in body["message"]
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["metadata"]["name"] == "nginx"


# --- scale ---------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestScale:
    @pytest.mark.parametrize("replicas", [5, 0])
    def test_scale(self, api: Any, fresh: Any, replicas: int) -> None:
        _, cluster, kubectl = fresh
        url = deployment_url(cluster, "default", "nginx", "/scale")
        body = assert_envelope(api(Role.OPERATOR).post(url, {"replicas": replicas}, format="json"), 200)
        assert body["data"] == {"name": "nginx", "namespace": "default", "replicas": replicas}
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["replicas"] == replicas
        scale = json.loads(kubectl.run("get", "--raw", "/apis/apps/v1/namespaces/default/deployments/nginx/scale"))
        assert scale["spec"]["replicas"] == replicas

    @pytest.mark.parametrize("payload", [
        {"replicas": "3"}, {"replicas": 2.5}, {"replicas": 3.0}, {"replicas": True}, {"replicas": -1},
        {"replicas": None}, {"replicas": 10001}, {"replicas": [3]}, {},
    ])
    def test_bad_replicas_is_400_naming_the_field(self, api: Any, sim_cluster: Any, kubectl: Any,
                                                  payload: dict) -> None:
        url = deployment_url(sim_cluster, "default", "nginx", "/scale")
        body = assert_envelope(api(Role.OPERATOR).post(url, payload, format="json"), 400)
        assert "replicas" in body["data"]["errors"] and body["message"].startswith("replicas")
        assert kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["replicas"] == 3

    def test_cap_is_a_setting(self, api: Any, fresh: Any, settings: Any) -> None:
        _, cluster, kubectl = fresh
        settings.DEPLOYMENT_MAX_REPLICAS = 4
        url = deployment_url(cluster, "default", "nginx", "/scale")
        assert_envelope(api(Role.OPERATOR).post(url, {"replicas": 5}, format="json"), 400)
        assert_envelope(api(Role.OPERATOR).post(url, {"replicas": 4}, format="json"), 200)

    def test_unknown_deployment_is_404(self, api: Any, sim_cluster: Any) -> None:
        url = deployment_url(sim_cluster, "default", "ghost", "/scale")
        body = assert_envelope(api(Role.OPERATOR).post(url, {"replicas": 1}, format="json"), 404)
        assert "Deployment 'ghost'" in body["message"]

    def test_unknown_namespace_is_404(self, api: Any, sim_cluster: Any) -> None:
        url = deployment_url(sim_cluster, "atlantis", "nginx", "/scale")
        body = assert_envelope(api(Role.OPERATOR).post(url, {"replicas": 1}, format="json"), 404)
        assert "Namespace 'atlantis'" in body["message"]


# --- restart -------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestRestart:
    def test_restart_stamps_the_template_like_kubectl(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        before = dt.datetime.now(dt.UTC).replace(microsecond=0)
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(cluster, "default", "nginx", "/restart")),
                               200)
        after = dt.datetime.now(dt.UTC)
        stamp = body["data"]["restartedAt"]
        assert RFC3339_SECONDS.match(stamp)
        assert before <= dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= after
        deploy = kubectl.json("get", "deployment", "nginx", "-n", "default")
        assert deploy["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == stamp
        assert deploy["spec"]["template"]["metadata"]["labels"], "the patch merged, it did not replace the template"
        assert deploy["metadata"]["generation"] >= 2

    def test_restart_behaves_as_kubectls(self, api: Any, fresh: Any) -> None:
        """kubectl rollout restart on one twin, our endpoint on the other: the same template annotation key."""
        _, cluster, kubectl = fresh
        kubectl.run("rollout", "restart", "deployment/nginx", "-n", "default")
        theirs = kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["template"]["metadata"]
        stamp_theirs = theirs["annotations"]["kubectl.kubernetes.io/restartedAt"]
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(cluster, "default", "nginx", "/restart")),
                               200)
        ours = kubectl.json("get", "deployment", "nginx", "-n", "default")["spec"]["template"]["metadata"]
        assert set(ours["annotations"]) == set(theirs["annotations"])
        assert ours["annotations"]["kubectl.kubernetes.io/restartedAt"] == body["data"]["restartedAt"]
        assert len(stamp_theirs) >= len("2026-01-01T00:00:00Z")

    def test_paused_deployment_is_refused(self, api: Any, fresh: Any) -> None:
        _, cluster, kubectl = fresh
        kubectl.run("rollout", "pause", "deployment/nginx", "-n", "default")
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(cluster, "default", "nginx", "/restart")),
                               409)
        assert "paused" in body["message"]

    def test_unknown_deployment_is_404(self, api: Any, sim_cluster: Any) -> None:
        body = assert_envelope(api(Role.OPERATOR).post(deployment_url(sim_cluster, "default", "ghost", "/restart")),
                               404)
        assert "Deployment 'ghost'" in body["message"]
