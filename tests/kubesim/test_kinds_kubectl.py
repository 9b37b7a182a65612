"""kubectl creates, reads, watches and deletes the config, network, storage and autoscaling kinds; their
controllers (EndpointSlices, volume binding, autoscaling) react as a cluster's do."""

from __future__ import annotations

import base64
import ipaddress
import json
import time
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest
from kubernetes.client import CoreV1Api, EventsV1Api
from kubernetes.client.rest import ApiException

from kubesim import KubeSim

from .conftest import FAST, Kubectl, wait_for

NS = "kinds"


@pytest.fixture(scope="module")
def sim() -> Iterator[KubeSim]:
    """Containers that exit run for 2 s, long enough to see a crash-looping pod ready, then not."""
    with KubeSim(fleet="empty", seed=5, **{**FAST, "job_seconds": 2.0}) as s:
        yield s


@pytest.fixture(scope="module", autouse=True)
def namespace(kubectl: Kubectl) -> None:
    kubectl("create", "namespace", NS)


def _json(kubectl: Kubectl, *args: str) -> Any:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def _rows(text: str) -> list[list[str]]:
    return [ln.split() for ln in text.splitlines()[1:] if ln.strip()]


def _gone(kubectl: Kubectl, *args: str) -> bool:
    proc = kubectl("get", *args, check=False)
    return proc.returncode != 0 and "NotFound" in proc.stderr


def test_configmap_and_secret(kubectl: Kubectl) -> None:
    assert kubectl("create", "configmap", "app", "-n", NS, "--from-literal=mode=blue",
                   "--from-literal=level=3").stdout.strip() == "configmap/app created"
    assert kubectl("create", "secret", "generic", "creds", "-n", NS, "--from-literal=password=s3cr3t-kinds-test"
                   ).stdout.strip() == "secret/creds created"
    rows = _rows(kubectl("get", "cm,secret", "-n", NS).stdout)
    assert rows[0][:2] == ["configmap/app", "2"]
    secret = _json(kubectl, "get", "secret", "creds", "-n", NS)
    assert secret["type"] == "Opaque" and base64.b64decode(secret["data"]["password"]) == b"s3cr3t-kinds-test"
    assert _json(kubectl, "get", "cm", "app", "-n", NS)["data"] == {"mode": "blue", "level": "3"}
    # stringData is write-only: merged into data
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token", "namespace": NS},
        "stringData": {"token": "abc"}}))
    token = _json(kubectl, "get", "secret", "token", "-n", NS)
    assert token["data"] == {"token": base64.b64encode(b"abc").decode()} and "stringData" not in token
    bad = kubectl("apply", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "bad", "namespace": NS},
        "data": {"k": "not base64!"}}))
    assert bad.returncode != 0 and "illegal base64 data" in bad.stderr
    tls = kubectl("create", "secret", "generic", "half-tls", "-n", NS, "--type=kubernetes.io/tls",
                  "--from-literal=tls.crt=x", check=False)
    assert tls.returncode != 0 and "data[tls.key]: Required value" in tls.stderr
    for what in (("configmap", "app"), ("secret", "creds"), ("secret", "token")):
        kubectl("delete", *what, "-n", NS)
        assert _gone(kubectl, *what, "-n", NS)


