"""Services (with their EndpointSlices) and Ingresses, shaped for our API."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from resources.shapes.common import Obj, detail_meta, lb_addresses, meta

# The label joining an EndpointSlice to its Service (discovery.k8s.io/v1).
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
EXTERNAL_NAME = "ExternalName"


# --- Services ------------------------------------------------------------------------------------

def _port(p: Obj) -> Obj:
    return {
        "name": p.get("name") or None,
        "protocol": p.get("protocol") or "TCP",
        "port": p.get("port"),
        "targetPort": p.get("targetPort"),
        "nodePort": p.get("nodePort"),
    }


def service_item(svc: Obj) -> Obj:
    """Type, addresses, ports and selector. The endpoint counts are None here: `with_endpoints` fills them in
    from the EndpointSlices (they are another object's state, so no pure function of the Service knows them)."""
    spec, status = svc.get("spec") or {}, svc.get("status") or {}
    return {
        **meta(svc),
        "type": spec.get("type") or "ClusterIP",
        "clusterIP": spec.get("clusterIP") or None,
        "externalIPs": list(spec.get("externalIPs") or []),
        "loadBalancerIngress": lb_addresses(status),
        "externalName": spec.get("externalName") or None,
        "ports": [_port(p) for p in spec.get("ports") or []],
        "selector": dict(spec.get("selector") or {}),
        "readyEndpoints": None,
        "notReadyEndpoints": None,
    }


def service_detail(svc: Obj) -> Obj:
    """The item plus what `kubectl describe service` adds; `endpoints` is filled in by `with_endpoints`."""
    spec = svc.get("spec") or {}
    return {
        **service_item(svc),
        **detail_meta(svc),
        "clusterIPs": list(spec.get("clusterIPs") or []),
        "ipFamilies": list(spec.get("ipFamilies") or []),
        "sessionAffinity": spec.get("sessionAffinity"),
        "externalTrafficPolicy": spec.get("externalTrafficPolicy"),
        "internalTrafficPolicy": spec.get("internalTrafficPolicy"),
        "endpoints": [],
    }


def _endpoint_key(slice_: Obj, endpoint: Obj) -> tuple[Any, ...]:
    """One backend across slices: a dual-stack Service lists the same pod in an IPv4 and an IPv6 slice."""
    ref = endpoint.get("targetRef") or {}
    if ref.get("name"):
        return ("ref", ref.get("kind"), ref.get("namespace"), ref.get("name"))
    return ("addr", slice_.get("addressType"), tuple(endpoint.get("addresses") or ()))


def endpoint_rows(slices: Iterable[Obj]) -> list[Obj]:
    """The Service's endpoints from its EndpointSlices, one row per backend.

    `ready` follows the API's rule: an absent `conditions.ready` is an unknown state that consumers treat as
    ready; a terminating endpoint is never ready.
    """
    rows: dict[tuple[Any, ...], Obj] = {}
    for slice_ in slices:
        for endpoint in slice_.get("endpoints") or []:
            key = _endpoint_key(slice_, endpoint)
            conditions = endpoint.get("conditions") or {}
            terminating = conditions.get("terminating") is True
            ready = conditions.get("ready") is not False and not terminating
            row = rows.get(key)
            if row is None:
                ref = endpoint.get("targetRef") or {}
                rows[key] = {
                    "addresses": list(endpoint.get("addresses") or []),
                    "ready": ready,
                    "terminating": terminating,
                    "nodeName": endpoint.get("nodeName"),
                    "targetKind": ref.get("kind"),
                    "targetName": ref.get("name"),
                }
            else:
                row["addresses"] += [a for a in endpoint.get("addresses") or [] if a not in row["addresses"]]
                row["ready"] = row["ready"] and ready
                row["terminating"] = row["terminating"] or terminating
    return sorted(rows.values(), key=lambda r: (r["targetName"] or "", r["addresses"]))


def slices_by_service(slices: Iterable[Obj]) -> dict[tuple[str, str], list[Obj]]:
    """EndpointSlices grouped by (namespace, Service name), joined by the kubernetes.io/service-name label."""
    grouped: dict[tuple[str, str], list[Obj]] = {}
    for slice_ in slices:
        metadata = slice_.get("metadata") or {}
        service = (metadata.get("labels") or {}).get(SERVICE_NAME_LABEL)
        if service:
            grouped.setdefault((metadata.get("namespace") or "", service), []).append(slice_)
    return grouped


def with_endpoints(item: Obj, slices: list[Obj] | None) -> Obj:
    """A copy of a Service item or detail with its endpoint counts (and rows, for a detail).

    `slices` None means they could not be read (the cluster serves no discovery.k8s.io/v1): counts stay None.
    An ExternalName Service has no endpoints by design: its counts stay None too.
    """
    out = dict(item)
    if slices is None or item.get("type") == EXTERNAL_NAME:
        return out
    rows = endpoint_rows(slices)
    out["readyEndpoints"] = sum(1 for r in rows if r["ready"])
    out["notReadyEndpoints"] = len(rows) - out["readyEndpoints"]
    if "endpoints" in out:
        out["endpoints"] = rows
    return out


# --- Ingresses -----------------------------------------------------------------------------------

INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _backend(backend: Obj | None) -> Obj | None:
    """A backend as {kind, name, port}: a Service (port number or name) or a resource (apiGroup kind)."""
    if not backend:
        return None
    service = backend.get("service")
    if service:
        port = service.get("port") or {}
        number = port.get("number")
        return {"kind": "Service", "name": service.get("name"), "port": number if number is not None else
                port.get("name")}
    resource = backend.get("resource") or {}
    return {"kind": resource.get("kind"), "name": resource.get("name"), "port": None}


def ingress_class(ing: Obj) -> str | None:
    """spec.ingressClassName, else the older kubernetes.io/ingress.class annotation."""
    annotations = (ing.get("metadata") or {}).get("annotations") or {}
    return (ing.get("spec") or {}).get("ingressClassName") or annotations.get(INGRESS_CLASS_ANNOTATION) or None


def ingress_item(ing: Obj) -> Obj:
    """Class, hosts, each path with its backend, TLS (hosts and secret names) and the load-balancer address."""
    spec, status = ing.get("spec") or {}, ing.get("status") or {}
    hosts: list[str] = []
    paths: list[Obj] = []
    for rule in spec.get("rules") or []:
        host = rule.get("host") or None
        if host and host not in hosts:
            hosts.append(host)
        for p in ((rule.get("http") or {}).get("paths") or []):
            paths.append({"host": host, "path": p.get("path") or "/", "pathType": p.get("pathType"),
                          "backend": _backend(p.get("backend"))})
    tls = [{"hosts": list(t.get("hosts") or []), "secretName": t.get("secretName") or None}
           for t in spec.get("tls") or []]
    return {
        **meta(ing),
        "ingressClass": ingress_class(ing),
        "hosts": hosts,
        "paths": paths,
        "defaultBackend": _backend(spec.get("defaultBackend")),
        "tls": tls,
        "addresses": lb_addresses(status),
    }


def ingress_detail(ing: Obj) -> Obj:
    return {**ingress_item(ing), **detail_meta(ing)}
