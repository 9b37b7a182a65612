"""Clusters for the search tests: the shared demo simulator registered twice, a dead one and a silent one."""
from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from clusters.models import Cluster
from kube import cache


def register_at(sim: Any, name: str, server: str) -> Cluster:
    """A cluster record with the simulator's credentials but another address (dead or silent)."""
    kubeconfig = copy.deepcopy(sim.kubeconfig())
    kubeconfig["clusters"][0]["cluster"]["server"] = server
    cluster = Cluster(name=name, api_server=server)
    cluster.set_kubeconfig(yaml.safe_dump(kubeconfig))
    cluster.save()
    return cluster


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers: a hung API server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_caches_left() -> Iterator[None]:
    """Caches are keyed by cluster id: none may outlive a test whose database rows are rolled back."""
    yield
    cache.shutdown_all()
