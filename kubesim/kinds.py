"""Defaulting, validation and allocation for the config, network, storage and autoscaling kinds.

`defaults.default_object` / `defaults.validate` call `default_kind` / `validate_kind` for these
kinds; `admit` runs inside the store on every create/replace (see `Store.add_admission`) because
it needs the cluster's state: Service clusterIPs and nodePorts are allocated there, a PVC without
a class gets the default StorageClass, and the storage-protection finalizers are added, as the
API server's allocators and admission plugins do.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import TYPE_CHECKING, Any

from . import clock
from .errors import ApiError, bad_request, invalid

if TYPE_CHECKING:
    from .store import Store

Obj = dict[str, Any]
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORTS = (30000, 32767)
DEFAULT_SC_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
KEYS = ("configmaps", "secrets", "services", "endpoints", "persistentvolumeclaims", "persistentvolumes",
        "ingresses.networking.k8s.io", "ingressclasses.networking.k8s.io", "storageclasses.storage.k8s.io",
        "endpointslices.discovery.k8s.io", "horizontalpodautoscalers.autoscaling")


def _cause(field: str, reason: str, message: str) -> dict[str, str]:
    return {"field": field, "reason": reason, "message": message}


def _required(field: str, detail: str = "") -> dict[str, str]:
    return _cause(field, "FieldValueRequired", "Required value" + (f": {detail}" if detail else ""))


def _bad(field: str, value: Any, detail: str) -> dict[str, str]:
    shown = f'"{value}"' if isinstance(value, str) else value
    return _cause(field, "FieldValueInvalid", f"Invalid value: {shown}: {detail}")


def _unsupported(field: str, value: Any, supported: tuple[str, ...]) -> dict[str, str]:
    opts = ", ".join(f'"{s}"' for s in supported)
    return _cause(field, "FieldValueNotSupported", f'Unsupported value: "{value}": supported values: {opts}')


# ---- defaulting ---------------------------------------------------------------------------


def default_kind(key: str, obj: Obj) -> None:
    """SetDefaults_* and PrepareForCreate of each kind (status reset to what a new object shows)."""
    spec = obj.get("spec")
    if key == "secrets":
        obj.setdefault("type", "Opaque")
        _merge_string_data(obj)
    elif key == "services" and isinstance(spec, dict):
        _default_service(spec)
        obj["status"] = {"loadBalancer": {}}
    elif key == "endpoints":
        for ss in obj.get("subsets") or []:
            for p in ss.get("ports") or []:
                p.setdefault("protocol", "TCP")
    elif key == "endpointslices.discovery.k8s.io":
        for p in obj.get("ports") or []:
            p.setdefault("protocol", "TCP")
        obj.setdefault("endpoints", None)
        obj.setdefault("ports", None)
    elif key == "persistentvolumeclaims":
        spec = obj.setdefault("spec", {})
        spec.setdefault("volumeMode", "Filesystem")
        obj["status"] = {"phase": "Pending"}
    elif key == "persistentvolumes":
        spec = obj.setdefault("spec", {})
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
        obj["status"] = {"phase": "Pending", "lastPhaseTransitionTime": clock.iso()}
    elif key == "storageclasses.storage.k8s.io":
        obj.setdefault("reclaimPolicy", "Delete")
        obj.setdefault("volumeBindingMode", "Immediate")
    elif key == "ingresses.networking.k8s.io":
        obj.setdefault("spec", {})
        obj["status"] = {"loadBalancer": {}}
    elif key == "horizontalpodautoscalers.autoscaling" and isinstance(spec, dict):
        _default_hpa(spec)
        obj["status"] = {"currentMetrics": None, "desiredReplicas": 0}


def _merge_string_data(obj: Obj) -> None:
    """stringData is write-only: merged into data (base64) and dropped, as the v1 conversion does."""
    sd = obj.pop("stringData", None)
    if isinstance(sd, dict) and sd:
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        for k, v in sd.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        obj["data"] = data


def _default_service(spec: Obj) -> None:
    typ = spec.setdefault("type", "ClusterIP")
    if typ == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    for p in spec.get("ports") or []:
        if not isinstance(p, dict):
            continue
        p.setdefault("protocol", "TCP")
        if "targetPort" not in p and "port" in p:
            p["targetPort"] = p["port"]
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if typ in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if typ == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if spec.get("clusterIP") == "None" or spec.get("clusterIPs") == ["None"]:
        spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")


def _default_hpa(spec: Obj) -> None:
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.setdefault("behavior", {}) or {}
    spec["behavior"] = behavior
    up = behavior.setdefault("scaleUp", {})
    up.setdefault("stabilizationWindowSeconds", 0)
    up.setdefault("selectPolicy", "Max")
    up.setdefault("policies", [{"type": "Pods", "value": 4, "periodSeconds": 15},
                               {"type": "Percent", "value": 100, "periodSeconds": 15}])
    down = behavior.setdefault("scaleDown", {})
    down.setdefault("stabilizationWindowSeconds", 300)
    down.setdefault("selectPolicy", "Max")
    down.setdefault("policies", [{"type": "Percent", "value": 100, "periodSeconds": 15}])


# ---- validation ---------------------------------------------------------------------------


def validate_kind(key: str, obj: Obj, causes: list[dict[str, str]]) -> None:
    """Append the API server's validation errors for this kind to `causes`."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if key in ("configmaps", "secrets"):
        _validate_data(key, obj, causes)
    elif key == "services":
        _validate_service(spec, causes)
    elif key == "persistentvolumeclaims":
        _validate_pvc(spec, causes)
    elif key == "persistentvolumes":
        _validate_pv(spec, causes)
    elif key == "storageclasses.storage.k8s.io":
        if not obj.get("provisioner"):
            causes.append(_required("provisioner"))
        if obj.get("reclaimPolicy") not in ("Delete", "Retain"):
            causes.append(_unsupported("reclaimPolicy", obj.get("reclaimPolicy"), ("Delete", "Retain")))
        if obj.get("volumeBindingMode") not in ("Immediate", "WaitForFirstConsumer"):
            causes.append(_unsupported("volumeBindingMode", obj.get("volumeBindingMode"),
                                       ("Immediate", "WaitForFirstConsumer")))
    elif key == "ingresses.networking.k8s.io":
        _validate_ingress(spec, causes)
    elif key == "ingressclasses.networking.k8s.io":
        if not spec.get("controller"):
            causes.append(_required("spec.controller"))
    elif key == "endpointslices.discovery.k8s.io":
        if obj.get("addressType") not in ("IPv4", "IPv6", "FQDN"):
            causes.append(_unsupported("addressType", obj.get("addressType") or "", ("FQDN", "IPv4", "IPv6")))
    elif key == "horizontalpodautoscalers.autoscaling":
        _validate_hpa(spec, causes)


