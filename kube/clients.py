"""One `ApiClient` per cluster, built from its stored kubeconfig, cached by id and credential fingerprint."""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from kubernetes.client import ApiClient, Configuration
from kubernetes.config import new_client_from_config_dict

from kube.paths import guard_rest_client

if TYPE_CHECKING:
    from clusters.models import Cluster

_lock = threading.Lock()
_cache: dict[int, tuple[str, ApiClient]] = {}
_on_drop: list[Callable[[int], None]] = []  # e.g. kube.cache stops the cluster's watch caches


def _private_tmp_dir() -> str:
    """The kubernetes client writes inline certificate data to files; keep them out of the shared /tmp."""
    path = settings.VAR_DIR / "kube-tmp"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return str(path)


def config_with_server(kubeconfig: dict[str, Any], server: str) -> dict[str, Any]:
    """`apiServer` wins over the kubeconfig's address: point the current context's cluster at it."""
    contexts = {c.get("name"): c.get("context") or {} for c in kubeconfig.get("contexts") or []}
    current = kubeconfig.get("current-context") or next(iter(contexts), None)
    cluster_name = contexts.get(current, {}).get("cluster")
    for entry in kubeconfig.get("clusters") or []:
        if entry.get("name") == cluster_name:
            entry.setdefault("cluster", {})["server"] = server
    return kubeconfig


def build_client(cluster: Cluster) -> ApiClient:
    kubeconfig = config_with_server(yaml.safe_load(cluster.get_kubeconfig()), cluster.api_server)
    configuration = type.__call__(Configuration)
    configuration.retries = 0  # a dead cluster must fail within the timeout, not after urllib3's retries
    client = new_client_from_config_dict(
        kubeconfig, persist_config=False, temp_file_path=_private_tmp_dir(), client_configuration=configuration
    )
    return guard_rest_client(client)


def client_for(cluster: Cluster) -> ApiClient:
    fingerprint = cluster.credential_fingerprint
    with _lock:
        cached = _cache.get(cluster.pk)
        if cached and cached[0] == fingerprint:
            return cached[1]
    client = build_client(cluster)
    with _lock:
        old = _cache.get(cluster.pk)
        _cache[cluster.pk] = (fingerprint, client)
    if old and old[1] is not client:
        _close(old[1])
    return client


def on_drop(callback: Callable[[int], None]) -> None:
    """Run `callback(cluster_id)` whenever a cluster's client is dropped (watch caches stop with it)."""
    if callback not in _on_drop:
        _on_drop.append(callback)


def drop_client(cluster_id: int) -> None:
    """Forget a cluster's client (it was changed or deleted)."""
    with _lock:
        cached = _cache.pop(cluster_id, None)
    for callback in list(_on_drop):
        with contextlib.suppress(Exception):  # a watch cache failing to stop must never fail a request
            callback(cluster_id)
    if cached:
        _close(cached[1])


def _close(client: ApiClient) -> None:
    with contextlib.suppress(Exception):  # closing a pool must never fail a request
        client.close()
