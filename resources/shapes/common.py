"""The fields every kind's item has, and small helpers the shapers share."""
from __future__ import annotations

from typing import Any

from kube import registry
from kube.times import rfc3339

Obj = dict[str, Any]

# Annotations never returned: kubectl's last-applied copy of a manifest can repeat values that are secrets.
HIDDEN_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def meta(obj: Obj) -> Obj:
    """name, namespace (None for cluster-scoped kinds), labels, createdAt."""
    metadata = obj.get("metadata") or {}
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "labels": dict(metadata.get("labels") or {}),
        "createdAt": rfc3339(metadata.get("creationTimestamp")),
    }


def detail_meta(obj: Obj) -> Obj:
    """What every detail adds: uid, annotations (kubectl's last-applied copy left out), resourceVersion."""
    metadata = obj.get("metadata") or {}
    annotations = {k: v for k, v in (metadata.get("annotations") or {}).items() if k not in HIDDEN_ANNOTATIONS}
    return {
        "uid": metadata.get("uid"),
        "annotations": annotations,
        "resourceVersion": metadata.get("resourceVersion"),
    }


def terminating(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


condition = registry.condition


def lb_addresses(status: Obj) -> list[str]:
    """`status.loadBalancer.ingress` as addresses (the IP, else the hostname), in order, without repeats."""
    out: list[str] = []
    for entry in ((status.get("loadBalancer") or {}).get("ingress") or []):
        address = (entry or {}).get("ip") or (entry or {}).get("hostname")
        if address and address not in out:
            out.append(address)
    return out


def quantity(mapping: Obj | None, key: str = "storage") -> str | None:
    value = (mapping or {}).get(key)
    return None if value is None else str(value)
