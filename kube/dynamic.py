"""Any kind a cluster serves, found from its discovery: read it, and server-side apply it.

The typed client knows only the built-in kinds; apply and "YAML out" must work for custom resources too.
Discovery (`/api/v1`, `/apis`, `/apis/<group>/<version>`) is cached per cluster and credential for
`DISCOVERY_TTL` seconds, so a manifest of 100 objects asks once, and a CRD created a minute ago is found soon.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kubernetes.client.exceptions import ApiException

from common import errors
from kube import cache
from kube.clients import client_for
from kube.errors import kubernetes_message, translated
from kube.gateway import default_timeout
from kube.metrics import upstream_call
from kube.target import ClusterTarget

Obj = dict[str, Any]
DISCOVERY_TTL = 30.0
APPLY_PATCH = "application/apply-patch+yaml"
FIELD_MANAGER = "kubepolaris"


@dataclass(frozen=True)
class ApiResource:
    """One resource of a cluster's discovery."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None, name: str | None = None) -> str:
        """`/apis/apps/v1/namespaces/shop/deployments/web` (segments quoted; names were checked before)."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        return base + (f"/{quote(name, safe='')}" if name else "")


class ApplyConflict(errors.Conflict):
    """Server-side apply refused: fields owned by other managers (the message names them)."""


_lock = threading.Lock()
_discovery: dict[tuple[Any, str], tuple[float, list[ApiResource]]] = {}


def _request(cluster: ClusterTarget, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
             body: Any = None, content_type: str | None = None) -> tuple[int, Any]:
    """One raw request: (status, parsed JSON); a failure status raises the translated error."""
    with upstream_call(cluster.pk), translated(cluster.name):
        client = client_for(cluster)
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        _m, url, headers, _b, _p = client.param_serialize(method, path, query_params=query or [],
                                                          header_params=headers, auth_settings=["BearerToken"])
        payload = json.dumps(body) if body is not None else None
        response = client.call_api(method, url, header_params=headers, body=payload,
                                   _request_timeout=default_timeout())
        data = response.read()
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=data.decode("utf-8", "replace"), data=None)
        return response.status, json.loads(data or b"null")


def _group_versions(cluster: ClusterTarget) -> list[tuple[str, str]]:
    out = [("", "v1")]
    _, groups = _request(cluster, "GET", "/apis")
    for group in (groups or {}).get("groups") or []:
        preferred = (group.get("preferredVersion") or {}).get("version")
        versions = [v.get("version") for v in group.get("versions") or [] if v.get("version")]
        for version in ([preferred] if preferred else []) + [v for v in versions if v != preferred]:
            out.append((group.get("name", ""), version))
    return out


def discover(cluster: ClusterTarget) -> list[ApiResource]:
    """Every top-level resource the cluster serves (subresources left out), preferred versions first."""
    key = (cluster.pk, cluster.credential_fingerprint)
    now = time.monotonic()
    with _lock:
        cached = _discovery.get(key)
        if cached and now - cached[0] < DISCOVERY_TTL:
            return cached[1]
    found: list[ApiResource] = []
    for group, version in _group_versions(cluster):
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            _, doc = _request(cluster, "GET", path)
        except errors.NotFound:
            continue
        for entry in (doc or {}).get("resources") or []:
            if "/" in entry.get("name", ""):
                continue
            found.append(ApiResource(group, version, entry["name"], entry.get("kind", ""),
                                     bool(entry.get("namespaced")), tuple(entry.get("verbs") or ())))
    with _lock:
        _discovery[key] = (now, found)
    return found


def forget_discovery(cluster: ClusterTarget) -> None:
    """Drop the cached discovery (e.g. right after a CRD was applied)."""
    with _lock:
        for key in [k for k in _discovery if k[0] == cluster.pk]:
            _discovery.pop(key, None)


def resource_for_kind(cluster: ClusterTarget, api_version: str, kind: str) -> ApiResource | None:
    """The resource serving `kind` in `api_version`, or None when the cluster has no such kind."""
    for res in discover(cluster):
        if res.api_version == api_version and res.kind == kind:
            return res
    return None


def resource_for_plural(cluster: ClusterTarget, plural: str) -> ApiResource | None:
    """`deployments` or `deployments.apps`: the preferred version's resource, core group first; else None."""
    name, _, group = plural.partition(".")
    for res in discover(cluster):
        if res.plural == name and (not group or res.group == group) and (group or not res.group):
            return res
    if not group:
        return next((res for res in discover(cluster) if res.plural == name), None)
    return None


def get_object(cluster: ClusterTarget, res: ApiResource, namespace: str | None, name: str) -> Obj | None:
    """The live object, or None when absent."""
    try:
        return _request(cluster, "GET", res.path(namespace, name))[1]
    except errors.NotFound:
        return None


def server_side_apply(cluster: ClusterTarget, res: ApiResource, namespace: str | None, name: str, obj: Obj, *,
                      force: bool, dry_run: bool) -> Obj:
    """PATCH `obj` as an apply configuration (field manager `kubepolaris`): the object the server made of it.

    A conflict with another field manager raises ApplyConflict with the server's words (managers and fields).
    """
    query = [("fieldManager", FIELD_MANAGER), ("force", "true" if force else "false")]
    if dry_run:
        query.append(("dryRun", "All"))
    try:
        _, result = _request(cluster, "PATCH", res.path(namespace, name), query=query, body=obj,
                             content_type=APPLY_PATCH)
    except errors.Conflict as exc:
        cause = exc.__cause__
        if isinstance(cause, ApiException):
            raise ApplyConflict(kubernetes_message(cause)) from None
        raise
    if not dry_run:
        cache.note_write(cluster, res.plural, ((result or {}).get("metadata") or {}).get("resourceVersion"))
        if res.kind == "CustomResourceDefinition":
            forget_discovery(cluster)
    return result
