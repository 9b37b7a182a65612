"""Reading Prometheus text in tests: one sample's value by name and labels."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` whose labels include `labels`, or None when there is none."""
    for family in text_string_to_metric_families(text):
        for one in family.samples:
            if one.name == name and all(one.labels.get(k) == v for k, v in labels.items()):
                return float(one.value)
    return None
