"""The project's own Prometheus metrics: HTTP requests per route and open sockets per kind.

Upstream (per-cluster) metrics live in kube/metrics.py, where the calls are made; watch cache gauges are read at
scrape time by observe/collectors.py. All go to prometheus_client's default registry, which also carries the
process collector (RSS, CPU, open files) of this process.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "kubepolaris_http_requests_total",
    "HTTP requests answered, by route (URL name), method and status.",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "kubepolaris_http_request_duration_seconds",
    "Time to answer an HTTP request (through every middleware), by route (URL name) and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
OPEN_SOCKETS = Gauge(
    "kubepolaris_open_sockets",
    "WebSockets open now in this process, by kind (logs, exec).",
    ["kind"],
)
