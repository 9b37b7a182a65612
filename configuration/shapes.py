"""ConfigMap and Secret shapes: pure functions of the API object.

A Secret reaches these functions masked by the registry (kube/registry.mask): its `data` and `stringData` map
each key to the value's length in bytes. No function here can see, so none can return, a value.
"""
from __future__ import annotations

from typing import Any

from kube import registry
from pods.selectors import visible_annotations

Obj = dict[str, Any]


_base = registry.default_item


def _more(obj: Obj) -> Obj:
    metadata = obj.get("metadata") or {}
    return {
        "annotations": visible_annotations(metadata),
        "immutable": bool(obj.get("immutable")),
        "resourceVersion": metadata.get("resourceVersion"),
    }


def configmap_item(obj: Obj) -> Obj:
    keys = set(obj.get("data") or {}) | set(obj.get("binaryData") or {})
    return {**_base(obj), "keys": sorted(keys)}


def configmap_detail(obj: Obj) -> Obj:
    """The item plus its data (text values) and the keys of its binary data."""
    return {**configmap_item(obj), **_more(obj), "data": dict(obj.get("data") or {}),
            "binaryKeys": sorted(obj.get("binaryData") or {})}


def secret_item(masked: Obj) -> Obj:
    """Type, and each key with its value's length in bytes: never a value."""
    masked = registry.mask(registry.get("secrets"), masked)  # already masked by the registry; a second belt
    lengths = {**(masked.get("stringData") or {}), **(masked.get("data") or {})}
    return {**_base(masked), "type": masked.get("type") or "Opaque",
            "keys": [{"name": key, "length": int(lengths[key])} for key in sorted(lengths)]}


def secret_detail(masked: Obj) -> Obj:
    return {**secret_item(masked), **_more(masked)}
