"""Watch cache state as Prometheus metrics, read from the caches when scraped (nothing is updated on hot paths)."""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kube import cache

_LABELS = ["cluster_id", "resource"]


def _families() -> dict[str, Metric]:
    return {
        "objects": GaugeMetricFamily("kubepolaris_watch_cache_objects", "Objects held by a watch cache.",
                                     labels=_LABELS),
        "synced": GaugeMetricFamily("kubepolaris_watch_cache_synced",
                                    "1 when the cache has listed and its watch is not broken, else 0.", labels=_LABELS),
        "last_event_at": GaugeMetricFamily("kubepolaris_watch_cache_last_event_timestamp_seconds",
                                           "Unix time of the cache's last list or watch event.", labels=_LABELS),
        "relists": CounterMetricFamily("kubepolaris_watch_cache_relists",
                                       "Lists after the first (410 Gone, or a read that needed a relist).",
                                       labels=_LABELS),
        "watch_restarts": CounterMetricFamily("kubepolaris_watch_cache_watch_restarts",
                                              "Watch requests after the first (server timeout, break or 410).",
                                              labels=_LABELS),
        "errors": CounterMetricFamily("kubepolaris_watch_cache_errors", "Failed lists and watches.", labels=_LABELS),
    }


class WatchCacheCollector(Collector):
    """One series per running cache (cluster id × resource) in this process; a stopped cache's series go away."""

    def describe(self) -> Iterator[Metric]:
        yield from _families().values()

    def collect(self) -> Iterator[Metric]:
        families = _families()
        enabled = GaugeMetricFamily("kubepolaris_watch_cache_enabled", "1 when KUBE_WATCH_CACHE is on.",
                                    value=1 if cache.enabled() else 0)
        seen: set[tuple[str, str]] = set()
        for one in cache.caches():
            if one.stopped:
                continue
            state = one.state()
            labels = (str(one.key[0]), state.resource)
            if labels in seen:  # an outdated cache (old credentials) not yet gone: the newer one is reported
                continue
            seen.add(labels)
            for name, family in families.items():
                value = getattr(state, name)
                if value is None:
                    continue
                family.add_metric(list(labels), float(value))
        yield enabled
        yield from families.values()


_registered = False


def register() -> None:
    """Add the collector to the default registry, once per process."""
    global _registered
    if not _registered:
        REGISTRY.register(WatchCacheCollector())
        _registered = True
