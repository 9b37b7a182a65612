"""Every watch cache a test started is stopped after it (an open watch would outlive the test's cluster)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from kube import cache


@pytest.fixture(autouse=True)
def _stop_caches() -> Iterator[None]:
    yield
    cache.shutdown_all()