def test_services_allocate_ips_and_ports(kubectl: Kubectl) -> None:
    kubectl("create", "service", "clusterip", "cip", "-n", NS, "--tcp=80:8080")
    kubectl("create", "service", "nodeport", "np", "-n", NS, "--tcp=80:8080")
    kubectl("create", "service", "loadbalancer", "lb", "-n", NS, "--tcp=443:8443")
    kubectl("create", "service", "externalname", "ext", "-n", NS, "--external-name=db.example.com")
    kubectl("create", "service", "clusterip", "headless", "-n", NS, "--clusterip=None")
    svcs = {s["metadata"]["name"]: s for s in _json(kubectl, "get", "svc", "-n", NS)["items"]}
    ips = [svcs[n]["spec"]["clusterIP"] for n in ("cip", "np", "lb")]
    assert len(set(ips)) == 3 and all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in ips)
    cip = svcs["cip"]["spec"]
    assert cip["type"] == "ClusterIP" and cip["clusterIPs"] == [cip["clusterIP"]] and cip["sessionAffinity"] == "None"
    assert cip["ports"] == [{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}]
    assert cip["ipFamilies"] == ["IPv4"] and cip["internalTrafficPolicy"] == "Cluster"
    node_port = svcs["np"]["spec"]["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767 and svcs["np"]["spec"]["externalTrafficPolicy"] == "Cluster"
    assert svcs["lb"]["spec"]["allocateLoadBalancerNodePorts"] is True and svcs["lb"]["status"] == {"loadBalancer": {}}
    assert "clusterIP" not in svcs["ext"]["spec"] and svcs["headless"]["spec"]["clusterIP"] == "None"
    rows = {r[0]: r for r in _rows(kubectl("get", "svc", "-n", NS).stdout)}
    assert rows["np"][4] == f"80:{node_port}/TCP" and rows["lb"][3] == "<pending>"
    assert rows["ext"][2:4] == ["<none>", "db.example.com"]
    # the clusterIP is kept across updates and cannot be changed
    kubectl("label", "svc", "cip", "-n", NS, "tier=x")
    assert _json(kubectl, "get", "svc", "cip", "-n", NS)["spec"]["clusterIP"] == cip["clusterIP"]
    patched = kubectl("patch", "svc", "cip", "-n", NS, "-p", '{"spec":{"clusterIP":"10.96.7.7"}}', check=False)
    assert patched.returncode != 0 and "may not change once set" in patched.stderr
    for name in ("cip", "np", "lb", "ext", "headless"):
        kubectl("delete", "svc", name, "-n", NS)
    assert kubectl("get", "svc", "-n", NS, check=False).stderr.startswith("No resources found")


def test_service_validation(api: kubernetes.client.ApiClient) -> None:
    core = CoreV1Api(api)
    with pytest.raises(ApiException) as err:
        core.create_namespaced_service(NS, {"metadata": {"name": "noports"}, "spec": {"selector": {"a": "b"}}})
    assert err.value.status == 422
    body = json.loads(err.value.body)
    assert body["reason"] == "Invalid" and body["details"]["causes"][0]["field"] == "spec.ports"
    with pytest.raises(ApiException) as err:
        core.create_namespaced_service(NS, {"metadata": {"name": "twoports"}, "spec": {"ports": [
            {"port": 80}, {"port": 81}]}})
    assert "spec.ports[0].name: Required value" in json.loads(err.value.body)["message"]


def _slice_endpoints(kubectl: Kubectl, svc: str) -> list[dict[str, Any]]:
    items = _json(kubectl, "get", "endpointslices", "-n", NS, "-l", f"kubernetes.io/service-name={svc}")["items"]
    return [e for s in items for e in s.get("endpoints") or []]


def test_endpointslices_follow_pods(kubectl: Kubectl) -> None:
    kubectl("create", "deployment", "shop", "-n", NS, "--image=nginx:1.25", "--replicas=2", "--port=80")
    kubectl("expose", "deployment", "shop", "-n", NS, "--port=80", "--target-port=80")
    wait_for(lambda: len([e for e in _slice_endpoints(kubectl, "shop") if e["conditions"]["ready"]]) == 2,
             what="two ready endpoints")
    sl = _json(kubectl, "get", "endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=shop")["items"][0]
    assert sl["addressType"] == "IPv4" and sl["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    pods = {p["metadata"]["name"]: p for p in _json(kubectl, "get", "pods", "-n", NS, "-l", "app=shop")["items"]}
    assert {e["targetRef"]["name"] for e in sl["endpoints"]} == set(pods)
    assert all(e["addresses"] == [pods[e["targetRef"]["name"]]["status"]["podIP"]] for e in sl["endpoints"])
    assert all(e["nodeName"] == pods[e["targetRef"]["name"]]["spec"]["nodeName"] for e in sl["endpoints"])
    kubectl("scale", "deployment", "shop", "-n", NS, "--replicas=3")
    wait_for(lambda: len([e for e in _slice_endpoints(kubectl, "shop") if e["conditions"]["ready"]]) == 3,
             what="three ready endpoints")
    rows = _rows(kubectl("get", "endpoints", "shop", "-n", NS).stdout)
    assert rows[0][1].count(":80") == 3
    # a pod that takes its time to stop is a terminating, not-ready endpoint until it is gone
    victim = sorted(pods)[0]
    kubectl("annotate", "pod", victim, "-n", NS, "kubesim.io/ignore-sigterm=true")
    kubectl("delete", "pod", victim, "-n", NS, "--grace-period=8", "--wait=false")

    def victim_state() -> dict[str, Any] | None:
        return next((e["conditions"] for e in _slice_endpoints(kubectl, "shop")
                     if e["targetRef"]["name"] == victim), None)

    state = wait_for(lambda: (s := victim_state()) and s["terminating"] and s, what="terminating endpoint")
    assert state == {"ready": False, "serving": True, "terminating": True}
    ep = _json(kubectl, "get", "endpoints", "shop", "-n", NS)
    assert victim not in json.dumps(ep)
    wait_for(lambda: victim_state() is None, timeout=20, what="the stopped pod leaves the slice")
    # deleting the Service takes its slices and Endpoints with it
    kubectl("delete", "svc", "shop", "-n", NS)
    wait_for(lambda: not _slice_endpoints(kubectl, "shop") and _gone(kubectl, "endpoints", "shop", "-n", NS),
             what="slices and endpoints gone")


def test_endpoint_readiness_follows_a_crashing_pod(kubectl: Kubectl) -> None:
    kubectl("create", "deployment", "flaky", "-n", NS, "--image=busybox:1.36", "--",
            "sh", "-c", "echo starting; exit 1")
    kubectl("create", "service", "clusterip", "flaky", "-n", NS, "--tcp=80:80")
    wait_for(lambda: any(e["conditions"]["ready"] for e in _slice_endpoints(kubectl, "flaky")),
             what="ready while running")
    wait_for(lambda: (eps := _slice_endpoints(kubectl, "flaky")) and not eps[0]["conditions"]["ready"],
             what="not ready after the crash")
    eps = _slice_endpoints(kubectl, "flaky")
    assert eps[0]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    ep = _json(kubectl, "get", "endpoints", "flaky", "-n", NS)
    assert [list(s) for s in ep["subsets"]] == [["notReadyAddresses", "ports"]]
    kubectl("delete", "deployment", "flaky", "-n", NS)
    kubectl("delete", "svc", "flaky", "-n", NS)


PV = {"apiVersion": "v1", "kind": "PersistentVolume",
      "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual", "hostPath": {"path": "/data"}}}


def _pv(name: str, size: str) -> str:
    return json.dumps({**PV, "metadata": {"name": name}, "spec": {**PV["spec"], "capacity": {"storage": size}}})


def _phase(kubectl: Kubectl, *what: str) -> str:
    return _json(kubectl, "get", *what)["status"]["phase"]


def test_pvc_binds_when_a_matching_pv_appears(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": NS},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                 "resources": {"requests": {"storage": "5Gi"}}}}))
    kubectl("apply", "-f", "-", input=_pv("small", "1Gi"))
    wait_for(lambda: _phase(kubectl, "pv", "small") == "Available", what="small PV available")
    out = wait_for(lambda: (d := kubectl("describe", "pvc", "data", "-n", NS).stdout) and "ProvisioningFailed" in d
                   and d, what="the claim's event")
    assert 'storageclass.storage.k8s.io "manual" not found' in out
    assert _phase(kubectl, "pvc", "data", "-n", NS) == "Pending"  # too small a volume does not bind
    rows = _rows(kubectl("get", "pvc", "data", "-n", NS).stdout)
    assert rows[0][:2] == ["data", "Pending"] and rows[0][2] == "manual"
    kubectl("apply", "-f", "-", input=_pv("big", "10Gi"))
    wait_for(lambda: _phase(kubectl, "pvc", "data", "-n", NS) == "Bound", what="claim bound")
    pvc = _json(kubectl, "get", "pvc", "data", "-n", NS)
    assert pvc["spec"]["volumeName"] == "big" and pvc["status"]["capacity"] == {"storage": "10Gi"}
    assert pvc["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert pvc["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    pv = _json(kubectl, "get", "pv", "big")
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["uid"] == pvc["metadata"]["uid"]
    rows = {r[0]: r for r in _rows(kubectl("get", "pv").stdout)}
    assert rows["big"][1:6] == ["10Gi", "RWO", "Retain", "Bound", f"{NS}/data"]
    assert rows["small"][4] == "Available"
    kubectl("delete", "pvc", "data", "-n", NS)  # waits until the protection finalizer is lifted
    wait_for(lambda: _phase(kubectl, "pv", "big") == "Released", what="volume released")
    for pv_name in ("big", "small"):
        kubectl("delete", "pv", pv_name)
        assert _gone(kubectl, "pv", pv_name)


def test_default_storage_class_provisions(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "local", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "kubesim.io/local-path"}))
    rows = _rows(kubectl("get", "sc").stdout)
    assert rows[0][:6] == ["local", "(default)", "kubesim.io/local-path", "Delete", "Immediate", "false"]
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "auto", "namespace": NS},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "3Gi"}}}}))
    wait_for(lambda: _phase(kubectl, "pvc", "auto", "-n", NS) == "Bound", what="provisioned")
    pvc = _json(kubectl, "get", "pvc", "auto", "-n", NS)
    assert pvc["spec"]["storageClassName"] == "local"
    assert pvc["spec"]["volumeName"] == f"pvc-{pvc['metadata']['uid']}"
    kubectl("delete", "pvc", "auto", "-n", NS)
    wait_for(lambda: _gone(kubectl, "pv", pvc["spec"]["volumeName"]), what="Delete policy removes the volume")
    kubectl("delete", "sc", "local")


