"""Each workload kind's own list on the registry stack (`clusters/:id/<plural>`, `…/namespaces/:ns/<plural>`),
in the workload item shape, as kubectl lists them; nodes and pods answer on the same stack."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api_mixins import assert_envelope
from tests.pods.helpers import all_pages

PLURALS = ["deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"]


@pytest.mark.django_db
@pytest.mark.parametrize("plural", PLURALS)
def test_each_kind_lists_what_kubectl_lists(plural: str, viewer: Any, cluster: Any, kubectl: Any) -> None:
    base = f"/api/clusters/{cluster.pk}"
    everywhere = all_pages(viewer, f"{base}/{plural}")
    expected = sorted((o["metadata"]["namespace"], o["metadata"]["name"])
                      for o in kubectl.json("get", plural, "-A")["items"])
    assert [(i["namespace"], i["name"]) for i in everywhere] == expected and expected
    namespace = expected[0][0]
    in_one = all_pages(viewer, f"{base}/namespaces/{namespace}/{plural}")
    assert in_one == [i for i in everywhere if i["namespace"] == namespace]
    assert in_one == all_pages(viewer, f"{base}/{plural}", namespace=namespace)
    first = everywhere[0]
    assert all_pages(viewer, f"{base}/{plural}", search=first["name"].upper())[0]["name"] == first["name"]
    label, value = next(iter(sorted(first["labels"].items())), (None, None))
    if label:
        labelled = {(o["metadata"]["namespace"], o["metadata"]["name"])
                    for o in kubectl.json("get", plural, "-A", "-l", f"{label}={value}")["items"]}
        assert {(i["namespace"], i["name"]) for i in all_pages(viewer, f"{base}/{plural}",
                                                                labelSelector=f"{label}={value}")} == labelled


@pytest.mark.django_db
def test_pods_per_namespace_and_by_label(viewer: Any, cluster: Any, kubectl: Any) -> None:
    base = f"/api/clusters/{cluster.pk}"
    in_shop = all_pages(viewer, f"{base}/namespaces/shop/pods")
    assert [i["name"] for i in in_shop] == sorted(p["metadata"]["name"] for p in
                                                  kubectl.json("get", "pods", "-n", "shop")["items"])
    labelled = sorted(p["metadata"]["name"]
                      for p in kubectl.json("get", "pods", "-n", "shop", "-l", "app=web")["items"])
    assert [i["name"] for i in all_pages(viewer, f"{base}/pods", namespace="shop", labelSelector="app=web")] == labelled
    assert_envelope(viewer.get(f"{base}/namespaces/no-such-ns/pods"), 404)


@pytest.mark.django_db
def test_nodes_by_label(viewer: Any, cluster: Any, kubectl: Any) -> None:
    workers = sorted(n["metadata"]["name"] for n in kubectl.json(
        "get", "nodes", "-l", "!node-role.kubernetes.io/control-plane")["items"])
    listed = all_pages(viewer, f"/api/clusters/{cluster.pk}/nodes",
                       labelSelector="!node-role.kubernetes.io/control-plane")
    assert [n["name"] for n in listed] == workers and workers


@pytest.mark.django_db
def test_the_workloads_list_takes_a_label_selector(viewer: Any, cluster: Any, kubectl: Any) -> None:
    expected = sorted((o["metadata"]["namespace"], o["metadata"]["name"], o["kind"])
                      for plural in PLURALS for o in kubectl.json("get", plural, "-A", "-l", "app=web")["items"])
    listed = all_pages(viewer, f"/api/clusters/{cluster.pk}/workloads", labelSelector="app=web")
    assert [(i["namespace"], i["name"], i["kind"]) for i in listed] == expected and expected
