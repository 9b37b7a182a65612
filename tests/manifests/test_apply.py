"""POST /api/clusters/:id/apply and the YAML out of any object (issue 13.1), over real HTTP to kubesim,
with kubectl on kubesim as the judge of what the cluster holds."""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from accounts.models import Grant
from common.permissions import Role
from tests.api_mixins import AuthRequiredMixin, RoleRequiredMixin, assert_envelope
from tests.conftest import bearer_client, register_sim
from tests.pods.helpers import Kubectl

SECRET_VALUE = "hunter2-sup3r-s3cret"
SECRET_B64 = base64.b64encode(SECRET_VALUE.encode()).decode()

MANIFEST = f"""
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: "1"
  b: "2"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {{app: web}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
data:
  password: {SECRET_B64}
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
"""


def apply_url(cluster: Any) -> str:
    return f"/api/clusters/{cluster.pk}/apply"


def results_of(response: Any) -> dict[str, dict[str, Any]]:
    body = assert_envelope(response, 200)
    return {r["name"]: r for r in body["data"]["results"]}


@pytest.fixture
def world(db: Any, fresh_kubesim: Any, tmp_path: Path, make_user: Any) -> Any:
    sim = fresh_kubesim(tick=0.1)

    class World:
        pass

    w = World()
    w.sim, w.cluster = sim, register_sim(sim, name=f"apply-{sim.port}")
    w.user = make_user(role=Role.OPERATOR)
    w.api = bearer_client(w.user)
    w.kubectl = Kubectl(sim, tmp_path)
    w.tmp = tmp_path
    return w