def test_ingress_and_ingressclass(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "traefik"},
        "spec": {"controller": "traefik.io/ingress-controller"}}))
    out = kubectl("create", "ingress", "site", "-n", NS, "--class=traefik",
                  "--rule=site.example.com/*=web:80,tls=site-tls", "--rule=www.example.com/=web:80").stdout
    assert out.strip() == "ingress.networking.k8s.io/site created"
    rows = _rows(kubectl("get", "ingress", "-n", NS).stdout)
    assert rows[0][:6] == ["site", "traefik", "site.example.com,www.example.com", "80,", "443", rows[0][5]]
    ing = _json(kubectl, "get", "ingress", "site", "-n", NS)
    assert ing["metadata"]["generation"] == 1 and ing["status"] == {"loadBalancer": {}}
    assert ing["spec"]["rules"][0]["http"]["paths"][0] == {
        "path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}
    assert _rows(kubectl("get", "ingressclass").stdout)[0][:3] == ["traefik", "traefik.io/ingress-controller",
                                                                    "<none>"]
    bad = kubectl("apply", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "bad", "namespace": NS},
        "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {
            "name": "web", "port": {"number": 80}}}}]}}]}}))
    assert bad.returncode != 0 and "pathType: Required value" in bad.stderr
    kubectl("delete", "ingress", "site", "-n", NS)
    kubectl("delete", "ingressclass", "traefik")
    assert _gone(kubectl, "ingress", "site", "-n", NS)


