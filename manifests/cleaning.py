"""Objects as a person edits them: the API server's bookkeeping left out, Secret values masked.

The same cleaning feeds the apply diff and "YAML out", so what one shows is what the other compares.
"""
from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

Obj = dict[str, Any]

# metadata kept; everything else there (managedFields, resourceVersion, uid, creationTimestamp, generation,
# selfLink, ownerReferences, finalizers, deletion marks) is the server's or a controller's
KEPT_METADATA = ("name", "generateName", "namespace", "labels", "annotations")
# annotations written by tools and controllers, not by the person who owns the manifest
NOISY_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")
SECRET_FIELDS = ("data", "stringData")
MASK = "***"


def clean(obj: Obj | None) -> Obj:
    """apiVersion, kind, trimmed metadata, then every other top-level field but `status`."""
    if not obj:
        return {}
    out: Obj = {}
    for key in ("apiVersion", "kind"):
        if key in obj:
            out[key] = obj[key]
    metadata = obj.get("metadata") or {}
    kept: Obj = {k: copy.deepcopy(metadata[k]) for k in KEPT_METADATA if metadata.get(k) not in (None, {}, "")}
    annotations = kept.get("annotations")
    if isinstance(annotations, dict):
        for key in NOISY_ANNOTATIONS:
            annotations.pop(key, None)
        if not annotations:
            kept.pop("annotations")
    out["metadata"] = kept
    for key, value in obj.items():
        if key not in ("apiVersion", "kind", "metadata", "status"):
            out[key] = copy.deepcopy(value)
    _drop_null_timestamps(out)
    return out


def _drop_null_timestamps(value: Any) -> None:
    """`creationTimestamp: null` inside pod templates is the API server's encoding artefact."""
    if isinstance(value, dict):
        if "creationTimestamp" in value and value["creationTimestamp"] is None:
            value.pop("creationTimestamp")
        for child in value.values():
            _drop_null_timestamps(child)
    elif isinstance(value, list):
        for child in value:
            _drop_null_timestamps(child)


def is_secret(obj: Obj | None) -> bool:
    return bool(obj) and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _size(field: str, value: Any) -> int:
    text = value if isinstance(value, str) else str(value)
    if field == "data":
        try:
            return len(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            return len(text)
    return len(text.encode())


def mask_secret(obj: Obj, compared_with: Obj | None = None) -> Obj:
    """A Secret's values as `*** (N bytes)`; `, changed` when `compared_with` (the other side of a diff) holds
    another value under the same key, so a diff shows that a value changed without showing any value."""
    if not is_secret(obj):
        return obj
    out = dict(obj)
    for field in SECRET_FIELDS:
        values = obj.get(field)
        if not isinstance(values, dict):
            continue
        other = (compared_with or {}).get(field) if compared_with is not None else None
        masked = {}
        for key, value in values.items():
            text = f"{MASK} ({_size(field, value)} bytes"
            if isinstance(other, dict) and key in other and other[key] != value:
                text += ", changed"
            masked[key] = text + ")"
        out[field] = masked
    return out
