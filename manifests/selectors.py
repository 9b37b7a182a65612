"""Any object as clean YAML, ready to edit and apply back (Secret values masked)."""
from __future__ import annotations

import re
from typing import Any

from clusters.models import Cluster
from common import errors
from kube import dynamic
from manifests import cleaning, yamlio

Obj = dict[str, Any]
PLURAL = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$")


def resource(cluster: Cluster, plural: str, *, namespaced: bool) -> dynamic.ApiResource:
    """The resource `plural` (`deployments`, or `deployments.apps` to pick the group) of the right scope."""
    if len(plural) > 253 or not PLURAL.match(plural):
        raise errors.InvalidRequest(f"'{plural[:40]}' is not a resource name (e.g. 'deployments' or "
                                    "'deployments.apps')")
    res = dynamic.resource_for_plural(cluster, plural)
    if res is None:
        raise errors.NotFound(f"The cluster '{cluster.name}' serves no resource '{plural}'")
    if res.namespaced != namespaced:
        where = "inside a namespace" if res.namespaced else "outside namespaces (it is cluster-scoped)"
        raise errors.NotFound(f"'{plural}' lives {where}: use "
                              f"{'/namespaces/<ns>/' if res.namespaced else '/'}{plural}/<name>/yaml")
    if "get" not in res.verbs:
        raise errors.NotFound(f"The cluster '{cluster.name}' does not allow reading {plural} one by one")
    return res


def object_yaml(*, cluster: Cluster, plural: str, namespace: str | None, name: str) -> str:
    """The object's cleaned YAML; 404 naming the kind, name and namespace when absent."""
    res = resource(cluster, plural, namespaced=namespace is not None)
    obj = dynamic.get_object(cluster, res, namespace, name)
    if obj is None:
        where = f" in namespace '{namespace}'" if namespace else ""
        raise errors.NotFound(f"{res.kind} '{name}' not found{where} of cluster '{cluster.name}'")
    return yamlio.dump(cleaning.mask_secret(cleaning.clean(obj)))