def test_hpa_scales_its_target(kubectl: Kubectl) -> None:
    kubectl("create", "deployment", "api", "-n", NS, "--image=nginx:1.25", "--replicas=1")
    out = kubectl("autoscale", "deployment", "api", "-n", NS, "--min=2", "--max=5", "--cpu-percent=60").stdout
    assert out.strip() == "horizontalpodautoscaler.autoscaling/api autoscaled"
    hpa = wait_for(lambda: (h := _json(kubectl, "get", "hpa", "api", "-n", NS)) and
                   h["status"].get("currentReplicas") == 2 and h, what="scaled up to min")
    assert hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["metrics"][0]["resource"]["target"] == {
        "type": "Utilization", "averageUtilization": 60}
    assert _json(kubectl, "get", "deployment", "api", "-n", NS)["spec"]["replicas"] == 2
    conds = {c["type"]: (c["status"], c["reason"]) for c in hpa["status"]["conditions"]}
    assert conds["ScalingActive"] == ("True", "ValidMetricFound")
    events = kubectl("get", "events", "-n", NS, "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler"
                     ).stdout
    assert "SuccessfulRescale" in events and "New size: 2; reason: Current number of replicas below " \
        "Spec.MinReplicas" in events
    rows = _rows(kubectl("get", "hpa", "api", "-n", NS).stdout)
    assert rows[0][:7] == ["api", "Deployment/api", "cpu:", "57%/60%", "2", "5", "2"]
    # more load than the target: up to the maximum, and held there
    kubectl("annotate", "hpa", "api", "-n", NS, "kubesim.io/load-percent=250")
    hpa = wait_for(lambda: (h := _json(kubectl, "get", "hpa", "api", "-n", NS)) and
                   h["status"].get("currentReplicas") == 5 and h, what="scaled to max")
    conds = {c["type"]: (c["status"], c["reason"]) for c in hpa["status"]["conditions"]}
    assert conds["ScalingLimited"] == ("True", "TooManyReplicas") and hpa["status"]["desiredReplicas"] == 5
    kubectl("delete", "hpa", "api", "-n", NS)
    kubectl("delete", "deployment", "api", "-n", NS)
    assert _gone(kubectl, "hpa", "api", "-n", NS)