def _validate_data(key: str, obj: Obj, causes: list[dict[str, str]]) -> None:
    fields = ("data", "binaryData") if key == "configmaps" else ("data",)
    for f in fields:
        data = obj.get(f)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise bad_request(f"{'ConfigMap' if key == 'configmaps' else 'Secret'} in version \"v1\" cannot be "
                              f"handled as a {'ConfigMap' if key == 'configmaps' else 'Secret'}: json: cannot "
                              f"unmarshal {type(data).__name__} into Go struct field of type map[string]"
                              f"{'string' if f == 'data' and key == 'configmaps' else '[]uint8'}")
        for k, v in data.items():
            if not _CONFIG_KEY.match(k) or len(k) > 253:
                causes.append(_bad(f"{f}[{k}]", k, "a valid config key must consist of alphanumeric characters, "
                                   "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
                                   "for validation is '[-._a-zA-Z0-9]+')"))
            if key == "secrets" or f == "binaryData":
                if not isinstance(v, str):
                    raise bad_request("Secret in version \"v1\" cannot be handled as a Secret: json: cannot "
                                      "unmarshal number into Go struct field Secret.data of type []uint8")
                try:
                    base64.b64decode(v, validate=True)
                except (binascii.Error, ValueError):
                    kind = "Secret" if key == "secrets" else "ConfigMap"
                    raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: illegal base64 data '
                                      f"at input byte {_bad_byte(v)}") from None
            elif not isinstance(v, str):
                raise bad_request('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot '
                                  "unmarshal number into Go struct field ConfigMap.data of type string")
    if key == "secrets":
        typ = obj.get("type")
        data = obj.get("data") or {}
        if typ == "kubernetes.io/tls":
            for k in ("tls.crt", "tls.key"):
                if k not in data:
                    causes.append(_required(f"data[{k}]"))
        elif typ == "kubernetes.io/dockerconfigjson" and ".dockerconfigjson" not in data:
            causes.append(_required("data[.dockerconfigjson]"))


