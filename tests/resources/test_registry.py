"""The registry (kube/registry.py) and the generic layer (kube/generic.py): the one table of kinds drives the
watch cache and the writes it notes; masking; a kind whose API the cluster does not serve lists nothing, with a
message, over HTTP to kubesim."""
from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest
from kubernetes import client as k8s

from kube import cache, generic, registry
from kube.cache_resource import RESOURCES
from tests.api_mixins import assert_envelope, assert_page

# networking.k8s.io/v1 is served by kubesim (ingresses), but not its networkpolicies.
UNSERVED = registry.Kind("networkpolicies", "NetworkPolicy", "networking.k8s.io", "v1", True, k8s.NetworkingV1Api,
                         "network_policy")


def test_the_cache_and_the_workloads_read_the_one_table() -> None:
    from workloads.selectors import KINDS

    assert set(RESOURCES) == {k.plural for k in registry.kinds() if k.cached}
    for name, resource in RESOURCES.items():
        assert callable(getattr(resource.api, resource.list_all)), name
    assert {k.plural for k in KINDS.values()} == {"deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"}
    assert all(k.resource is registry.get(k.plural) for k in KINDS.values())
    for kind in registry.kinds():
        for verb in ("read", "create", "replace", "delete"):
            assert callable(getattr(kind.api, kind.method_name(verb))), (kind.plural, verb)


@pytest.mark.parametrize(("method", "written"), [
    ("create_namespaced_pod_eviction", "pods"), ("delete_collection_namespaced_pod", "pods"),
    ("patch_namespaced_deployment_scale", "deployments"), ("patch_node", "nodes"),
    ("replace_namespaced_stateful_set", "statefulsets"), ("create_namespaced_job", "jobs"),
    ("patch_namespaced_cron_job", "cronjobs"), ("create_namespace", "namespaces"),
    ("delete_namespace", "namespaces"), ("replace_namespaced_config_map", "configmaps"),
    ("create_namespaced_secret", "secrets"), ("create_namespaced_pod_disruption_budget", None),
    ("create_namespaced_pod_template", None), ("list_namespaced_pod", None), ("read_namespace", None),
])
def test_which_cached_kind_a_gateway_write_changes(method: str, written: str | None) -> None:
    assert cache.resource_written_by(method) == written


def test_masking_keeps_lengths_and_drops_values() -> None:
    secret = {"metadata": {"name": "s", "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"k":"plain-value"}}', "keep": "me"}},
        "data": {"k": base64.b64encode(b"plain-value").decode(), "bad": "%%%"}, "stringData": {"s": "héllo"}}
    masked = registry.mask(registry.get("secrets"), secret)
    assert masked["data"] == {"k": 11, "bad": 3} and masked["stringData"] == {"s": 6}
    assert masked["metadata"]["annotations"] == {"keep": "me"}
    assert registry.mask(registry.get("secrets"), masked) == masked
    assert "plain-value" not in repr(registry.item_shaper(registry.get("secrets"))(secret))
    assert secret["data"]["k"] != 11  # the cache's object itself is untouched


@pytest.mark.django_db
@pytest.mark.parametrize("cached", [True, False])
def test_a_kind_the_cluster_does_not_serve_lists_nothing_with_a_message(cached: bool, cluster: Any,
                                                                        monkeypatch: Any) -> None:
    kind = dataclasses.replace(UNSERVED, cached=cached)
    monkeypatch.setitem(registry.KINDS, kind.plural, kind)
    items, note = generic.list_items(cluster, kind, namespace="shop")
    assert items == [] and note is not None
    assert "does not serve networking.k8s.io/v1 (networkpolicies)" in note
    with pytest.raises(generic.NotServed):
        generic.list_directly(cluster, kind)


@pytest.mark.django_db
def test_over_http_an_unserved_api_is_an_empty_page_and_a_message(viewer: Any, cluster: Any, monkeypatch: Any,
                                                                  settings: Any) -> None:
    """What a configmaps list answers if ConfigMaps lived in an API group the cluster does not serve."""
    settings.KUBE_WATCH_CACHE = False
    monkeypatch.setitem(registry.KINDS, "configmaps", dataclasses.replace(
        registry.get("configmaps"), group="networking.k8s.io", api=k8s.NetworkingV1Api, method="network_policy"))
    body = assert_envelope(viewer.get(f"/api/clusters/{cluster.pk}/configmaps"), 200)
    assert assert_page(body) == [] and body["data"]["total"] == 0
    assert "does not serve networking.k8s.io/v1 (configmaps)" in body["message"]
