"""get/list/create/replace/patch/delete through the official client, errors as Status bodies."""

from __future__ import annotations

import json

import kubernetes
import pytest
from kubernetes.client import ApiException, AppsV1Api, CoreV1Api, V1DeleteOptions, V1Preconditions

from .conftest import wait_for


def _pod(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}


@pytest.fixture(scope="module")
def core(api: kubernetes.client.ApiClient) -> CoreV1Api:
    v1 = CoreV1Api(api)
    v1.create_namespace({"metadata": {"name": "crud"}})
    return v1


def _as_dict(api: kubernetes.client.ApiClient, obj: object) -> dict:
    return obj if isinstance(obj, dict) else api.sanitize_for_serialization(obj)


def _status(e: ApiException) -> dict:
    return json.loads(e.body)


def test_create_get_and_defaults(core: CoreV1Api) -> None:
    created = core.create_namespaced_pod("crud", _pod("alpha", app="a", tier="web"))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.status.phase == "Pending"
    assert created.spec.restart_policy == "Always" and created.spec.containers[0].image_pull_policy == "IfNotPresent"
    got = core.read_namespaced_pod("alpha", "crud")
    assert got.metadata.uid == created.metadata.uid


def test_errors_are_status_bodies(core: CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod("missing", "crud")
    body = _status(e.value)
    assert e.value.status == 404
    assert (body["reason"], body["message"]) == ("NotFound", 'pods "missing" not found')
    assert body["details"] == {"name": "missing", "kind": "pods"}
    core.create_namespaced_pod("crud", _pod("dup"))
    with pytest.raises(ApiException) as e:
        core.create_namespaced_pod("crud", _pod("dup"))
    assert e.value.status == 409 and _status(e.value)["reason"] == "AlreadyExists"
    assert _status(e.value)["message"] == 'pods "dup" already exists'
    with pytest.raises(ApiException) as e:
        core.create_namespaced_pod("nowhere", _pod("x"))
    assert e.value.status == 404 and _status(e.value)["message"] == 'namespaces "nowhere" not found'


def test_invalid_objects_get_422_with_causes(api: kubernetes.client.ApiClient, core: CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.create_namespaced_pod("crud", {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "c"}]}})
    body = _status(e.value)
    assert e.value.status == 422 and body["reason"] == "Invalid"
    fields = {c["field"]: c["reason"] for c in body["details"]["causes"]}
    assert fields == {"metadata.name": "FieldValueInvalid", "spec.containers[0].image": "FieldValueRequired"}
    assert body["message"].startswith('Pod "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name"')
    dep = {"metadata": {"name": "mismatch"}, "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {
        "metadata": {"labels": {"app": "y"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    with pytest.raises(ApiException) as e:
        AppsV1Api(api).create_namespaced_deployment("crud", dep)
    assert _status(e.value)["message"] == ('Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: '
                                           'Invalid value: map[string]string{"app":"y"}: `selector` does not match '
                                           "template `labels`")


def test_stale_resource_version_conflicts(core: CoreV1Api) -> None:
    core.create_namespaced_pod("crud", _pod("versioned"))
    for _attempt in range(20):  # the simulated kubelet may update the new pod's status in between: read again
        first = core.read_namespaced_pod("versioned", "crud")
        first.metadata.labels = {"v": "1"}
        try:
            updated = core.replace_namespaced_pod("versioned", "crud", first)
            break
        except ApiException as exc:
            assert exc.status == 409, exc
    assert int(updated.metadata.resource_version) > int(first.metadata.resource_version)
    first.metadata.labels = {"v": "2"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_pod("versioned", "crud", first)
    assert e.value.status == 409 and _status(e.value)["reason"] == "Conflict"
    assert "the object has been modified" in _status(e.value)["message"]


def test_patch_flavours(core: CoreV1Api) -> None:
    core.create_namespaced_pod("crud", _pod("patched", app="p"))
    # the client sends strategic merge patch for dict bodies
    p = core.patch_namespaced_pod("patched", "crud", {"metadata": {"labels": {"extra": "yes"}}})
    assert p.metadata.labels == {"app": "p", "extra": "yes"}
    p = core.patch_namespaced_pod("patched", "crud", [{"op": "add", "path": "/metadata/annotations",
                                                       "value": {"note": "json-patch"}}])
    assert p.metadata.annotations == {"note": "json-patch"}
    api = core.api_client
    core.patch_namespaced_pod("patched", "crud", {"metadata": {"labels": {"extra": None}}},
                              _content_type="application/merge-patch+json")
    assert core.read_namespaced_pod("patched", "crud").metadata.labels == {"app": "p"}
    # strategic merge of a keyed list: containers merge by name
    apps = AppsV1Api(api)
    apps.create_namespaced_deployment("crud", {"metadata": {"name": "smp"}, "spec": {
        "selector": {"matchLabels": {"app": "smp"}}, "template": {"metadata": {"labels": {"app": "smp"}}, "spec": {
            "containers": [{"name": "a", "image": "nginx:1"}, {"name": "b", "image": "redis:7"}]}}}})
    d = apps.patch_namespaced_deployment("smp", "crud", {"spec": {"template": {"spec": {
        "containers": [{"name": "b", "image": "redis:7.2"}]}}}})
    assert [(c.name, c.image) for c in d.spec.template.spec.containers] == [("a", "nginx:1"), ("b", "redis:7.2")]
    assert d.metadata.generation == 2
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_pod("patched", "crud", [{"op": "test", "path": "/metadata/name", "value": "other"}])
    assert e.value.status == 422


def test_label_and_field_selectors(core: CoreV1Api) -> None:
    for name, labels in (("sel-1", {"app": "s", "env": "prod"}), ("sel-2", {"app": "s", "env": "dev"}),
                         ("sel-3", {"app": "t"})):
        core.create_namespaced_pod("crud", _pod(name, **labels))

    def names(**kw: str) -> list[str]:
        return sorted(p.metadata.name for p in core.list_namespaced_pod("crud", **kw).items
                      if p.metadata.name.startswith("sel-"))

    assert names(label_selector="app=s") == ["sel-1", "sel-2"]
    assert names(label_selector="app==s,env!=prod") == ["sel-2"]
    assert names(label_selector="env in (prod,qa)") == ["sel-1"]
    assert names(label_selector="env notin (prod),app") == ["sel-2", "sel-3"]
    assert names(label_selector="!env") == ["sel-3"]
    assert names(label_selector="env") == ["sel-1", "sel-2"]
    assert names(field_selector="metadata.name=sel-3") == ["sel-3"]
    assert names(field_selector="metadata.name!=sel-3,metadata.namespace=crud", label_selector="app=s") == \
        ["sel-1", "sel-2"]
    assert names(field_selector="status.phase=Succeeded") == []
    with pytest.raises(ApiException) as e:
        core.list_namespaced_pod("crud", field_selector="spec.bogus=1")
    assert e.value.status == 400 and _status(e.value)["message"] == "field label not supported: spec.bogus"


def test_spec_node_name_field_selector(core: CoreV1Api) -> None:
    core.create_namespaced_pod("crud", _pod("placed"))
    node = wait_for(lambda: core.read_namespaced_pod("placed", "crud").spec.node_name, what="scheduling")
    on_node = core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node}").items
    assert "placed" in {p.metadata.name for p in on_node}
    assert all(p.spec.node_name == node for p in on_node)


def test_limit_and_continue(core: CoreV1Api) -> None:
    for i in range(7):
        core.create_namespaced_pod("crud", _pod(f"page-{i}", page="yes"))
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        r = core.list_namespaced_pod("crud", label_selector="page=yes", limit=3, _continue=token)
        seen += [p.metadata.name for p in r.items]
        pages += 1
        token = r.metadata._continue
        assert int(r.metadata.resource_version) > 0
        if not token:
            break
    assert seen == [f"page-{i}" for i in range(7)] and pages == 3
    r = core.list_namespaced_pod("crud", limit=2)
    assert r.metadata.remaining_item_count == len(core.list_namespaced_pod("crud").items) - 2


def test_delete_with_preconditions_and_grace(core: CoreV1Api) -> None:
    pod = core.create_namespaced_pod("crud", _pod("doomed"))
    with pytest.raises(ApiException) as e:
        core.delete_namespaced_pod("doomed", "crud", body=V1DeleteOptions(preconditions=V1Preconditions(uid="wrong")))
    assert e.value.status == 409 and "Precondition failed: UID in precondition: wrong" in _status(e.value)["message"]
    # not yet scheduled or not: grace 0 removes at once
    wait_for(lambda: core.read_namespaced_pod("doomed", "crud").status.phase == "Running", what="running")
    core.delete_namespaced_pod("doomed", "crud", grace_period_seconds=0,
                               body=V1DeleteOptions(preconditions=V1Preconditions(uid=pod.metadata.uid)))
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod("doomed", "crud")
    assert e.value.status == 404


def test_graceful_deletion_shows_terminating_then_goes(sim, core: CoreV1Api) -> None:  # noqa: ANN001
    core.create_namespaced_pod("crud", {**_pod("slow"), "metadata": {"name": "slow", "annotations": {
        "kubesim.io/ignore-sigterm": "true"}}})
    wait_for(lambda: core.read_namespaced_pod("slow", "crud").status.phase == "Running", what="running")
    deleted = core.delete_namespaced_pod("slow", "crud", grace_period_seconds=2)
    assert deleted.metadata.deletion_timestamp is not None and deleted.metadata.deletion_grace_period_seconds == 2
    still = core.read_namespaced_pod("slow", "crud")
    assert still.metadata.deletion_timestamp is not None
    from kubesim.tables import pod_status_summary

    assert pod_status_summary(core.api_client.sanitize_for_serialization(still))[0] == "Terminating"
    wait_for(lambda: "slow" not in {p.metadata.name for p in core.list_namespaced_pod("crud").items},
             timeout=8, what="pod removal after its grace period")


def test_finalizer_holds_a_deleted_object(core: CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "held"}})
    core.create_namespaced_pod("held", {**_pod("kept"), "metadata": {"name": "kept", "finalizers": ["x/y"]}})
    core.delete_namespaced_pod("kept", "held", grace_period_seconds=0)
    pod = core.read_namespaced_pod("kept", "held")
    assert pod.metadata.deletion_timestamp is not None
    core.patch_namespaced_pod("kept", "held", [{"op": "remove", "path": "/metadata/finalizers"}])
    wait_for(lambda: not [p for p in core.list_namespaced_pod("held").items], what="removal once finalizer is gone")


def test_namespace_deletion_removes_its_contents(core: CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "shortlived"}})
    core.create_namespaced_pod("shortlived", _pod("inside"))
    ns = _as_dict(core.api_client, core.delete_namespace("shortlived"))
    assert ns["kind"] == "Namespace" and ns["status"]["phase"] == "Terminating"
    with pytest.raises(ApiException) as e:
        core.create_namespaced_pod("shortlived", _pod("late"))
    assert e.value.status == 403
    assert "because it is being terminated" in _status(e.value)["message"]
    wait_for(lambda: "shortlived" not in {n.metadata.name for n in core.list_namespace().items}, timeout=10,
             what="namespace removal")


def test_deployment_delete_returns_success_status(api: kubernetes.client.ApiClient) -> None:
    apps = AppsV1Api(api)
    template = {"metadata": {"labels": {"app": "gone"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    apps.create_namespaced_deployment("crud", {"metadata": {"name": "gone"}, "spec": {
        "selector": {"matchLabels": {"app": "gone"}}, "template": template}})
    status = _as_dict(api, apps.delete_namespaced_deployment("gone", "crud"))
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert (status["details"]["name"], status["details"]["group"], status["details"]["kind"]) == \
        ("gone", "apps", "deployments")


def test_system_namespaces_cannot_be_deleted(core: CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.delete_namespace("default")
    assert e.value.status == 403
    assert _status(e.value)["message"] == 'namespaces "default" is forbidden: this namespace may not be deleted'


def test_delete_collection_by_label(core: CoreV1Api) -> None:
    for i in range(3):
        core.create_namespaced_pod("crud", _pod(f"bulk-{i}", bulk="yes"))
    core.delete_collection_namespaced_pod("crud", label_selector="bulk=yes", grace_period_seconds=0)
    assert not core.list_namespaced_pod("crud", label_selector="bulk=yes").items
