"""Server-side apply on kubesim, with kubectl as the judge (`kubectl apply --server-side`, `kubectl diff`)."""

from __future__ import annotations

import json

import pytest
import yaml

from kubesim import managedfields as mf

from .conftest import Kubectl

NS = "ssa"
MANIFEST = f"""
apiVersion: v1
kind: Namespace
metadata:
  name: {NS}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {NS}
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
        image: IMAGE
        ports:
        - containerPort: 80
        env:
        - {{name: MODE, value: prod}}
"""


def manifest(image: str = "nginx:1.25", drop_env: bool = False) -> str:
    text = MANIFEST.replace("IMAGE", image)
    if drop_env:
        text = text.replace("        env:\n        - {name: MODE, value: prod}\n", "")
    return text


def deployment(kubectl: Kubectl) -> dict:
    return json.loads(kubectl("get", "deployment", "web", "-n", NS, "-o", "json", "--show-managed-fields").stdout)


def managers(obj: dict) -> dict[tuple[str, str, str], dict]:
    return {(e["manager"], e["operation"], e.get("subresource", "")): e["fieldsV1"]
            for e in obj["metadata"].get("managedFields", [])}


def apply(kubectl: Kubectl, text: str, *extra: str, check: bool = True):  # noqa: ANN201
    return kubectl("apply", "--server-side", "-f", "-", *extra, input=text, check=check)


@pytest.mark.timeout(300)
def test_create_reapply_conflict_force_and_removal(kubectl: Kubectl) -> None:
    out = apply(kubectl, manifest()).stdout.split("\n")
    assert out[:2] == [f"namespace/{NS} serverside-applied", "deployment.apps/web serverside-applied"]
    kubectl("rollout", "status", "deployment/web", "-n", NS, "--timeout=60s")
    obj = deployment(kubectl)
    fields = managers(obj)[("kubectl", "Apply", "")]
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']
    assert container["."] == {} and "f:image" in container
    assert 'k:{"containerPort":80,"protocol":"TCP"}' in container["f:ports"]
    assert fields["f:spec"]["f:selector"] == {}  # a LabelSelector is an atomic struct
    assert "f:name" not in fields.get("f:metadata", {})

    # re-applying the same manifest changes nothing: same resourceVersion
    rv = obj["metadata"]["resourceVersion"]
    apply(kubectl, manifest())
    assert deployment(kubectl)["metadata"]["resourceVersion"] == rv

    # dry-run on the server: the answer has the change, the cluster does not
    dry = apply(kubectl, manifest("nginx:1.26"), "--dry-run=server", "-o", "yaml").stdout
    docs = [i for d in yaml.safe_load_all(dry) if d for i in (d["items"] if d["kind"] == "List" else [d])]
    images = [c["image"] for d in docs if d.get("kind") == "Deployment"
              for c in d["spec"]["template"]["spec"]["containers"]]
    assert images == ["nginx:1.26"]
    after = deployment(kubectl)
    assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert after["metadata"]["resourceVersion"] == rv

    # kubectl diff --server-side shows the change
    diff = kubectl("diff", "--server-side", "-f", "-", input=manifest("nginx:1.26"), check=False)
    assert diff.returncode == 1, diff.stderr
    changed = [ln for ln in diff.stdout.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert [ln[0] + ln[1:].strip() for ln in changed] == ["-image: nginx:1.25", "+image: nginx:1.26"]

    # kubectl scale takes .spec.replicas (Update via the scale subresource): apply conflicts on it
    kubectl("scale", "deployment/web", "-n", NS, "--replicas=4")
    entry = managers(deployment(kubectl))
    scale_key = next(k for k in entry if k[2] == "scale")
    assert entry[scale_key] == {"f:spec": {"f:replicas": {}}}
    refused = apply(kubectl, manifest(), check=False)
    assert refused.returncode != 0
    assert (f'Apply failed with 1 conflict: conflict with "{scale_key[0]}" with subresource "scale" using apps/v1: '
            ".spec.replicas") in refused.stderr
    assert deployment(kubectl)["spec"]["replicas"] == 4

    # co-owning: applying the live value is no conflict
    apply(kubectl, manifest().replace("replicas: 2", "replicas: 4"))

    # a kubectl patch (an Update) of the image makes a conflict too; --force-conflicts takes it over
    kubectl("patch", "deployment", "web", "-n", NS, "--type=strategic",
            "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}')
    refused = apply(kubectl, manifest().replace("replicas: 2", "replicas: 4"), check=False)
    assert ('Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: '
            '.spec.template.spec.containers[name="web"].image') in refused.stderr
    # the scale manager still co-owns .spec.replicas: a different value conflicts with both
    apply(kubectl, manifest(), "--force-conflicts")
    obj = deployment(kubectl)
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert obj["spec"]["replicas"] == 2
    assert ("kubectl-patch", "Update", "") not in managers(obj)  # it owned nothing any more

    # a field dropped from the applied config and owned by nobody else is removed
    apply(kubectl, manifest(drop_env=True))
    container = deployment(kubectl)["spec"]["template"]["spec"]["containers"][0]
    assert "env" not in container and container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


@pytest.mark.timeout(300)
def test_client_side_apply_then_server_side_apply_migrates_ownership(kubectl: Kubectl) -> None:
    kubectl("create", "namespace", "csa")
    text = manifest().replace(f"namespace: {NS}", "namespace: csa").replace(f"name: {NS}\n", "name: csa\n")
    docs = text.split("---")[1]
    kubectl("apply", "-f", "-", input=docs)  # client-side apply: manager kubectl-client-side-apply
    obj = json.loads(kubectl("get", "deployment", "web", "-n", "csa", "-o", "json", "--show-managed-fields").stdout)
    assert "kubectl-client-side-apply" in {e["manager"] for e in obj["metadata"]["managedFields"]}
    kubectl("apply", "--server-side", "-f", "-", input=docs)  # same values: co-owned, then kubectl migrates
    obj = json.loads(kubectl("get", "deployment", "web", "-n", "csa", "-o", "json", "--show-managed-fields").stdout)
    fields = {(e["manager"], e["operation"]): e["fieldsV1"] for e in obj["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in fields
    assert "f:spec" not in fields.get(("kubectl-client-side-apply", "Update"), {})
    # after the migration a changed value is no conflict
    kubectl("apply", "--server-side", "-f", "-", input=docs.replace("nginx:1.25", "nginx:1.26"))
    obj = json.loads(kubectl("get", "deployment", "web", "-n", "csa", "-o", "json").stdout)
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"


def test_apply_requires_field_manager_and_returns_status_causes(api) -> None:  # noqa: ANN001
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    for query, status in (([], 422), ([("fieldManager", "one")], 201)):
        resp = api.call_api(*api.param_serialize(
            "PATCH", "/api/v1/namespaces/default/configmaps/c", query_params=query, body=body,
            header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
            auth_settings=["BearerToken"]))
        resp.read()
        assert resp.status == status


def test_fields_v1_round_trip() -> None:
    obj = {"metadata": {"labels": {"a": "1"}}, "spec": {"ports": [{"port": 80, "name": "http"}],
                                                       "template": {"spec": {"containers": [{"name": "c"}]}}}}
    members = mf.field_set(obj, "Service")
    assert mf.from_fields_v1(mf.to_fields_v1(members)) == members
    assert mf.path_string((("f", "spec"), ("k", '{"port":80,"protocol":"TCP"}'), ("f", "name"))) == \
        '.spec[port=80,protocol="TCP"].name'
