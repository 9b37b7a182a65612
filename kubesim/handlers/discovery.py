"""Legacy (non-aggregated) discovery documents, /version and health endpoints."""

from __future__ import annotations

from typing import Any

from ..resources import GROUP_VERSIONS, RESOURCES, SUBRESOURCE_GROUPS

Obj = dict[str, Any]

VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:03:55Z",
    "goVersion": "go1.23.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def api_versions(server_address: str) -> Obj:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group(name: str) -> Obj:
    versions = [{"groupVersion": f"{name}/{v}", "version": v} for v in GROUP_VERSIONS[name]]
    return {"name": name, "versions": versions, "preferredVersion": versions[0]}


def api_group_list() -> Obj:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g) for g in GROUP_VERSIONS]}


def api_group(name: str) -> Obj | None:
    if name not in GROUP_VERSIONS:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name)}


def resource_list(group: str, version: str) -> Obj | None:
    if group and version not in GROUP_VERSIONS.get(group, []):
        return None
    if not group and version != "v1":
        return None
    resources: list[Obj] = []
    for r in RESOURCES:
        if r.group != group or r.version != version:
            continue
        entry: Obj = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                      "kind": r.kind, "verbs": sorted(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        for sub, kind, verbs in r.subresources:
            se: Obj = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                       "kind": kind, "verbs": list(verbs)}
            gv = SUBRESOURCE_GROUPS.get((r.plural, sub))
            if gv:
                se["group"], se["version"] = gv
            resources.append(se)
    doc: Obj = {"kind": "APIResourceList", "groupVersion": f"{group}/{version}" if group else version,
                "resources": resources}
    if group:
        doc["apiVersion"] = "v1"
    return doc
