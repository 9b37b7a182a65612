"""`client.manifests(cluster_id)`: apply and YAML out through the SDK, against a live server and kubesim."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from kubepolaris import Client
from kubepolaris.client import BadRequestError, NotFoundError

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sdk-cm\ndata:\n  a: '1'\n"


@pytest.fixture
def private_cluster(admin: Client, fresh_kubesim: Callable[..., Any]) -> int:
    sim = fresh_kubesim()
    cluster = admin.clusters.create(f"manifests-{secrets.token_hex(3)}", api_server=sim.url,
                                    kubeconfig=sim.kubeconfig())
    return int(cluster["id"])


@pytest.mark.timeout(300)
def test_apply_dry_run_then_apply_then_yaml(admin: Client, private_cluster: int) -> None:
    manifests = admin.manifests(private_cluster)
    dry = manifests.apply(CONFIGMAP, dry_run=True, namespace="shop")
    assert dry["dryRun"] is True and [r["action"] for r in dry["results"]] == ["created"]
    with pytest.raises(NotFoundError):
        manifests.yaml("configmaps", "sdk-cm", namespace="shop")
    done = manifests.apply(objects=[yaml.safe_load(CONFIGMAP)], namespace="shop")
    assert done["results"][0]["action"] == "created" and done["results"][0]["namespace"] == "shop"
    text = manifests.yaml("configmaps", "sdk-cm", namespace="shop")
    assert yaml.safe_load(text)["data"] == {"a": "1"}
    assert manifests.apply(text)["results"][0]["action"] == "unchanged"
    assert yaml.safe_load(manifests.yaml("namespaces", "shop"))["kind"] == "Namespace"
    with pytest.raises(BadRequestError) as caught:
        manifests.apply("kind: [unclosed")
    assert "line 1" in caught.value.message
    with pytest.raises(ValueError):
        manifests.apply()
