"""PersistentVolumeClaims (with the pods using them), PersistentVolumes and StorageClasses: shapers, then the API
over real HTTP against kubesim, kubectl as the oracle."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from resources.shapes.storage import (
    claims_in_use,
    pv_detail,
    pv_item,
    pvc_detail,
    pvc_item,
    storageclass_detail,
    storageclass_item,
    with_users,
)
from tests.conftest import register_sim
from tests.resources.kinds_support import Kubectl, assert_envelope, detail, kubectl_names, listed, url

BOUND_PVC = {
    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
    "metadata": {"name": "data-db-0", "namespace": "data", "uid": "c-1", "resourceVersion": "77",
                 "creationTimestamp": "2026-11-01T00:00:00Z", "finalizers": ["kubernetes.io/pvc-protection"],
                 "annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}},
             "storageClassName": "fast-ssd", "volumeMode": "Filesystem", "volumeName": "pvc-c-1"},
    "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "12Gi"},
               "conditions": [{"type": "FileSystemResizePending", "status": "True",
                               "lastTransitionTime": "2026-11-02T00:00:00Z"}]},
}
PV = {
    "apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "pvc-c-1", "creationTimestamp": "2026-11-01T00:00:01Z", "labels": {"zone": "a"}},
    "spec": {"capacity": {"storage": "12Gi"}, "accessModes": ["ReadWriteOnce"],
             "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "fast-ssd", "volumeMode": "Filesystem",
             "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0abc",
                     "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "x"}},
             "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "data", "name": "data-db-0", "uid": "c-1"}},
    "status": {"phase": "Bound"},
}


def _pod(name: str, namespace: str, claims: list[str], phase: str = "Running") -> dict[str, Any]:
    volumes = [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}} for i, c in enumerate(claims)]
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"volumes": [{"name": "tmp", "emptyDir": {}}, *volumes]}, "status": {"phase": phase}}


def test_pvc_shapes() -> None:
    item = pvc_item(BOUND_PVC)
    assert {k: item[k] for k in ("status", "phase", "capacity", "requested", "accessModes", "storageClass",
                                 "volumeName", "volumeMode", "usedBy")} == {
        "status": "Bound", "phase": "Bound", "capacity": "12Gi", "requested": "10Gi", "accessModes": ["ReadWriteOnce"],
        "storageClass": "fast-ssd", "volumeName": "pvc-c-1", "volumeMode": "Filesystem", "usedBy": []}
    assert pvc_detail(BOUND_PVC)["conditions"][0]["type"] == "FileSystemResizePending"
    pending = {"metadata": {"name": "p", "namespace": "d", "deletionTimestamp": "2026-11-30T00:00:00Z",
                            "annotations": {"volume.beta.kubernetes.io/storage-class": "slow"}},
               "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Pending"}}
    item = pvc_item(pending)
    assert (item["status"], item["phase"], item["capacity"], item["storageClass"], item["accessModes"]) == (
        "Terminating", "Pending", None, "slow", ["ReadWriteMany"])


def test_the_pods_using_a_claim() -> None:
    pods = [_pod("db-0", "data", ["data-db-0"]), _pod("backup-x", "data", ["data-db-0", "scratch"]),
            _pod("old-job", "data", ["data-db-0"], phase="Succeeded"), _pod("db-0", "other", ["data-db-0"])]
    users = claims_in_use(pods)
    assert users[("data", "data-db-0")] == ["backup-x", "db-0"]
    assert with_users(pvc_item(BOUND_PVC), users)["usedBy"] == ["backup-x", "db-0"]


def test_pv_shapes() -> None:
    item = pv_item(PV)
    assert item["namespace"] is None and item["claim"] == {"namespace": "data", "name": "data-db-0"}
    assert (item["status"], item["capacity"], item["reclaimPolicy"], item["storageClass"]) == (
        "Bound", "12Gi", "Delete", "fast-ssd")
    shown = pv_detail(PV)
    assert shown["source"] == {"type": "csi", "driver": "ebs.csi.aws.com"}
    assert "vol-0abc" not in json.dumps(shown)  # only the plugin and driver of the source
    available = pv_item({"metadata": {"name": "n"}, "spec": {"nfs": {"server": "s", "path": "/"}},
                         "status": {"phase": "Available"}})
    assert available["claim"] is None and available["storageClass"] is None


def test_storageclass_shapes() -> None:
    sc = {"metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
          "provisioner": "rancher.io/local-path", "parameters": {"type": "gp3", "iops": 3000}}
    item = storageclass_item(sc)
    assert (item["isDefault"], item["reclaimPolicy"], item["volumeBindingMode"], item["allowVolumeExpansion"]) == (
        True, "Delete", "Immediate", False)
    assert storageclass_detail(sc)["parameters"] == {"type": "gp3", "iops": "3000"}
    beta = {"metadata": {"name": "b", "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"}}}
    assert storageclass_item(beta)["isDefault"] is True
    assert storageclass_item({"metadata": {"name": "c"}, "reclaimPolicy": "Retain"})["isDefault"] is False


# --- over HTTP, against kubesim ------------------------------------------------------------------

@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(kubesim, tmp_path)


def test_claims_match_kubectl(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    items = listed(client, sim_cluster, "persistentvolumeclaims")
    assert [(i["namespace"], i["name"]) for i in items] == kubectl_names(kubectl, "persistentvolumeclaims", "-A")
    raw = {(i["metadata"]["namespace"], i["metadata"]["name"]): i
           for i in kubectl.json("get", "persistentvolumeclaims", "-A")["items"]}
    for item in items:
        claim = raw[(item["namespace"], item["name"])]
        assert item["phase"] == claim["status"]["phase"]
        assert item["volumeName"] == (claim["spec"].get("volumeName") or None)
        assert item["capacity"] == (claim["status"].get("capacity") or {}).get("storage")
    phases = {i["phase"] for i in items}
    assert {"Bound", "Pending"} <= phases
    pending = listed(client, sim_cluster, "persistentvolumeclaims", phase="Pending")
    assert pending and all(i["phase"] == "Pending" for i in pending)
    assert ("data", "backup-restore") in {(i["namespace"], i["name"]) for i in pending}
    assert [i["name"] for i in listed(client, sim_cluster, "persistentvolumeclaims", "monitoring")] == ["grafana-data"]
    assert_envelope(client.get(url(sim_cluster, "persistentvolumeclaims"), {"phase": "Stuck"}), 400)


def test_volumes_and_classes_match_kubectl(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    volumes = listed(client, sim_cluster, "persistentvolumes")
    assert [(None, v["name"]) for v in volumes] == kubectl_names(kubectl, "persistentvolumes")
    by_name = {v["name"]: v for v in volumes}
    assert by_name["old-reports"]["phase"] == "Released"
    assert by_name["old-reports"]["claim"] == {"namespace": "data", "name": "reports"}
    assert by_name["nfs-media"]["reclaimPolicy"] == "Retain" and by_name["nfs-media"]["capacity"] == "100Gi"
    released = listed(client, sim_cluster, "persistentvolumes", phase="Released")
    assert [v["name"] for v in released] == ["old-reports"]
    assert detail(client, sim_cluster, "persistentvolumes", None, "old-reports")["source"] == {
        "type": "hostPath", "driver": None}
    classes = listed(client, sim_cluster, "storageclasses")
    assert [(None, c["name"]) for c in classes] == kubectl_names(kubectl, "storageclasses")
    assert [c["name"] for c in classes if c["isDefault"]] == ["standard"]
    fast = detail(client, sim_cluster, "storageclasses", None, "fast-ssd")
    assert (fast["provisioner"], fast["reclaimPolicy"], fast["allowVolumeExpansion"], fast["parameters"]) == (
        "ebs.csi.aws.com", "Retain", True, {"type": "gp3"})
    body = assert_envelope(client.get(url(sim_cluster, "storageclasses", name="nope")), 404)
    assert "StorageClass 'nope'" in body["message"]


POD_WITH_CLAIM = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "media-reader", "namespace": "shop"},
    "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}],
             "volumes": [{"name": "media", "persistentVolumeClaim": {"claimName": "media"}}]},
}


def test_a_claim_shows_the_pods_using_it(api: Any, db: Any, fresh_kubesim: Any, tmp_path: Path) -> None:
    sim = fresh_kubesim()
    cluster = register_sim(sim, name=f"storage-{sim.port}")
    kubectl = Kubectl(sim, tmp_path)
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(POD_WITH_CLAIM))
    kubectl.run("apply", "-f", str(manifest))
    client = api(Role.VIEWER)
    media = detail(client, cluster, "persistentvolumeclaims", "shop", "media")
    assert media["usedBy"] == ["media-reader"]
    items = {(i["namespace"], i["name"]): i for i in listed(client, cluster, "persistentvolumeclaims")}
    assert items[("shop", "media")]["usedBy"] == ["media-reader"]
    assert items[("monitoring", "grafana-data")]["usedBy"] == []
