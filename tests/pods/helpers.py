"""Helpers for the pod and workload tests: kubectl against a simulated cluster, URLs."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


class Kubectl:
    """The real kubectl, pointed at a simulated cluster: the oracle our answers are compared with."""

    def __init__(self, sim: Any, directory: Path) -> None:
        self.kubeconfig = directory / f"kubeconfig-{sim.port}"
        sim.write_kubeconfig(self.kubeconfig)

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *args],
                                capture_output=True, text=True, timeout=60)
        if check:
            assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json"))

    def pod_statuses(self, *args: str) -> dict[tuple[str, str], str]:
        """`kubectl get pods -A --no-headers` → {(namespace, name): STATUS}."""
        out = self.run("get", "pods", "-A", "--no-headers", *args)
        statuses = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 4:
                statuses[(parts[0], parts[1])] = parts[3]
        return statuses


def pods_url(cluster: Any) -> str:
    return f"/api/clusters/{cluster.pk}/pods"


def pod_url(cluster: Any, namespace: str, name: str, suffix: str = "") -> str:
    return f"/api/clusters/{cluster.pk}/namespaces/{namespace}/pods/{name}{suffix}"


def deployment_url(cluster: Any, namespace: str, name: str, suffix: str = "") -> str:
    return f"/api/clusters/{cluster.pk}/namespaces/{namespace}/deployments/{name}{suffix}"


def all_pages(client: Any, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, page by page (pageSize 100)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = client.get(url, {**params, "page": page, "pageSize": 100})
        assert response.status_code == 200, response.content[:500]
        data = response.json()["data"]
        items.extend(data["items"])
        if len(items) >= data["total"] or not data["items"]:
            assert len(items) == data["total"]
            return items
        page += 1
