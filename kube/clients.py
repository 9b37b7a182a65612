"""One `ApiClient` per cluster, built from its stored kubeconfig, cached by id and credential fingerprint.

Secrets stay off disk: the bearer token lives only in the client's memory (the loader keeps `token` as
data), and the inline CA, client certificate and client key go to `kube.secretfiles` (in-memory files on
Linux, else 0600 files in a private per-process directory) that vanish when the client is dropped.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml
from kubernetes.client import ApiClient, Configuration
from kubernetes.config import new_client_from_config_dict
from kubernetes.config.config_exception import ConfigException

from kube import secretfiles
from kube.paths import guard_rest_client

if TYPE_CHECKING:
    from kube.target import ClusterTarget

_lock = threading.Lock()
_cache: dict[int, tuple[str, ApiClient]] = {}
_on_drop: list[Callable[[int], None]] = []  # e.g. kube.cache stops the cluster's watch caches

# Inline data the loader would write to lasting temp files, and the file key it reads instead.
_INLINE = {
    "clusters": (("certificate-authority-data", "certificate-authority", "ca"),),
    "users": (("client-certificate-data", "client-certificate", "cert"), ("client-key-data", "client-key", "key")),
}
# What a dropped client's pools are pointed at: new connections fail instead of reading a reused fd number.
_DROPPED = "/nonexistent/kubepolaris-dropped-client"


def config_with_server(kubeconfig: dict[str, Any], server: str) -> dict[str, Any]:
    """`apiServer` wins over the kubeconfig's address: point the current context's cluster at it."""
    contexts = {c.get("name"): c.get("context") or {} for c in kubeconfig.get("contexts") or []}
    current = kubeconfig.get("current-context") or next(iter(contexts), None)
    cluster_name = contexts.get(current, {}).get("cluster")
    for entry in kubeconfig.get("clusters") or []:
        if entry.get("name") == cluster_name:
            entry.setdefault("cluster", {})["server"] = server
    return kubeconfig


def _decode(value: Any) -> bytes:
    text = "".join(str(value).split())
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigException("inline certificate or key data is not valid base64") from None


def externalise_inline_data(kubeconfig: dict[str, Any], files: secretfiles.SecretFiles) -> dict[str, Any]:
    """Replace `*-data` entries by paths from `files`, so the loader never writes them to its own temp files."""
    for section, keys in _INLINE.items():
        inner_key = "cluster" if section == "clusters" else "user"
        for entry in kubeconfig.get(section) or []:
            inner = (entry or {}).get(inner_key) or {}
            for data_key, file_key, label in keys:
                if inner.get(data_key):
                    inner[file_key] = files.add(label, _decode(inner.pop(data_key)))
                else:
                    inner.pop(data_key, None)
    return kubeconfig


def build_client(cluster: ClusterTarget) -> ApiClient:
    """A client whose TLS material lives in `kube.secretfiles` until `_close` (cached callers use `client_for`)."""
    kubeconfig = config_with_server(yaml.safe_load(cluster.get_kubeconfig()), cluster.api_server)
    configuration = type.__call__(Configuration)
    configuration.retries = 0  # a dead cluster must fail within the timeout, not after urllib3's retries
    files = secretfiles.SecretFiles()
    try:
        externalise_inline_data(kubeconfig, files)
        client = new_client_from_config_dict(
            kubeconfig, persist_config=False, temp_file_path=str(secretfiles.process_dir()),
            client_configuration=configuration,
        )
    except BaseException:
        files.close()
        raise
    client._kubepolaris_files = files  # released by _close
    return guard_rest_client(client)


def client_for(cluster: ClusterTarget) -> ApiClient:
    """The cached client of `cluster`, rebuilt (and the old one closed) when its credential or address changed."""
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
    """Close the pools and delete the TLS files; a request still holding the client cannot reconnect."""
    with contextlib.suppress(Exception):  # closing a pool must never fail a request
        pool_manager = client.rest_client.pool_manager
        for key in ("ca_certs", "cert_file", "key_file"):
            if pool_manager.connection_pool_kw.get(key):
                pool_manager.connection_pool_kw[key] = _DROPPED
        for key in ("ssl_ca_cert", "cert_file", "key_file"):
            if getattr(client.configuration, key, None):
                setattr(client.configuration, key, _DROPPED)
    with contextlib.suppress(Exception):
        client.close()
    files = getattr(client, "_kubepolaris_files", None)
    if files is not None:
        files.close()