@pytest.mark.timeout(300)
def test_dry_run_apply_reapply_and_force_over_a_kubectl_conflict(world: Any, admin_api: Any) -> None:
    k = world.kubectl
    existing = world.tmp / "cfg.yaml"
    existing.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: default}\ndata: {a: '1'}\n")
    k.run("create", "-f", str(existing))
    before_cm = k.json("get", "configmap", "cfg", "-n", "default")

    # dry-run: diffs shown, nothing changes (the cluster's own lists say so)
    response = world.api.post(apply_url(world.cluster), {"yaml": MANIFEST, "dryRun": True}, format="json")
    body = assert_envelope(response, 200)
    assert body["data"]["dryRun"] is True
    order = [r["kind"] for r in body["data"]["results"]]
    assert order == ["Namespace", "ConfigMap", "Deployment", "Secret"]  # namespaces first, then document order
    found = results_of(response)
    assert found["team-a"]["action"] == "created" and found["team-a"]["namespace"] is None
    assert found["cfg"]["action"] == "configured" and found["cfg"]["error"] is None
    assert '+  b: "2"' in found["cfg"]["diff"] or "+  b: '2'" in found["cfg"]["diff"]
    assert "-" not in [ln[:1] for ln in found["cfg"]["diff"].splitlines()[2:]]  # only an added line
    web_lines = found["web"]["diff"].splitlines()
    assert found["web"]["action"] == "created" and web_lines[:2] == ["--- live/web", "+++ applied/web"]
    assert all(ln.startswith(("+", "@@")) for ln in web_lines[2:])
    assert any(ln.startswith("+") and ln.endswith("image: nginx:1.25") for ln in web_lines)
    assert "managedFields" not in found["web"]["diff"] and "resourceVersion" not in found["web"]["diff"]
    assert "kubernetes.io/change-cause: 'kubepolaris: apply by" in found["web"]["diff"]
    secret_diff = found["creds"]["diff"]
    assert "***" in secret_diff and SECRET_B64 not in secret_diff and SECRET_VALUE not in secret_diff
    assert SECRET_B64 not in json.dumps(body)
    assert k.json("get", "configmap", "cfg", "-n", "default")["data"] == {"a": "1"}
    assert k.json("get", "configmap", "cfg", "-n", "default")["metadata"]["resourceVersion"] == \
        before_cm["metadata"]["resourceVersion"]
    assert [d["metadata"]["name"] for d in k.json("get", "deployments", "-n", "default")["items"]] == ["nginx"]
    assert "creds" not in [s["metadata"]["name"] for s in k.json("get", "secrets", "-n", "default")["items"]]
    assert "team-a" not in [n["metadata"]["name"] for n in k.json("get", "namespaces")["items"]]

    # applied: created and configured reported, and the cluster holds it
    found = results_of(world.api.post(apply_url(world.cluster), {"yaml": MANIFEST}, format="json"))
    assert {n: r["action"] for n, r in found.items()} == {"team-a": "created", "cfg": "configured",
                                                          "web": "created", "creds": "created"}
    assert k.json("get", "configmap", "cfg", "-n", "default")["data"] == {"a": "1", "b": "2"}
    web = k.json("get", "deployment", "web", "-n", "default", "--show-managed-fields")
    cause = web["metadata"]["annotations"]["kubernetes.io/change-cause"]
    assert cause == f"kubepolaris: apply by {world.user.username}"
    assert "kubepolaris" in {e["manager"] for e in web["metadata"]["managedFields"]}
    assert k.json("get", "secret", "creds", "-n", "default")["data"] == {"password": SECRET_B64}
    k.run("rollout", "status", "deployment/web", "-n", "default", "--timeout=60s")

    # re-applied: unchanged, no diff
    found = results_of(world.api.post(apply_url(world.cluster), {"yaml": MANIFEST}, format="json"))
    assert {r["action"] for r in found.values()} == {"unchanged"} and {r["diff"] for r in found.values()} == {""}

    # a conflict made with kubectl: a per-object error naming the manager and the field; the rest still applies
    k.run("scale", "deployment/web", "-n", "default", "--replicas=3")
    response = world.api.post(apply_url(world.cluster), {"yaml": MANIFEST}, format="json")
    found = results_of(response)
    assert found["web"]["action"] is None and found["web"]["diff"] == ""
    assert 'conflict with "kubectl"' in found["web"]["error"] and ".spec.replicas" in found["web"]["error"]
    assert found["cfg"]["action"] == "unchanged" and found["cfg"]["error"] is None
    assert "1 failed" in assert_envelope(response, 200)["message"]
    assert k.json("get", "deployment", "web", "-n", "default")["spec"]["replicas"] == 3

    # forced: the field is taken over
    found = results_of(world.api.post(apply_url(world.cluster), {"yaml": MANIFEST, "force": True}, format="json"))
    assert found["web"]["action"] == "configured" and found["web"]["error"] is None
    assert "-  replicas: 3" in found["web"]["diff"] and "+  replicas: 2" in found["web"]["diff"]
    assert k.json("get", "deployment", "web", "-n", "default")["spec"]["replicas"] == 2

    # the applies are in the audit log, without the secret
    audit = assert_envelope(admin_api.get("/api/audit", {"pageSize": 100}), 200)
    rows = [r for r in audit["data"]["items"] if r["action"] == "manifest.apply"]
    assert len(rows) == 5 and all(r["clusterId"] == world.cluster.pk for r in rows)
    assert SECRET_B64 not in json.dumps(audit) and SECRET_VALUE not in json.dumps(audit)


