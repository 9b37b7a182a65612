from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import register_sim
from tests.pods.helpers import Kubectl


@pytest.fixture
def kubectl(kubesim: Any, tmp_path: Path) -> Kubectl:
    """kubectl against the shared demo sim."""
    return Kubectl(kubesim, tmp_path)


@pytest.fixture
def fresh(db: Any, fresh_kubesim: Any, tmp_path: Path) -> tuple[Any, Any, Kubectl]:
    """A private demo sim for tests that change the cluster: (sim, registered cluster, kubectl)."""
    sim = fresh_kubesim()
    return sim, register_sim(sim, name=f"fresh-{sim.port}"), Kubectl(sim, tmp_path)