def _bad_byte(v: str) -> int:
    ok = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    for i, ch in enumerate(v):
        if ch not in ok:
            return i
    return max(0, len(v) - len(v) % 4)


def _validate_service(spec: Obj, causes: list[dict[str, str]]) -> None:
    typ = spec.get("type", "ClusterIP")
    if typ not in SERVICE_TYPES:
        causes.append(_unsupported("spec.type", typ, SERVICE_TYPES))
        return
    if typ == "ExternalName":
        if not spec.get("externalName"):
            causes.append(_required("spec.externalName"))
        return
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless:
        causes.append(_required("spec.ports"))
    names: set[str] = set()
    for i, p in enumerate(ports):
        f = f"spec.ports[{i}]"
        if not isinstance(p, dict):
            causes.append(_bad(f, str(p), "must be an object"))
            continue
        port = p.get("port")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            causes.append(_bad(f"{f}.port", port if port is not None else 0,
                               "must be between 1 and 65535, inclusive"))
        name = p.get("name") or ""
        if len(ports) > 1 and not name:
            causes.append(_required(f"{f}.name"))
        elif name in names:
            causes.append(_cause(f"{f}.name", "FieldValueDuplicate", f'Duplicate value: "{name}"'))
        names.add(name)
        if p.get("protocol") not in ("TCP", "UDP", "SCTP"):
            causes.append(_unsupported(f"{f}.protocol", p.get("protocol"), ("SCTP", "TCP", "UDP")))
        np = p.get("nodePort")
        if np is not None and typ == "ClusterIP" and np != 0:
            causes.append(_cause(f"{f}.nodePort", "FieldValueForbidden",
                                 "Forbidden: may not be used when `type` is 'ClusterIP'"))
        elif np and not NODE_PORTS[0] <= np <= NODE_PORTS[1]:
            causes.append(_bad(f"{f}.nodePort", np, f"provided port is not in the valid range. The range of valid "
                               f"ports is {NODE_PORTS[0]}-{NODE_PORTS[1]}"))
    ip = spec.get("clusterIP")
    if ip and ip != "None":
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            causes.append(_bad("spec.clusterIPs[0]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or "
                               "2001:db8::ffff)"))


def _quantity(v: Any) -> float | None:
    """A resource.Quantity as a number of bytes (or units); None when it is not one."""
    s = str(v).strip() if v is not None else ""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?", s)
    if not m:
        return None
    mult = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "k": 1e3, "M": 1e6,
            "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "m": 1e-3, None: 1}[m.group(2)]
    return float(m.group(1)) * mult


def quantity(v: Any) -> float:
    q = _quantity(v)
    return q if q is not None else 0.0