@pytest.mark.timeout(300)
def test_objects_body_default_namespace_secret_change_and_yaml_round_trip(world: Any) -> None:
    k = world.kubectl
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tok"}, "data": {"t": SECRET_B64}}
    found = results_of(world.api.post(apply_url(world.cluster), {"objects": [secret], "namespace": "shop"},
                                      format="json"))
    assert found["tok"]["namespace"] == "shop" and found["tok"]["action"] == "created"
    assert k.json("get", "secret", "tok", "-n", "shop")["data"] == {"t": SECRET_B64}

    changed = {**secret, "data": {"t": base64.b64encode(b"another-value").decode()}}
    found = results_of(world.api.post(apply_url(world.cluster), {"objects": [changed], "namespace": "shop",
                                                                 "dryRun": True}, format="json"))
    diff = found["tok"]["diff"]
    assert found["tok"]["action"] == "configured" and "changed" in diff and SECRET_B64 not in diff
    assert "another-value" not in diff and base64.b64encode(b"another-value").decode() not in diff

    # YAML out: clean, masked, raw on request
    url = f"/api/clusters/{world.cluster.pk}/namespaces/shop/secrets/tok/yaml"
    text = assert_envelope(world.api.get(url), 200)["data"]["yaml"]
    doc = yaml.safe_load(text)
    assert doc["apiVersion"] == "v1" and doc["kind"] == "Secret"
    assert doc["metadata"] == {"name": "tok", "namespace": "shop"}
    assert doc["data"]["t"].startswith("***") and SECRET_B64 not in text

    deploy_url = f"/api/clusters/{world.cluster.pk}/namespaces/default/deployments/nginx/yaml"
    raw = world.api.get(deploy_url, HTTP_ACCEPT="application/yaml")
    assert raw.status_code == 200 and raw["Content-Type"].startswith("application/yaml")
    assert world.api.get(deploy_url + "?format=yaml").content == raw.content
    deployment = yaml.safe_load(raw.content)
    assert set(deployment) == {"apiVersion", "kind", "metadata", "spec"}
    assert not {"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"} & \
        set(deployment["metadata"])
    # ready to apply back: nothing changes
    found = results_of(world.api.post(apply_url(world.cluster), {"yaml": raw.content.decode()}, format="json"))
    assert found["nginx"]["error"] is None

    ns = assert_envelope(world.api.get(f"/api/clusters/{world.cluster.pk}/namespaces/shop/yaml"), 200)
    assert yaml.safe_load(ns["data"]["yaml"])["kind"] == "Namespace"
    assert "nginx" in yaml.safe_load(assert_envelope(world.api.get(
        f"/api/clusters/{world.cluster.pk}/namespaces/default/deployments.apps/nginx/yaml"), 200)["data"]["yaml"]
    )["metadata"]["name"]


@pytest.mark.django_db
def test_yaml_out_refusals(sim_cluster: Any, api: Any) -> None:
    client = api(Role.VIEWER)
    base = f"/api/clusters/{sim_cluster.pk}"
    assert "serves no resource" in assert_envelope(client.get(f"{base}/namespaces/default/widgets/x/yaml"),
                                                   404)["message"]
    assert "cluster-scoped" in assert_envelope(client.get(f"{base}/namespaces/default/nodes/x/yaml"), 404)["message"]
    assert "inside a namespace" in assert_envelope(client.get(f"{base}/deployments/nginx/yaml"), 404)["message"]
    assert "not found" in assert_envelope(client.get(f"{base}/namespaces/default/deployments/nope/yaml"),
                                          404)["message"]
    assert_envelope(client.get(f"{base}/namespaces/default/Deploy_ments/x/yaml"), 400)
    assert_envelope(client.get(f"{base}/namespaces/default/deployments/nope/yaml", HTTP_ACCEPT="application/yaml"),
                    404)


