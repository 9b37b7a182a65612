"""`manage.py demo` registers the simulated cluster through the cluster service (and re-points it on restart),
then contacts it once so it lists as connected."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from clusters.management.commands.demo import DEMO_CLUSTER, Command
from clusters.models import Cluster
from clusters.nodes import selectors

pytestmark = pytest.mark.django_db


def test_register_creates_then_repoints(kubesim: Any, fresh_kubesim: Any) -> None:
    Command().register(kubesim)
    cluster = Cluster.objects.get(name=DEMO_CLUSTER)
    assert cluster.api_server == kubesim.url
    assert cluster.status == "connected" and cluster.node_count == len(kubesim.store.list("nodes"))
    assert len(selectors.node_list(cluster=cluster)) == len(kubesim.store.list("nodes"))

    other = fresh_kubesim(fleet="empty")
    Command().register(other)
    assert Cluster.objects.count() == 1
    cluster = Cluster.objects.get(name=DEMO_CLUSTER)
    assert cluster.api_server == other.url and cluster.status == "connected"  # contacted at the new address
    stored = yaml.safe_load(cluster.get_kubeconfig())
    assert stored["clusters"][0]["cluster"]["server"] == other.url
    assert [n["name"] for n in selectors.node_list(cluster=cluster)] == sorted(
        n["metadata"]["name"] for n in other.store.list("nodes"))