def _validate_access_modes(spec: Obj, causes: list[dict[str, str]]) -> None:
    modes = spec.get("accessModes") or []
    if not modes:
        causes.append(_required("spec.accessModes", "at least 1 access mode is required"))
    for m in modes:
        if m not in ACCESS_MODES:
            causes.append(_unsupported("spec.accessModes", m, ACCESS_MODES))


def _validate_pvc(spec: Obj, causes: list[dict[str, str]]) -> None:
    _validate_access_modes(spec, causes)
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if storage is None:
        causes.append(_required("spec.resources[storage]"))
    elif _quantity(storage) is None:
        raise bad_request("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
                          "[0-9]*)$'")
    elif quantity(storage) <= 0:
        causes.append(_bad("spec.resources[storage]", str(storage), "must be greater than zero"))


def _validate_pv(spec: Obj, causes: list[dict[str, str]]) -> None:
    _validate_access_modes(spec, causes)
    storage = (spec.get("capacity") or {}).get("storage")
    if storage is None:
        causes.append(_required("spec.capacity"))
    elif _quantity(storage) is None:
        raise bad_request("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
                          "[0-9]*)$'")
    sources = [k for k in ("hostPath", "local", "nfs", "csi", "iscsi", "awsElasticBlockStore", "gcePersistentDisk",
                           "azureDisk", "cephfs", "rbd", "fc") if k in spec]
    if not sources:
        causes.append(_required("spec", "must specify a volume type"))
    elif len(sources) > 1:
        causes.append(_cause(f"spec.{sources[1]}", "FieldValueForbidden",
                             "Forbidden: may not specify more than 1 volume type"))
    if spec.get("persistentVolumeReclaimPolicy") not in ("Delete", "Recycle", "Retain"):
        causes.append(_unsupported("spec.persistentVolumeReclaimPolicy", spec.get("persistentVolumeReclaimPolicy"),
                                   ("Delete", "Recycle", "Retain")))


PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def _validate_ingress(spec: Obj, causes: list[dict[str, str]]) -> None:
    rules = spec.get("rules") or []
    if not rules and not spec.get("defaultBackend"):
        causes.append(_cause("spec", "FieldValueInvalid",
                             "Invalid value: \"\": either `defaultBackend` or `rules` must be specified"))
    for i, r in enumerate(rules):
        for j, p in enumerate(((r.get("http") or {}).get("paths")) or []):
            f = f"spec.rules[{i}].http.paths[{j}]"
            if not p.get("pathType"):
                causes.append(_required(f"{f}.pathType", "pathType must be specified"))
            elif p["pathType"] not in PATH_TYPES:
                causes.append(_unsupported(f"{f}.pathType", p["pathType"], PATH_TYPES))
            if p.get("pathType") in ("Exact", "Prefix") and not str(p.get("path", "")).startswith("/"):
                causes.append(_bad(f"{f}.path", p.get("path", ""), "must be an absolute path"))
            backend = p.get("backend") or {}
            if not backend.get("service") and not backend.get("resource"):
                causes.append(_cause(f"{f}.backend", "FieldValueInvalid",
                                     "Invalid value: \"\": resource or service backend is required"))


def _validate_hpa(spec: Obj, causes: list[dict[str, str]]) -> None:
    ref = spec.get("scaleTargetRef") or {}
    if not ref.get("kind"):
        causes.append(_required("spec.scaleTargetRef.kind"))
    if not ref.get("name"):
        causes.append(_required("spec.scaleTargetRef.name"))
    mn, mx = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if isinstance(mn, int) and mn < 1:
        causes.append(_bad("spec.minReplicas", mn, "must be greater than or equal to 1"))
    if not isinstance(mx, int) or mx < 1:
        causes.append(_bad("spec.maxReplicas", mx if mx is not None else 0, "must be greater than 0"))
    elif isinstance(mn, int) and mx < mn:
        causes.append(_bad("spec.maxReplicas", mx, "must be greater than or equal to `minReplicas`"))