@pytest.mark.django_db
def test_bad_input(sim_cluster: Any, api: Any, settings: Any) -> None:
    client = api(Role.OPERATOR)
    url = apply_url(sim_cluster)

    def post(body: Any) -> Any:
        return client.post(url, body, format="json")

    message = assert_envelope(post({"yaml": "a: b\n  c: d: e\n"}), 400)["message"]
    assert "line 2" in message and "column" in message
    message = assert_envelope(post({"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                                            "apiVersion: v1\nmetadata: {name: b}\n"}), 400)["message"]
    assert "Document 1" in message and "kind" in message
    assert "metadata.name" in assert_envelope(post({"objects": [{"apiVersion": "v1", "kind": "ConfigMap"}]}),
                                              400)["message"]
    assert "Document 0" in assert_envelope(post({"yaml": "- just\n- a list\n"}), 400)["message"]
    assert_envelope(post({"yaml": "!!python/object/apply:os.system ['true']\n"}), 400)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    assert "aliases" in assert_envelope(post({"yaml": bomb}), 400)["message"]
    assert "nests deeper" in assert_envelope(post({"yaml": "a: " + "[" * 200 + "]" * 200}), 400)["message"]
    assert_envelope(post({}), 400)
    assert_envelope(post({"yaml": "x: 1", "objects": [{}]}), 400)
    assert_envelope(post({"yaml": ""}), 400)
    assert_envelope(post({"yaml": "kind: ConfigMap", "namespace": "Bad_NS"}), 400)
    many = "\n---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}" for i in range(101))
    assert "at most 100" in assert_envelope(post({"yaml": many}), 400)["message"]
    settings.APPLY_MAX_BYTES = 1000
    assert "larger than 1000 bytes" in assert_envelope(post({"yaml": "# " + "x" * 2000 + "\n"}), 413)["message"]
    assert "request body" in assert_envelope(post({"yaml": "# " + "x" * 7000 + "\n"}), 413)["message"]

    # a dry run cannot show objects inside a namespace the same manifest creates: said, not a 404 from the cluster
    fresh = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside, namespace: brand-new}\n---\n"
             "apiVersion: v1\nkind: Namespace\nmetadata: {name: brand-new}\n")
    found = results_of(post({"yaml": fresh, "dryRun": True}))
    assert found["brand-new"]["action"] == "created"
    assert "created by this manifest" in found["inside"]["error"]

    # an unknown kind is that object's error, not a 500; the known one beside it is still answered
    unknown = ("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n"
               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {a: '1'}\n")
    found = results_of(post({"yaml": unknown, "dryRun": True}))
    assert "does not serve kind 'Widget'" in found["w"]["error"] and found["w"]["action"] is None
    assert found["fine"]["action"] == "created"


@pytest.mark.django_db
def test_scoped_user_applies_only_inside_their_namespaces(sim_cluster: Any, make_user: Any, tmp_path: Path,
                                                          kubesim: Any) -> None:
    user = make_user(role=Role.OPERATOR)
    Grant.objects.create(user=user, cluster=sim_cluster, namespace="shop", role=Role.OPERATOR)
    client = bearer_client(user)
    url = apply_url(sim_cluster)
    inside = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: scoped-cm, namespace: shop}\ndata: {a: '1'}\n"
    outside = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: scoped-cm2, namespace: default}\n"
    cluster_wide = "apiVersion: v1\nkind: Namespace\nmetadata: {name: scoped-ns}\n"
    kubectl = Kubectl(kubesim, tmp_path)
    assert_envelope(client.post(url, {"yaml": inside + "---\n" + outside}, format="json"), 404)
    assert_envelope(client.post(url, {"yaml": inside + "---\n" + cluster_wide}, format="json"), 403)
    assert_envelope(client.post(url, {"yaml": outside.replace(", namespace: default", "")}, format="json"), 404)
    assert kubectl.run("get", "configmap", "scoped-cm", "-n", "shop", "--ignore-not-found") == ""  # nothing sent
    found = results_of(client.post(url, {"yaml": inside, "dryRun": True}, format="json"))
    assert found["scoped-cm"]["action"] == "created"
    viewer = make_user(role=Role.VIEWER)
    Grant.objects.create(user=viewer, cluster=sim_cluster, namespace="shop", role=Role.VIEWER)
    assert_envelope(bearer_client(viewer).post(url, {"yaml": inside}, format="json"), 403)
    yaml_url = f"/api/clusters/{sim_cluster.pk}/namespaces/default/deployments/nginx/yaml"
    assert_envelope(bearer_client(viewer).get(yaml_url), 404)
    assert_envelope(bearer_client(viewer).get(f"/api/clusters/{sim_cluster.pk}/namespaces/default/yaml"), 403)


class TestApplyAccess(AuthRequiredMixin, RoleRequiredMixin):
    url = "/api/clusters/1/apply"
    method = "post"
    body = {"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}
    min_role = Role.OPERATOR


class TestYamlAccess(AuthRequiredMixin):
    url = "/api/clusters/1/namespaces/default/deployments/nginx/yaml"