def test_events_are_one_set_in_two_shapes(api: kubernetes.client.ApiClient, kubectl: Kubectl) -> None:
    created = EventsV1Api(api).create_namespaced_event(NS, {
        "metadata": {"name": "probe.1"}, "eventTime": "2026-01-01T00:00:00.000000Z", "type": "Warning",
        "reason": "Unhealthy", "note": "Readiness probe failed: connection refused", "action": "Probe",
        "reportingController": "kubelet", "reportingInstance": "node-1",
        "regarding": {"kind": "Pod", "namespace": NS, "name": "web-0", "apiVersion": "v1"}})
    assert created.note == "Readiness probe failed: connection refused"
    core = _json(kubectl, "get", "event", "probe.1", "-n", NS)
    assert core["apiVersion"] == "v1" and core["message"] == created.note and core["reason"] == "Unhealthy"
    assert core["involvedObject"]["name"] == "web-0" and core["reportingComponent"] == "kubelet"
    rows = _rows(kubectl("get", "events", "-n", NS, "--field-selector", "reason=Unhealthy").stdout)
    assert rows[0][1:4] == ["Warning", "Unhealthy", "pod/web-0"]
    # a core event, read through events.k8s.io
    CoreV1Api(api).create_namespaced_event(NS, {
        "metadata": {"name": "legacy.1"}, "type": "Normal", "reason": "Pulled", "message": "pulled",
        "count": 3, "involvedObject": {"kind": "Pod", "namespace": NS, "name": "web-1"},
        "source": {"component": "kubelet"}})
    # (eventTime is null, as on a real server: the typed Python client cannot read such events)
    new = _json(kubectl, "get", "events.v1.events.k8s.io", "legacy.1", "-n", NS)
    assert new["note"] == "pulled" and new["deprecatedCount"] == 3 and new["regarding"]["name"] == "web-1"
    assert new["deprecatedSource"] == {"component": "kubelet"} and new["eventTime"] is None
    assert "message" not in new and "involvedObject" not in new
    listed = _json(kubectl, "get", "events.v1.events.k8s.io", "-n", NS, "--field-selector", "regarding.name=web-1")
    assert [e["metadata"]["name"] for e in listed["items"]] == ["legacy.1"]
    bad = kubectl("create", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "incomplete", "namespace": NS},
        "type": "Normal", "reason": "X", "note": "n"}))
    assert bad.returncode != 0 and "eventTime: Required value" in bad.stderr
    kubectl("delete", "events.v1.events.k8s.io", "probe.1", "-n", NS)
    assert _gone(kubectl, "event", "probe.1", "-n", NS)


