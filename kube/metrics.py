"""Per-cluster upstream metrics: how long calls to each cluster take and how they fail.

Recorded by the gateway around every call it makes (kube/gateway.py), so every read and write to a cluster
counts, whichever app made it. The watch cache's own list and watch requests are not included (a watch lasts
a minute by design); its state is read at scrape time instead (observe/collectors.py). Labels are the
cluster id (never its name or address) and, for errors, the application error class, so the series stay few.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

UPSTREAM_SECONDS = Histogram(
    "kubepolaris_upstream_request_duration_seconds",
    "Duration of calls to a cluster's API server through the gateway (failures included).",
    ["cluster_id"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UPSTREAM_ERRORS = Counter(
    "kubepolaris_upstream_errors_total",
    "Calls to a cluster that failed, by error (ClusterTimeout, ClusterUnreachable, NotFound, Conflict, ...).",
    ["cluster_id", "error"],
)


@contextmanager
def upstream_call(cluster_id: int | None) -> Iterator[None]:
    """Time one call to a cluster; a failure is counted under its (translated) error class and re-raised."""
    label = str(cluster_id)
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        UPSTREAM_ERRORS.labels(label, type(exc).__name__).inc()
        raise
    finally:
        UPSTREAM_SECONDS.labels(label).observe(time.perf_counter() - started)
