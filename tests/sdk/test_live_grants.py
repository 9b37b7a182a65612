"""The SDK's grants: `client.users.grants(id)` over real HTTP, and what a scoped user then sees."""
from __future__ import annotations

from typing import Any

import pytest

from kubepolaris.client import BadRequestError, ConflictError, NotFoundError


def test_grant_lifecycle_through_the_sdk(admin: Any, make_client: Any, live_cluster: int) -> None:
    client, user = make_client("viewer")
    grants = admin.users.grants(user["id"])
    grant = grants.create(live_cluster, "viewer", namespace="monitoring")
    assert grant["clusterId"] == live_cluster and grant["namespace"] == "monitoring" and grant["role"] == "viewer"
    assert [g["id"] for g in grants.list()] == [grant["id"]]
    assert admin.users.get(user["id"])["scope"] == "granted"
    pods = client.pods(live_cluster).list(page_size=100)
    assert pods.total > 0 and {p["namespace"] for p in pods} == {"monitoring"}
    with pytest.raises(NotFoundError):
        client.pods(live_cluster).list(namespace="shop")
    with pytest.raises(ConflictError):
        grants.create(live_cluster, "operator", namespace="monitoring")
    with pytest.raises(BadRequestError):
        grants.create(live_cluster, "viewer", namespace="Not_A_Namespace")
    grants.delete(grant["id"])
    assert grants.list().total == 0
    with pytest.raises(NotFoundError):  # no grant left: nothing widens, the cluster is gone for this user
        client.pods(live_cluster).list()
