"""Helpers for cluster tests: encoded kubeconfigs and records for fault servers."""
from __future__ import annotations

import base64
from typing import Any

import yaml

from clusters import kubeconfig as kc
from clusters import services
from clusters.models import Cluster


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def encoded_kubeconfig(config: dict[str, Any]) -> str:
    return b64(yaml.safe_dump(config))


def token_cluster(name: str, server: str, token: str = "secret-token-for-tests",
                  ca_pem: bytes | None = None) -> Cluster:
    """A cluster record whose credential is a bearer token (optionally with a CA)."""
    config = kc.token_kubeconfig(server=server, token=token, ca_data=b64(ca_pem) if ca_pem else None)
    return services.create_cluster(name=name, api_server=server, kubeconfig=config)


def register_through_api(admin_api: Any, sim: Any, name: str = "sim") -> int:
    """Register a simulated cluster the way an admin does: POST /api/clusters with a base64 kubeconfig."""
    response = admin_api.post("/api/clusters", {"name": name, "kubeConfig": encoded_kubeconfig(sim.kubeconfig())},
                              format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"]


def live_pods_per_node(sim: Any) -> dict[str, int]:
    """Straight from the simulator's store: non-terminal pods per node."""
    counts: dict[str, int] = {}
    for pod in sim.store.list("pods"):
        node = (pod.get("spec") or {}).get("nodeName")
        if node and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            counts[node] = counts.get(node, 0) + 1
    return counts
