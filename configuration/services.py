"""Changes to ConfigMaps and Secrets, and revealing a Secret's values.

Secret values come in as plain strings and go to the cluster base64-encoded; the answers are the masked
detail (lengths, never values). An error the cluster answers is scrubbed of every value (plain and encoded)
before it can reach a response or a log line.
"""
from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rest_framework.exceptions import ErrorDetail

from clusters.models import Cluster
from common.errors import AppError
from kube import generic, registry

log = logging.getLogger(__name__)
Obj = dict[str, Any]
REDACTED = "[redacted]"


def _detail(plural: str, obj: Obj) -> Obj:
    return registry.detail_shaper(registry.get(plural))(obj)


def _metadata(name: str, namespace: str, labels: dict[str, str] | None, current: Obj | None = None,
              resource_version: str | None = None) -> Obj:
    metadata: Obj = dict((current or {}).get("metadata") or {})
    metadata.update(name=name, namespace=namespace)
    if labels is not None:
        metadata["labels"] = labels
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    return metadata


# --- ConfigMaps ----------------------------------------------------------------------------------

def configmap_create(*, cluster: Cluster, namespace: str, name: str, data: dict[str, str],
                     labels: dict[str, str] | None = None) -> Obj:
    body = {"metadata": _metadata(name, namespace, labels or {}), "data": data}
    return _detail("configmaps", generic.create_object(cluster, registry.get("configmaps"), body, namespace=namespace))


def configmap_update(*, cluster: Cluster, namespace: str, name: str, data: dict[str, str], resource_version: str,
                     labels: dict[str, str] | None = None) -> Obj:
    """Replace the data (and labels, when given) of the version the caller read: a newer one is a 409."""
    kind = registry.get("configmaps")
    current = generic.get_object(cluster, kind, namespace=namespace, name=name)
    body = {**current, "metadata": _metadata(name, namespace, labels, current, resource_version), "data": data}
    return _detail("configmaps", generic.replace_object(cluster, kind, body, namespace=namespace, name=name))


def delete(*, cluster: Cluster, plural: str, namespace: str, name: str) -> None:
    generic.delete_object(cluster, registry.get(plural), namespace=namespace, name=name)


# --- Secrets -------------------------------------------------------------------------------------

def _encoded(values: dict[str, str]) -> dict[str, str]:
    return {key: base64.b64encode(value.encode("utf-8")).decode("ascii") for key, value in values.items()}


def scrub(text: str, values: dict[str, str]) -> str:
    """`text` with every value, and its base64 form, replaced."""
    for value in sorted([*values.values(), *_encoded(values).values()], key=len, reverse=True):
        if value:
            text = text.replace(value, REDACTED)
    return text


@contextmanager
def _scrubbed(values: dict[str, str]) -> Iterator[None]:
    """Errors raised inside never carry a value (the cluster may quote a rejected field back)."""
    try:
        yield
    except AppError as exc:
        exc.detail = ErrorDetail(scrub(str(exc.detail), values), code=getattr(exc.detail, "code", None))
        raise


def secret_create(*, cluster: Cluster, namespace: str, name: str, values: dict[str, str], type: str = "Opaque",  # noqa: A002
                  labels: dict[str, str] | None = None) -> Obj:
    """Create the Secret from plain values; the answer shows their lengths only."""
    body = {"metadata": _metadata(name, namespace, labels or {}), "type": type, "data": _encoded(values)}
    with _scrubbed(values):
        created = generic.create_object(cluster, registry.get("secrets"), body, namespace=namespace)
    return _detail("secrets", created)


def secret_update(*, cluster: Cluster, namespace: str, name: str, values: dict[str, str], resource_version: str,
                  labels: dict[str, str] | None = None) -> Obj:
    """Replace the values (and labels, when given) of the version the caller read: a newer one is a 409."""
    kind = registry.get("secrets")
    current = generic.get_object(cluster, kind, namespace=namespace, name=name)
    body = {**current, "metadata": _metadata(name, namespace, labels, current, resource_version),
            "data": _encoded(values)}
    body.pop("stringData", None)
    with _scrubbed(values):
        updated = generic.replace_object(cluster, kind, body, namespace=namespace, name=name)
    return _detail("secrets", updated)


def secret_reveal(*, cluster: Cluster, namespace: str, name: str) -> Obj:
    """The Secret's values, decoded: UTF-8 text in `data`, anything else base64 in `binaryData`."""
    obj = generic.get_object(cluster, registry.get("secrets"), namespace=namespace, name=name)
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, encoded in sorted((obj.get("data") or {}).items()):
        try:
            raw = base64.b64decode(encoded or "", validate=True)
        except (binascii.Error, ValueError):
            binary[key] = encoded
            continue
        try:
            text[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = encoded
    metadata = obj.get("metadata") or {}
    log.info("Secret %s/%s of cluster '%s' revealed (%d keys)", namespace, name, cluster.name, len(text) + len(binary))
    return {"name": metadata.get("name"), "namespace": metadata.get("namespace"),
            "type": obj.get("type") or "Opaque", "data": text, "binaryData": binary}
