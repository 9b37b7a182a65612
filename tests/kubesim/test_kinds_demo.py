"""kubectl on the demo fleet: every config, network, storage, event and autoscaling kind, with its states."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from kubesim.fleets import DEMO_SECRET_VALUES

from .conftest import Kubectl, wait_for


def _table(text: str) -> tuple[list[str], list[str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[0].split(), lines[1:]


def _json(kubectl: Kubectl, *args: str) -> Any:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def test_api_resources_lists_the_new_kinds(demo_kubectl: Kubectl) -> None:
    rows = [ln.split() for ln in demo_kubectl("api-resources", "--no-headers").stdout.splitlines()]
    found = {(r[0], r[-3]): r for r in rows}  # (name, apiVersion) → row
    expected = {
        ("configmaps", "v1"): "cm", ("secrets", "v1"): None, ("services", "v1"): "svc",
        ("endpoints", "v1"): "ep", ("persistentvolumeclaims", "v1"): "pvc", ("persistentvolumes", "v1"): "pv",
        ("events", "v1"): "ev", ("events", "events.k8s.io/v1"): "ev",
        ("endpointslices", "discovery.k8s.io/v1"): None, ("ingresses", "networking.k8s.io/v1"): "ing",
        ("ingressclasses", "networking.k8s.io/v1"): None, ("storageclasses", "storage.k8s.io/v1"): "sc",
        ("horizontalpodautoscalers", "autoscaling/v2"): "hpa",
    }
    for key, short in expected.items():
        assert key in found, key
        if short:
            assert found[key][1] == short
    namespaced = {r[0]: r[-2] for r in rows}
    assert namespaced["persistentvolumes"] == namespaced["storageclasses"] == namespaced["ingressclasses"] == "false"
    assert namespaced["persistentvolumeclaims"] == namespaced["services"] == "true"
    groups = demo_kubectl("api-versions").stdout.split()
    assert {"autoscaling/v1", "autoscaling/v2", "events.k8s.io/v1", "discovery.k8s.io/v1", "networking.k8s.io/v1",
            "storage.k8s.io/v1"} <= set(groups)


# kind → (kubectl header without NAMESPACE, rows that must be there as "namespace/name")
KINDS = {
    "configmaps": (["NAME", "DATA", "AGE"], {"shop/web-config", "shop/api-config", "kube-system/coredns",
                                           "monitoring/prometheus-config"}),
    "secrets": (["NAME", "TYPE", "DATA", "AGE"], {"shop/api-credentials", "shop/shop-tls", "data/postgres-auth",
                                                 "default/registry-pull"}),
    "services": (["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
                 {"default/kubernetes", "kube-system/kube-dns", "shop/web", "shop/cart", "shop/checkout",
                  "shop/redis", "monitoring/grafana", "data/warehouse-db"}),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], {"default/kubernetes", "shop/web", "shop/cart"}),
    "endpointslices": (["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], {"default/kubernetes"}),
    "persistentvolumeclaims": (["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS",
                                "VOLUMEATTRIBUTESCLASS", "AGE"],
                               {"shop/media", "monitoring/grafana-data", "data/warehouse-db", "data/backup-restore"}),
    "ingresses": (["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], {"shop/shop", "monitoring/grafana"}),
    "horizontalpodautoscalers": (["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
                                 {"shop/web", "shop/api", "monitoring/legacy-exporter"}),
}
CLUSTER_KINDS = {
    "persistentvolumes": (["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY", "STATUS", "CLAIM",
                           "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
                          {"nfs-media", "nfs-archive", "old-reports"}),
    "storageclasses": (["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
                       {"standard", "fast-ssd"}),
    "ingressclasses": (["NAME", "CONTROLLER", "PARAMETERS", "AGE"], {"nginx"}),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kubectl_get_all_namespaces(demo_kubectl: Kubectl, kind: str) -> None:
    header, want = KINDS[kind]
    got_header, rows = _table(demo_kubectl("get", kind, "-A").stdout)
    assert got_header == ["NAMESPACE", *header]
    shown = {"/".join(r.split()[:2]) for r in rows}
    assert want <= shown, want - shown
    items = _json(demo_kubectl, "get", kind, "-A")["items"]
    assert {f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in items} == shown


@pytest.mark.parametrize("kind", sorted(CLUSTER_KINDS))
def test_kubectl_get_cluster_scoped(demo_kubectl: Kubectl, kind: str) -> None:
    header, want = CLUSTER_KINDS[kind]
    got_header, rows = _table(demo_kubectl("get", kind).stdout)
    assert got_header == header
    shown = {r.split()[0] for r in rows}
    assert want <= shown, want - shown


def test_services_columns_and_endpoints(demo_kubectl: Kubectl) -> None:
    _, rows = _table(demo_kubectl("get", "svc", "-n", "shop", "-o", "wide").stdout)
    by_name = {r.split()[0]: r.split() for r in rows}
    web = by_name["web"]
    assert web[1] == "LoadBalancer" and web[3] == "203.0.113.10" and web[4].startswith("80:") and web[-1] == "app=web"
    assert by_name["redis"][2] == "None"
    ip = by_name["api"][2]
    assert ip.startswith("10.") and by_name["api"][4] == "8080/TCP,9901/TCP"
    _, rows = _table(demo_kubectl("get", "svc", "grafana", "-n", "monitoring").stdout)
    assert rows[0].split()[4] == "3000:30300/TCP"
    _, rows = _table(demo_kubectl("get", "svc", "warehouse-db", "-n", "data").stdout)
    assert rows[0].split()[1:4] == ["ExternalName", "<none>", "warehouse.example.internal"]


def test_a_service_without_ready_endpoints(demo_kubectl: Kubectl) -> None:
    """shop/checkout selects a pod that cannot pull its image: the slice lists it not ready, Endpoints has no
    ready address. (shop/cart's crash-looping pod is ready for the seconds it runs between back-offs.)"""
    slices = _json(demo_kubectl, "get", "endpointslices", "-n", "shop", "-l",
                   "kubernetes.io/service-name=checkout")
    assert len(slices["items"]) == 1
    sl = slices["items"][0]
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sl["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert sl["endpoints"] and not any(e["conditions"]["ready"] for e in sl["endpoints"])
    assert all(e["targetRef"]["name"].startswith("checkout-") for e in sl["endpoints"])
    ep = _json(demo_kubectl, "get", "endpoints", "checkout", "-n", "shop")
    assert all("addresses" not in s for s in ep.get("subsets") or [])
    # and a healthy one: every web pod is a ready endpoint
    web = _json(demo_kubectl, "get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=web")
    ready = [e for s in web["items"] for e in s["endpoints"] if e["conditions"]["ready"]]
    pods = _json(demo_kubectl, "get", "pods", "-n", "shop", "-l", "app=web")["items"]
    assert sorted(e["addresses"][0] for e in ready) == sorted(p["status"]["podIP"] for p in pods)
    out = demo_kubectl("describe", "svc", "checkout", "-n", "shop").stdout
    assert "app=checkout" in out and "Endpoints:" in out


def test_pvcs_bound_and_pending(demo_kubectl: Kubectl) -> None:
    _, rows = _table(demo_kubectl("get", "pvc", "-A").stdout)
    status = {"/".join(r.split()[:2]): r.split()[2] for r in rows}
    assert status["shop/media"] == "Bound" and status["monitoring/grafana-data"] == "Bound"
    assert status["data/warehouse-db"] == "Pending" and status["data/backup-restore"] == "Pending"
    media = _json(demo_kubectl, "get", "pvc", "media", "-n", "shop")
    assert media["spec"]["volumeName"] == "nfs-media" and media["status"]["capacity"] == {"storage": "100Gi"}
    pv = _json(demo_kubectl, "get", "pv", "nfs-media")
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["name"] == "media"
    _, rows = _table(demo_kubectl("get", "pv").stdout)
    phases = {r.split()[0]: r.split()[4] for r in rows}
    assert phases["nfs-archive"] == "Available" and phases["old-reports"] == "Released"
    grafana = _json(demo_kubectl, "get", "pvc", "grafana-data", "-n", "monitoring")
    assert grafana["spec"]["storageClassName"] == "standard"  # the default class, by admission
    out = demo_kubectl("describe", "pvc", "warehouse-db", "-n", "data").stdout
    assert "ExternalProvisioning" in out and "ebs.csi.aws.com" in out
    _, rows = _table(demo_kubectl("get", "sc").stdout)
    assert any(r.split()[:2] == ["standard", "(default)"] for r in rows)


def test_hpa_at_its_maximum(demo_kubectl: Kubectl) -> None:
    _, rows = _table(demo_kubectl("get", "hpa", "-n", "shop").stdout)
    web = next(r for r in rows if r.startswith("web "))
    assert web.split()[1:6] == ["Deployment/web", "cpu:", "112%/70%", "2", "4"]
    hpa = _json(demo_kubectl, "get", "hpa", "web", "-n", "shop")
    assert hpa["status"]["currentReplicas"] == hpa["status"]["desiredReplicas"] == hpa["spec"]["maxReplicas"] == 4
    conds = {c["type"]: c for c in hpa["status"]["conditions"]}
    assert conds["ScalingLimited"]["status"] == "True" and conds["ScalingLimited"]["reason"] == "TooManyReplicas"
    assert conds["ScalingActive"]["reason"] == "ValidMetricFound"
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 112
    missing = _json(demo_kubectl, "get", "hpa", "legacy-exporter", "-n", "monitoring")
    assert {c["type"]: c["reason"] for c in missing["status"]["conditions"]}["AbleToScale"] == "FailedGetScale"
    v1 = json.loads(demo_kubectl("get", "--raw", "/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers/web")
                    .stdout)
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"]["targetCPUUtilizationPercentage"] == 70
    assert v1["status"]["currentCPUUtilizationPercentage"] == 112


def test_ingress_with_tls(demo_kubectl: Kubectl) -> None:
    _, rows = _table(demo_kubectl("get", "ingress", "shop", "-n", "shop").stdout)
    assert rows[0].split() == ["shop", "nginx", "shop.example.com", "203.0.113.20", "80,", "443",
                               rows[0].split()[-1]]
    ing = _json(demo_kubectl, "get", "ingress", "shop", "-n", "shop")
    assert ing["spec"]["tls"] == [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]
    paths = ing["spec"]["rules"][0]["http"]["paths"]
    assert [(p["path"], p["backend"]["service"]["name"]) for p in paths] == [("/", "web"), ("/api", "api")]


def test_secrets_hold_the_seeded_values(demo_kubectl: Kubectl) -> None:
    for key, value in DEMO_SECRET_VALUES.items():
        ns, name, field = key.split("/", 2)
        data = _json(demo_kubectl, "get", "secret", name, "-n", ns)["data"]
        assert value in base64.b64decode(data[field]).decode()
    # a Table never carries values
    table = demo_kubectl("get", "secrets", "-A").stdout
    assert not any(v in table for v in DEMO_SECRET_VALUES.values())


def test_warning_events_through_both_apis(demo_kubectl: Kubectl) -> None:
    _, rows = _table(demo_kubectl("get", "events", "-A", "--field-selector", "type=Warning").stdout)
    reasons = {r.split()[3] for r in rows}
    assert {"BackOff", "Failed", "FailedGetScale"} <= reasons
    core = _json(demo_kubectl, "get", "events", "-n", "monitoring", "--field-selector",
                 "involvedObject.name=legacy-exporter")["items"]
    new = _json(demo_kubectl, "get", "events.v1.events.k8s.io", "-n", "monitoring", "--field-selector",
                "regarding.name=legacy-exporter")["items"]
    assert core and [e["metadata"]["uid"] for e in core] == [e["metadata"]["uid"] for e in new]
    c, n = core[0], new[0]
    assert n["apiVersion"] == "events.k8s.io/v1" and c["apiVersion"] == "v1"
    assert n["note"] == c["message"] and n["regarding"] == c["involvedObject"] and n["reason"] == c["reason"]
    assert n["reportingController"] == c["reportingComponent"] == "horizontal-pod-autoscaler"
    assert n["deprecatedCount"] == c["count"] and n["deprecatedLastTimestamp"] == c["lastTimestamp"]
    _, rows = _table(demo_kubectl("get", "events.v1.events.k8s.io", "-n", "monitoring").stdout)
    assert any("horizontalpodautoscaler/legacy-exporter" in r for r in rows)


def test_pending_claims_keep_reporting(demo_kubectl: Kubectl) -> None:
    """The volume controller re-reports a claim it cannot bind, as the real one does every resync."""
    out = wait_for(lambda: demo_kubectl("describe", "pvc", "backup-restore", "-n", "data").stdout, what="describe")
    assert "no persistent volumes available for this claim and no storage class is set" in out