def raise_if(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> None:
    if causes:
        raise invalid(kind, group, name, causes)


# ---- allocation and admission -------------------------------------------------------------


class Admission:
    """Allocators and admission plugins that need the store (ClusterIP/NodePort, DefaultStorageClass,
    StorageObjectInUseProtection)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, key: str, obj: Obj, old: Obj | None) -> None:
        if key == "services":
            self._service(obj, old)
        elif key in ("configmaps", "secrets") and old is not None:
            _immutable_data(key, obj, old)
        elif key == "persistentvolumeclaims" and old is not None:
            _pvc_update(obj, old)
        elif old is None and key == "ingresses.networking.k8s.io":
            self._ingress(obj)
        elif old is None and key == "persistentvolumeclaims":
            self._pvc(obj)
        elif old is None and key == "persistentvolumes":
            fins = obj["metadata"].setdefault("finalizers", [])
            if PV_PROTECTION not in fins:
                fins.append(PV_PROTECTION)

    def _service(self, svc: Obj, old: Obj | None) -> None:
        spec = svc.get("spec")
        if not isinstance(spec, dict):
            return
        ospec = (old or {}).get("spec") or {}
        typ = spec.get("type", "ClusterIP")
        name = svc["metadata"]["name"]
        if typ == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
            return
        if old is not None and not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"], spec["clusterIPs"] = ospec["clusterIP"], list(ospec.get("clusterIPs") or [])
        used = {s["spec"].get("clusterIP") for s in self.store.refs("services")
                if s["metadata"].get("uid") != svc["metadata"].get("uid") and isinstance(s.get("spec"), dict)}
        ip = spec.get("clusterIP")
        if old is not None and ospec.get("clusterIP") and ip != ospec["clusterIP"]:
            raise invalid("Service", "", name, [_bad("spec.clusterIPs[0]", ip or "",
                                                     "may not change once set")])
        if not ip:
            ip = self._free_ip(used)
        elif ip != "None" and (old is None or ip != ospec.get("clusterIP")):
            if ip in used:
                raise invalid("Service", "", name, [_bad("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: "
                                                         "provided IP is already allocated")])
            if ipaddress.ip_address(ip) not in SERVICE_CIDR:
                raise invalid("Service", "", name, [_bad("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: "
                                                         "the provided IP "
                                                         f"({ip}) is not in the valid range. The range of valid "
                                                         f"IPs is {SERVICE_CIDR}")])
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
        if typ in ("NodePort", "LoadBalancer"):
            old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in ospec.get("ports") or []}
            taken = {p.get("nodePort") for s in self.store.refs("services")
                     if s["metadata"].get("uid") != svc["metadata"].get("uid")
                     for p in ((s.get("spec") or {}).get("ports") or [])}
            for p in spec.get("ports") or []:
                if typ == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False:
                    break
                if not p.get("nodePort"):
                    p["nodePort"] = old_ports.get((p.get("port"), p.get("protocol"))) or self._free_port(taken)
                elif p["nodePort"] in taken:
                    raise invalid("Service", "", name, [_bad(
                        "spec.ports[0].nodePort", p["nodePort"], "provided port is already allocated")])
                taken.add(p["nodePort"])
        else:
            for p in spec.get("ports") or []:
                p.pop("nodePort", None)

    def _free_ip(self, used: set[Any]) -> str:
        base = int(SERVICE_CIDR.network_address)
        n = len(used) + 10
        # deterministic and spread out, as the bitmap allocator's random offset looks
        for i in range(SERVICE_CIDR.num_addresses - 2):
            cand = str(ipaddress.ip_address(base + 1 + (n * 7919 + i * 104729) % (SERVICE_CIDR.num_addresses - 2)))
            if cand not in used and not cand.endswith((".0", ".255")):
                return cand
        raise ApiError(500, "Internal error occurred: failed to allocate a serviceIP: range is full",
                       "InternalError")

    def _free_port(self, taken: set[Any]) -> int:
        lo, hi = NODE_PORTS
        n = len(taken)
        for i in range(hi - lo + 1):
            cand = lo + (n * 2713 + i * 7) % (hi - lo + 1)
            if cand not in taken:
                return cand
        raise ApiError(500, "Internal error occurred: failed to allocate a nodePort: range is full",
                       "InternalError")

    def _ingress(self, ing: Obj) -> None:
        """DefaultIngressClass: an Ingress without a class gets the default IngressClass."""
        spec = ing.setdefault("spec", {})
        if spec.get("ingressClassName") or (ing["metadata"].get("annotations") or {}).get(
                "kubernetes.io/ingress.class"):
            return
        defaults = [c for c in self.store.refs("ingressclasses.networking.k8s.io")
                    if (c["metadata"].get("annotations") or {}).get(
                        "ingressclass.kubernetes.io/is-default-class") == "true"]
        if defaults:
            defaults.sort(key=lambda c: (c["metadata"].get("creationTimestamp") or "", c["metadata"]["name"]))
            spec["ingressClassName"] = defaults[-1]["metadata"]["name"]

    def _pvc(self, pvc: Obj) -> None:
        spec = pvc.setdefault("spec", {})
        if "storageClassName" not in spec:
            default = default_storage_class(self.store)
            if default:
                spec["storageClassName"] = default
        fins = pvc["metadata"].setdefault("finalizers", [])
        if PVC_PROTECTION not in fins:
            fins.append(PVC_PROTECTION)


def _immutable_data(key: str, obj: Obj, old: Obj) -> None:
    kind = "ConfigMap" if key == "configmaps" else "Secret"
    name = obj["metadata"]["name"]
    causes = []
    if key == "secrets" and obj.get("type") != old.get("type"):
        causes.append(_bad("type", obj.get("type") or "", "field is immutable"))
    if old.get("immutable"):
        for f in ("data", "binaryData") if key == "configmaps" else ("data",):
            if (obj.get(f) or {}) != (old.get(f) or {}):
                causes.append(_cause(f, "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"))
        if not obj.get("immutable"):
            causes.append(_cause("immutable", "FieldValueForbidden",
                                 "Forbidden: field is immutable when `immutable` is set"))
    raise_if(kind, "", name, causes)


def _pvc_update(obj: Obj, old: Obj) -> None:
    """A claim's spec is immutable, except its storage request (growing only) and, once, its volumeName."""
    new_spec, old_spec = dict(obj.get("spec") or {}), dict(old.get("spec") or {})
    if not old_spec.get("volumeName"):
        new_spec.pop("volumeName", None)
        old_spec.pop("volumeName", None)
    for s in (new_spec, old_spec):
        s.pop("resources", None)
        s.pop("volumeAttributesClassName", None)
    if new_spec != old_spec:
        raise_if("PersistentVolumeClaim", "", obj["metadata"]["name"], [_cause(
            "spec", "FieldValueForbidden", "Forbidden: spec is immutable after creation except resources.requests "
            "and volumeAttributesClassName for bound claims")])
    new_req = (((obj.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    old_req = (((old.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    if new_req != old_req and quantity(new_req) < quantity(old_req):
        raise_if("PersistentVolumeClaim", "", obj["metadata"]["name"], [_cause(
            "spec.resources.requests.storage", "FieldValueForbidden",
            "Forbidden: field can not be less than previous value")])


def default_storage_class(store: Store) -> str:
    """The newest StorageClass annotated as default (the DefaultStorageClass admission plugin)."""
    defaults = [sc for sc in store.refs("storageclasses.storage.k8s.io")
                if (sc["metadata"].get("annotations") or {}).get(DEFAULT_SC_ANNOTATION) == "true"]
    if not defaults:
        return ""
    defaults.sort(key=lambda sc: (sc["metadata"].get("creationTimestamp") or "", sc["metadata"]["name"]))
    return defaults[-1]["metadata"]["name"]
