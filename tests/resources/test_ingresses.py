"""Ingresses: the shaper on raw objects, then the API over real HTTP against kubesim."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.permissions import Role
from resources.shapes.network import ingress_detail, ingress_item
from tests.resources.kinds_support import Kubectl, assert_envelope, detail, kubectl_names, listed, url

INGRESS = {
    "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
    "metadata": {"name": "shop", "namespace": "shop", "uid": "u-1", "resourceVersion": "90",
                 "creationTimestamp": "2026-11-29T10:00:00Z",
                 "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
    "spec": {
        "ingressClassName": "nginx",
        "defaultBackend": {"resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "assets"}},
        "tls": [{"hosts": ["shop.example.com", "www.shop.example.com"], "secretName": "shop-tls"}],
        "rules": [
            {"host": "shop.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/api", "pathType": "Prefix",
                 "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}},
            {"http": {"paths": [{"pathType": "ImplementationSpecific",
                                 "backend": {"service": {"name": "fallback", "port": {"number": 8080}}}}]}},
        ],
    },
    "status": {"loadBalancer": {"ingress": [{"hostname": "lb-1.elb.example.com", "ports": [{"port": 443}]}]}},
}


def test_ingress_item_shape() -> None:
    item = ingress_item(INGRESS)
    assert item["ingressClass"] == "nginx" and item["hosts"] == ["shop.example.com"]
    assert item["paths"] == [
        {"host": "shop.example.com", "path": "/", "pathType": "Prefix",
         "backend": {"kind": "Service", "name": "web", "port": 80}},
        {"host": "shop.example.com", "path": "/api", "pathType": "Prefix",
         "backend": {"kind": "Service", "name": "api", "port": "http"}},
        {"host": None, "path": "/", "pathType": "ImplementationSpecific",
         "backend": {"kind": "Service", "name": "fallback", "port": 8080}},
    ]
    assert item["defaultBackend"] == {"kind": "StorageBucket", "name": "assets", "port": None}
    assert item["tls"] == [{"hosts": ["shop.example.com", "www.shop.example.com"], "secretName": "shop-tls"}]
    assert item["addresses"] == ["lb-1.elb.example.com"]
    assert ingress_detail(INGRESS)["annotations"] == {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}


def test_the_class_annotation_of_older_ingresses() -> None:
    old = {"metadata": {"name": "x", "namespace": "y", "annotations": {"kubernetes.io/ingress.class": "traefik"}},
           "spec": {}}
    item = ingress_item(old)
    assert item["ingressClass"] == "traefik" and item["paths"] == [] and item["defaultBackend"] is None


@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    return Kubectl(kubesim, tmp_path)


def test_list_matches_kubectl_and_filters(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    client = api(Role.VIEWER)
    items = listed(client, sim_cluster, "ingresses")
    assert [(i["namespace"], i["name"]) for i in items] == kubectl_names(kubectl, "ingresses", "-A")
    shop = {i["name"]: i for i in listed(client, sim_cluster, "ingresses", "shop")}["shop"]
    assert shop["ingressClass"] == "nginx" and shop["hosts"] == ["shop.example.com"]
    assert shop["tls"] == [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]
    assert shop["addresses"] == ["203.0.113.20"]
    assert [(p["path"], p["backend"]["name"], p["backend"]["port"]) for p in shop["paths"]] == [
        ("/", "web", 80), ("/api", "api", 8080)]
    assert {i["name"] for i in listed(client, sim_cluster, "ingresses", ingressClass="nginx")} >= {"shop", "grafana"}
    assert listed(client, sim_cluster, "ingresses", ingressClass="traefik") == []
    assert [i["name"] for i in listed(client, sim_cluster, "ingresses", namespace="monitoring")] == ["grafana"]


def test_detail(api: Any, sim_cluster: Any, kubectl: Kubectl) -> None:
    shop = detail(api(Role.VIEWER), sim_cluster, "ingresses", "shop", "shop")
    raw = kubectl.json("get", "ingress", "shop", "-n", "shop")
    assert shop["uid"] == raw["metadata"]["uid"] and shop["resourceVersion"] == raw["metadata"]["resourceVersion"]
    assert shop["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    body = assert_envelope(api(Role.VIEWER).get(url(sim_cluster, "ingresses", "shop", "nope")), 404)
    assert "Ingress 'nope'" in body["message"]