def test_watch_a_new_kind(api: kubernetes.client.ApiClient, kubectl: Kubectl) -> None:
    core = CoreV1Api(api)
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    kubectl("create", "configmap", "watched", "-n", NS, "--from-literal=a=1")
    kubectl("delete", "configmap", "watched", "-n", NS)
    seen = [(e["type"], e["object"].metadata.name) for e in kubernetes.watch.Watch().stream(
        core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=2)]
    assert seen == [("ADDED", "watched"), ("DELETED", "watched")]
    proc = kubectl.popen("get", "pvc", "-n", NS, "-w", "--output-watch-events")
    try:
        time.sleep(1.0)  # let kubectl list and start watching
        kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "w", "namespace": NS},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "none",
                     "resources": {"requests": {"storage": "1Gi"}}}}))
        wait_for(lambda: _phase(kubectl, "pvc", "w", "-n", NS) == "Pending", what="pvc")
        time.sleep(1.0)
    finally:
        proc.terminate()
        text, _ = proc.communicate(timeout=5)
    assert any(ln.split()[:3] == ["ADDED", "w", "Pending"] for ln in text.splitlines())
    kubectl("delete", "pvc", "w", "-n", NS)


def test_apply_updates_one_of_a_services_ports(kubectl: Kubectl) -> None:
    """Strategic merge patch merges a Service's ports on `port` (not on a container's `containerPort`)."""
    def svc(admin_target: int) -> str:
        return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "two", "namespace": NS},
                           "spec": {"selector": {"app": "two"}, "ports": [
                               {"name": "http", "port": 80, "targetPort": 8080},
                               {"name": "admin", "port": 9000, "targetPort": admin_target}]}})

    kubectl("apply", "-f", "-", input=svc(9000))
    ip = _json(kubectl, "get", "svc", "two", "-n", NS)["spec"]["clusterIP"]
    kubectl("apply", "-f", "-", input=svc(9901))
    spec = _json(kubectl, "get", "svc", "two", "-n", NS)["spec"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in spec["ports"]] == [("http", 80, 8080),
                                                                               ("admin", 9000, 9901)]
    assert spec["clusterIP"] == ip
    kubectl("delete", "svc", "two", "-n", NS)


def test_immutable_fields(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen", "namespace": NS},
        "immutable": True, "data": {"a": "1"}}))
    edit = kubectl("patch", "cm", "frozen", "-n", NS, "-p", '{"data":{"a":"2"}}', check=False)
    assert edit.returncode != 0 and "field is immutable when `immutable` is set" in edit.stderr
    kubectl("label", "cm", "frozen", "-n", NS, "still=editable")  # metadata stays editable
    kubectl("create", "secret", "generic", "typed", "-n", NS, "--from-literal=a=b")
    retype = kubectl("patch", "secret", "typed", "-n", NS, "-p", '{"type":"kubernetes.io/basic-auth"}', check=False)
    assert retype.returncode != 0 and "type: Invalid value" in retype.stderr and "field is immutable" in retype.stderr
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "fixed", "namespace": NS},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "none",
                 "resources": {"requests": {"storage": "1Gi"}}}}))
    modes = kubectl("patch", "pvc", "fixed", "-n", NS, "-p", '{"spec":{"accessModes":["ReadWriteMany"]}}',
                    check=False)
    assert modes.returncode != 0 and "spec is immutable after creation" in modes.stderr
    kubectl("patch", "pvc", "fixed", "-n", NS, "-p", '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}')
    shrink = kubectl("patch", "pvc", "fixed", "-n", NS, "-p",
                     '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}', check=False)
    assert shrink.returncode != 0 and "can not be less than previous value" in shrink.stderr
    for what in (("cm", "frozen"), ("secret", "typed"), ("pvc", "fixed")):
        kubectl("delete", *what, "-n", NS)


def test_default_ingress_class(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": "default-nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "k8s.io/ingress-nginx"}}))
    kubectl("create", "ingress", "classless", "-n", NS, "--rule=a.example.com/=web:80")
    assert _json(kubectl, "get", "ingress", "classless", "-n", NS)["spec"]["ingressClassName"] == "default-nginx"
    kubectl("delete", "ingress", "classless", "-n", NS)
    kubectl("delete", "ingressclass", "default-nginx")
