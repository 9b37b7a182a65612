"""The EndpointSlice and Endpoints controllers: a Service's selected pods, ready or not, with their ports."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import clock

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
SLICES = "endpointslices.discovery.k8s.io"
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


def pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _resolve_port(pod: Obj, target: Any) -> int | None:
    """A Service targetPort (number or container port name) on this pod."""
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return p.get("containerPort")
    return None


def _selected(svc: Obj, pods: list[Obj]) -> list[Obj]:
    sel = (svc.get("spec") or {}).get("selector") or {}
    out = []
    for p in pods:
        labels = p["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in sel.items()) and (p.get("status") or {}).get("podIP") \
                and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            out.append(p)
    return out


class EndpointSlices:
    """Keeps one or more EndpointSlices (one per distinct port mapping) and the Endpoints of every Service
    with a selector in step with its pods."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def step(self) -> None:
        store = self.cluster.store
        services = [s for s in store.refs("services") if not s["metadata"].get("deletionTimestamp")]
        names = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in services}
        for ep in store.refs("endpoints"):
            md = ep["metadata"]
            if (md["namespace"], md["name"]) not in names and TRIGGER in (md.get("annotations") or {}):
                store.remove("endpoints", md["namespace"], md["name"])
        managed = [s for s in services if (s.get("spec") or {}).get("selector")
                   and (s.get("spec") or {}).get("type") != "ExternalName"]
        if not managed:
            return
        pods_by_ns: dict[str, list[Obj]] = {}
        for ns in {s["metadata"]["namespace"] for s in managed}:
            pods_by_ns[ns] = store.refs("pods", ns)
        slices_by_svc: dict[tuple[str, str], list[Obj]] = {}
        for sl in store.refs(SLICES):
            labels = sl["metadata"].get("labels") or {}
            if labels.get(MANAGED_BY) == SLICE_CONTROLLER and labels.get(SERVICE_NAME):
                slices_by_svc.setdefault((sl["metadata"]["namespace"], labels[SERVICE_NAME]), []).append(sl)
        for svc in managed:
            ns = svc["metadata"]["namespace"]
            pods = _selected(svc, pods_by_ns.get(ns, []))
            groups = self._groups(svc, pods)
            self._sync_slices(svc, groups, slices_by_svc.get((ns, svc["metadata"]["name"]), []))
            self._sync_endpoints(svc, groups)

    # ---- desired state --------------------------------------------------------------------
    def _groups(self, svc: Obj, pods: list[Obj]) -> list[tuple[list[Obj], list[Obj]]]:
        """[(ports, endpoints)] grouped by the pods' resolved port numbers, as the slice controller does."""
        spec = svc.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        nodes = {n["metadata"]["name"]: n for n in self.cluster.store.refs("nodes")}
        by_ports: dict[tuple, tuple[list[Obj], list[Obj]]] = {}
        for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
            ports = []
            for sp in spec.get("ports") or []:
                num = _resolve_port(pod, sp.get("targetPort", sp.get("port")))
                if num is None:
                    continue
                ep: Obj = {"name": sp.get("name", ""), "port": num, "protocol": sp.get("protocol", "TCP")}
                if sp.get("appProtocol"):
                    ep["appProtocol"] = sp["appProtocol"]
                ports.append(ep)
            key = tuple((p["name"], p["port"], p["protocol"]) for p in ports)
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            ready = pod_ready(pod)
            node = (pod.get("spec") or {}).get("nodeName")
            endpoint: Obj = {"addresses": [pod["status"]["podIP"]],
                             "conditions": {"ready": (ready or publish) and not terminating,
                                            "serving": ready or publish, "terminating": terminating}}
            if (pod.get("spec") or {}).get("hostname") and (pod.get("spec") or {}).get("subdomain"):
                endpoint["hostname"] = pod["spec"]["hostname"]
            if node:
                endpoint["nodeName"] = node
            endpoint["targetRef"] = {"kind": "Pod", "namespace": pod["metadata"]["namespace"],
                                     "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
            zone = ((nodes.get(node) or {}).get("metadata", {}).get("labels") or {}).get(
                "topology.kubernetes.io/zone") if node else None
            if zone:
                endpoint["zone"] = zone
            by_ports.setdefault(key, (ports, []))[1].append(endpoint)
        return list(by_ports.values())

    # ---- EndpointSlices -------------------------------------------------------------------
    def _sync_slices(self, svc: Obj, groups: list[tuple[list[Obj], list[Obj]]], existing: list[Obj]) -> None:
        store = self.cluster.store
        md = svc["metadata"]
        labels = {**(md.get("labels") or {}), MANAGED_BY: SLICE_CONTROLLER, SERVICE_NAME: md["name"]}
        # a Service without endpoints keeps one placeholder slice with neither ports nor endpoints
        wanted: list[tuple[list[Obj] | None, list[Obj] | None]] = [(p, e) for p, e in groups] or [(None, None)]
        existing = sorted(existing, key=lambda s: s["metadata"]["name"])
        for i, (ports, endpoints) in enumerate(wanted):
            if i < len(existing):
                cur = existing[i]
                if cur.get("ports") == ports and cur.get("endpoints") == endpoints and \
                        cur["metadata"].get("labels") == labels:
                    continue

                def fn(s: Obj, ports: Any = ports, endpoints: Any = endpoints) -> Obj:
                    s["ports"], s["endpoints"] = copy.deepcopy(ports), copy.deepcopy(endpoints)
                    s["metadata"]["labels"] = dict(labels)
                    s["metadata"].setdefault("annotations", {})[TRIGGER] = clock.iso()
                    return s
                store.mutate(SLICES, md["namespace"], cur["metadata"]["name"], fn)
                continue
            store.create(SLICES, {
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": f"{md['name']}-{self.cluster.suffix()}", "generateName": f"{md['name']}-",
                             "namespace": md["namespace"], "uid": self.cluster.uid(), "labels": dict(labels),
                             "annotations": {TRIGGER: clock.iso()},
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": md["name"],
                                                  "uid": md["uid"], "controller": True,
                                                  "blockOwnerDeletion": True}]},
                "addressType": "IPv4", "endpoints": copy.deepcopy(endpoints), "ports": copy.deepcopy(ports)})
        for extra in existing[len(wanted):]:
            store.remove(SLICES, md["namespace"], extra["metadata"]["name"])

    # ---- Endpoints ------------------------------------------------------------------------
    def _sync_endpoints(self, svc: Obj, groups: list[tuple[list[Obj], list[Obj]]]) -> None:
        store = self.cluster.store
        md = svc["metadata"]
        subsets = []
        for ports, endpoints in groups:
            ready, not_ready = [], []
            for e in endpoints:
                if e["conditions"]["terminating"]:
                    continue
                addr: Obj = {"ip": e["addresses"][0]}
                if e.get("hostname"):
                    addr["hostname"] = e["hostname"]
                if e.get("nodeName"):
                    addr["nodeName"] = e["nodeName"]
                addr["targetRef"] = dict(e["targetRef"])
                (ready if e["conditions"]["ready"] else not_ready).append(addr)
            if not ready and not not_ready:
                continue
            subset: Obj = {}
            if ready:
                subset["addresses"] = sorted(ready, key=lambda a: a["ip"])
            if not_ready:
                subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: a["ip"])
            subset["ports"] = [{k: v for k, v in p.items() if v != "" or k != "name"} for p in ports]
            subsets.append(subset)
        cur = store.ref("endpoints", md["namespace"], md["name"])
        labels = dict(md.get("labels") or {})
        if cur is None:
            ep: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                       "metadata": {"name": md["name"], "namespace": md["namespace"], "uid": self.cluster.uid(),
                                    "annotations": {TRIGGER: clock.iso()}}}
            if labels:
                ep["metadata"]["labels"] = labels
            if subsets:
                ep["subsets"] = subsets
            store.create("endpoints", ep)
            return
        if (cur.get("subsets") or []) == subsets and (cur["metadata"].get("labels") or {}) == labels:
            return

        def fn(e: Obj) -> Obj:
            if subsets:
                e["subsets"] = subsets
            else:
                e.pop("subsets", None)
            if labels:
                e["metadata"]["labels"] = labels
            else:
                e["metadata"].pop("labels", None)
            e["metadata"].setdefault("annotations", {})[TRIGGER] = clock.iso()
            return e
        store.mutate("endpoints", md["namespace"], md["name"], fn)
