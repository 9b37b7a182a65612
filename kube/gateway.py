"""Typed entry points to a cluster's APIs. Every method call gets timeouts and error translation.

    gateway.core_v1(cluster).list_namespaced_pod("default")
    gateway.call(cluster, lambda c: c.get_code())        # for the rare client-level call
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from kube import cache
from kube.clients import client_for
from kube.errors import translate, translated
from kube.metrics import upstream_call
from kube.target import ClusterTarget

T = TypeVar("T")

# The generated client sends a dict patch as JSON Patch unless told otherwise: pass one of these as
# `_content_type=` to `patch_*` calls (e.g. `patch_node(name, {"spec": {...}}, _content_type=gateway.MERGE_PATCH)`).
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
# Methods that change the cluster: after one succeeds, the watch cache of what it wrote catches up before it is read.
_WRITES = ("create_", "patch_", "replace_", "delete_")


def default_timeout() -> tuple[float, float]:
    return (settings.KUBE_CONNECT_TIMEOUT, settings.KUBE_READ_TIMEOUT)


class _Api:
    """Wraps a generated API class: adds `_request_timeout` and turns failures into application errors."""

    def __init__(self, api: Any, cluster: ClusterTarget) -> None:
        self._api = api
        self._cluster_name = cluster.name
        self._cluster_id = cluster.pk

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._api, name)
        if not callable(target):
            return target

        @functools.wraps(target)
        def call(*args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("_request_timeout", default_timeout())
            with upstream_call(self._cluster_id), translated(self._cluster_name):
                result = target(*args, **kwargs)
            if name.startswith(_WRITES):  # watch cache: read-your-writes (kube/cache.py)
                cache.written(self._cluster_id, name, result)
            return result

        return call


def _api(api_class: type, cluster: ClusterTarget) -> Any:
    with translated(cluster.name):
        api_client = client_for(cluster)
    return _Api(api_class(api_client), cluster)


def api_for(cluster: ClusterTarget, api_class: type) -> Any:
    """Any generated API class (a registry kind's `api`), wrapped like the accessors below."""
    return _api(api_class, cluster)


def core_v1(cluster: ClusterTarget) -> Any:
    return _api(k8s.CoreV1Api, cluster)


def apps_v1(cluster: ClusterTarget) -> Any:
    return _api(k8s.AppsV1Api, cluster)


def batch_v1(cluster: ClusterTarget) -> Any:
    return _api(k8s.BatchV1Api, cluster)


def policy_v1(cluster: ClusterTarget) -> Any:
    return _api(k8s.PolicyV1Api, cluster)


def version(cluster: ClusterTarget) -> Any:
    return _api(k8s.VersionApi, cluster)


def api_client(cluster: ClusterTarget) -> Any:
    """The raw ApiClient, for `sanitize_for_serialization` and streaming helpers inside kube/."""
    with translated(cluster.name):
        return client_for(cluster)


def call(cluster: ClusterTarget, fn: Callable[[Any], T]) -> T:
    """Run `fn(api_client)` with error translation (for calls no typed API covers)."""
    with upstream_call(cluster.pk), translated(cluster.name):
        return fn(client_for(cluster))


def get_json(cluster: ClusterTarget, path: str, *, query: dict[str, str] | None = None,
             accept: str = "application/json") -> Any:
    """GET `path` (e.g. "/api/v1/pods") with any query and Accept header, answered as parsed JSON.

    For what the typed APIs cannot ask for, e.g. server-side printing
    (`accept="application/json;as=Table;v=v1;g=meta.k8s.io"`, `query={"includeObject": "None"}`).
    """
    with upstream_call(cluster.pk), translated(cluster.name):
        client = client_for(cluster)
        method, url, headers, _body, _post = client.param_serialize(
            "GET", path, query_params=list((query or {}).items()), header_params={"Accept": accept},
            auth_settings=["BearerToken"],
        )
        response = client.call_api(method, url, header_params=headers, _request_timeout=default_timeout())
        data = response.read()
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=data.decode("utf-8", "replace"), data=None)
        return json.loads(data)


def to_dict(cluster: ClusterTarget, obj: Any) -> Any:
    """A generated model as the plain camelCase JSON dict the API server sent."""
    return api_client(cluster).sanitize_for_serialization(obj)


__all__ = [
    "MERGE_PATCH", "STRATEGIC_MERGE_PATCH", "api_client", "api_for", "apps_v1", "batch_v1", "call", "core_v1",
    "get_json", "policy_v1", "to_dict", "translate", "version",
]
