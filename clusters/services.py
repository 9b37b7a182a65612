"""Changes to cluster records: register, update, delete, test the connection, rotate credential keys.

Inputs arrive validated (see clusters.api.serializers / clusters.kubeconfig): `kubeconfig` is a reduced
kubeconfig dict. The record's `api_server` is the address we use; the stored kubeconfig's server is kept
equal to it (the gateway also overrides it, see kube.clients.config_with_server).
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from clusters import crypto
from clusters import kubeconfig as kc
from clusters.models import Cluster
from common.errors import AppError, Conflict
from kube import gateway
from kube.clients import config_with_server, drop_client

logger = logging.getLogger(__name__)


def _ensure_unique_name(name: str, exclude_pk: int | None = None) -> None:
    clash = Cluster.objects.filter(name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict(f"A cluster named '{name}' already exists")


def _save(cluster: Cluster) -> None:
    try:
        with transaction.atomic():
            cluster.save()
    except IntegrityError:  # a concurrent create with the same name won the race
        raise Conflict(f"A cluster named '{cluster.name}' already exists") from None


def create_cluster(*, name: str, kubeconfig: dict[str, Any], api_server: str | None = None,
                   description: str = "") -> Cluster:
    """Register a cluster. Without `api_server`, the kubeconfig's server (already validated) is used."""
    _ensure_unique_name(name)
    server = api_server or kc.server_of(kubeconfig)
    cluster = Cluster(name=name, description=description, api_server=server)
    cluster.set_kubeconfig(kc.dump(kc.with_server(kubeconfig, server)))
    _save(cluster)
    logger.info("Cluster '%s' (id %s) registered at %s", cluster.name, cluster.pk, cluster.api_server)
    return cluster


def update_cluster(*, cluster: Cluster, name: str | None = None, description: str | None = None,
                   api_server: str | None = None, kubeconfig: dict[str, Any] | None = None) -> Cluster:
    """Change any subset. A new credential or address resets the last-contact status to unknown."""
    if name is not None and name != cluster.name:
        _ensure_unique_name(name, exclude_pk=cluster.pk)
        cluster.name = name
    if description is not None:
        cluster.description = description
    connection_changed = False
    if api_server is not None and api_server != cluster.api_server:
        cluster.api_server = api_server
        connection_changed = True
    if kubeconfig is not None:
        cluster.set_kubeconfig(kc.dump(kc.with_server(kubeconfig, cluster.api_server)))
        connection_changed = True
    elif connection_changed:
        stored = kc.load(cluster.get_kubeconfig())
        cluster.set_kubeconfig(kc.dump(config_with_server(stored, cluster.api_server)))
    if connection_changed:
        cluster.status, cluster.version, cluster.node_count = Cluster.Status.UNKNOWN, "", None
    _save(cluster)
    drop_client(cluster.pk)
    logger.info("Cluster '%s' (id %s) updated%s", cluster.name, cluster.pk,
                " (connection settings changed)" if connection_changed else "")
    return cluster


def delete_cluster(*, cluster: Cluster) -> None:
    """Forget the record and its cached client; the cluster itself is never contacted."""
    pk, name = cluster.pk, cluster.name
    cluster.delete()
    drop_client(pk)
    logger.info("Cluster '%s' (id %s) deleted", name, pk)


def check_connection(*, cluster: Cluster) -> dict[str, Any]:
    """Contact the cluster now: its version, node count and round-trip time; record the outcome."""
    started = time.monotonic()
    try:
        info = gateway.version(cluster).get_code()
    except AppError as exc:
        latency = round((time.monotonic() - started) * 1000)
        _record(cluster, Cluster.Status.UNREACHABLE)
        return {"connected": False, "version": None, "nodeCount": None, "latencyMs": latency, "message": exc.message}
    latency = round((time.monotonic() - started) * 1000)
    version = getattr(info, "git_version", None) or ""
    try:
        response = gateway.core_v1(cluster).list_node(_preload_content=False)
        node_count: int | None = len(json.loads(response.data).get("items") or [])
        message = f"Connected to cluster '{cluster.name}': Kubernetes {version}, {node_count} nodes"
    except AppError as exc:
        node_count = None
        message = f"Connected to cluster '{cluster.name}' (Kubernetes {version}) but cannot count nodes: {exc.message}"
    _record(cluster, Cluster.Status.CONNECTED, version=version, node_count=node_count)
    return {"connected": True, "version": version, "nodeCount": node_count, "latencyMs": latency, "message": message}


def _record(cluster: Cluster, status: str, *, version: str | None = None, node_count: int | None = None) -> None:
    """Store the last contact without bumping `updated_at` (that is for changes to the record)."""
    fields: dict[str, Any] = {"status": status, "last_contact_at": timezone.now()}
    if status == Cluster.Status.CONNECTED:
        fields.update(version=version or "", node_count=node_count)
    Cluster.objects.filter(pk=cluster.pk).update(**fields)
    for key, value in fields.items():
        setattr(cluster, key, value)


def rotate_credentials() -> int:
    """Re-encrypt every stored credential with the newest key; returns how many rows changed."""
    count = 0
    with transaction.atomic():
        for cluster in Cluster.objects.select_for_update().only("pk", "credential_ciphertext"):
            rotated = crypto.rotate(cluster.credential_ciphertext)
            Cluster.objects.filter(pk=cluster.pk).update(credential_ciphertext=rotated)
            count += 1
    return count
