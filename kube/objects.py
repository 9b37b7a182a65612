"""404s that name what is missing: the namespace, or the object inside it.

Kubernetes answers `deployments.apps "web" not found` whether the deployment or its namespace is missing;
an operator wants to know which.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from common import errors
from kube import gateway
from kube.raw import read_json
from kube.target import ClusterTarget


def namespace_must_exist(cluster: ClusterTarget, namespace: str) -> None:
    """404 naming the namespace when the cluster has no such namespace."""
    try:
        read_json(cluster, gateway.core_v1(cluster).read_namespace, namespace)
    except errors.NotFound:
        raise errors.NotFound(f"Namespace '{namespace}' not found in cluster '{cluster.name}'") from None


@contextmanager
def missing_as(cluster: ClusterTarget, kind: str, namespace: str, name: str) -> Iterator[None]:
    """Turn a Kubernetes 404 inside the block into one naming the namespace or the `kind` object."""
    try:
        yield
    except errors.NotFound:
        namespace_must_exist(cluster, namespace)
        raise errors.NotFound(
            f"{kind} '{name}' not found in namespace '{namespace}' of cluster '{cluster.name}'"
        ) from None
