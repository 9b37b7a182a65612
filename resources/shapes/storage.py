"""PersistentVolumeClaims, PersistentVolumes and StorageClasses, shaped for our API."""
from __future__ import annotations

from collections.abc import Iterable

from resources.shapes.common import Obj, condition, detail_meta, meta, quantity, terminating

DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
# PersistentVolume spec fields that are not the volume source (whatever else is set names the source).
_PV_SPEC_FIELDS = {"capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
                   "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"}


def _status(obj: Obj) -> str | None:
    """What kubectl's STATUS column shows: the phase, or Terminating once deletion has begun."""
    return "Terminating" if terminating(obj) else (obj.get("status") or {}).get("phase")


# --- PersistentVolumeClaims ----------------------------------------------------------------------

def claim_class(pvc: Obj) -> str | None:
    """spec.storageClassName, else the older beta annotation (as kubectl's STORAGECLASS column does)."""
    annotations = (pvc.get("metadata") or {}).get("annotations") or {}
    return (pvc.get("spec") or {}).get("storageClassName") or annotations.get(BETA_CLASS_ANNOTATION) or None


def pvc_item(pvc: Obj) -> Obj:
    """Status, capacity (once bound; `requested` is what was asked), access modes, class and bound volume.
    `usedBy` (the pods mounting the claim) is filled in by `with_users`."""
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    return {
        **meta(pvc),
        "status": _status(pvc),
        "phase": status.get("phase"),
        "capacity": quantity(status.get("capacity")),
        "requested": quantity((spec.get("resources") or {}).get("requests")),
        "accessModes": list(status.get("accessModes") or spec.get("accessModes") or []),
        "storageClass": claim_class(pvc),
        "volumeName": spec.get("volumeName") or None,
        "volumeMode": spec.get("volumeMode"),
        "usedBy": [],
    }


def pvc_detail(pvc: Obj) -> Obj:
    status = pvc.get("status") or {}
    return {**pvc_item(pvc), **detail_meta(pvc),
            "conditions": [condition(c) for c in status.get("conditions") or []]}


def claims_in_use(pods: Iterable[Obj]) -> dict[tuple[str, str], list[str]]:
    """(namespace, claim name) → names of the pods whose volumes reference the claim, sorted.

    Pods that have finished (Succeeded, Failed) no longer use their claims, as `kubectl describe pvc`'s
    "Used By" counts them.
    """
    users: dict[tuple[str, str], set[str]] = {}
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        metadata = pod.get("metadata") or {}
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                users.setdefault((metadata.get("namespace") or "", claim), set()).add(metadata.get("name") or "")
    return {key: sorted(names) for key, names in users.items()}


def with_users(item: Obj, users: dict[tuple[str, str], list[str]]) -> Obj:
    """A copy of a claim's item or detail with the pods using it."""
    return {**item, "usedBy": list(users.get((item.get("namespace") or "", item.get("name") or ""), []))}


# --- PersistentVolumes ---------------------------------------------------------------------------

def _source(spec: Obj) -> Obj | None:
    """The volume's source plugin (`csi`, `hostPath`, `nfs`, ...) and, for CSI, its driver; nothing else of it."""
    for key, value in spec.items():
        if key not in _PV_SPEC_FIELDS and isinstance(value, dict):
            return {"type": key, "driver": value.get("driver") if key == "csi" else None}
    return None


def pv_item(pv: Obj) -> Obj:
    """Phase, capacity, access modes, reclaim policy, class and the claim it is bound to (or reserved for)."""
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef") or {}
    return {
        **meta(pv),
        "status": _status(pv),
        "phase": status.get("phase"),
        "capacity": quantity(spec.get("capacity")),
        "accessModes": list(spec.get("accessModes") or []),
        "reclaimPolicy": spec.get("persistentVolumeReclaimPolicy"),
        "storageClass": spec.get("storageClassName") or None,
        "claim": {"namespace": ref.get("namespace"), "name": ref.get("name")} if ref.get("name") else None,
        "volumeMode": spec.get("volumeMode"),
        "reason": status.get("reason") or None,
    }


def pv_detail(pv: Obj) -> Obj:
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    return {**pv_item(pv), **detail_meta(pv), "message": status.get("message") or None,
            "source": _source(spec), "mountOptions": list(spec.get("mountOptions") or [])}


# --- StorageClasses ------------------------------------------------------------------------------

def is_default_class(sc: Obj) -> bool:
    annotations = (sc.get("metadata") or {}).get("annotations") or {}
    return any(annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)


def storageclass_item(sc: Obj) -> Obj:
    """Provisioner, reclaim policy and binding mode (with the API's defaults when unset), default flag."""
    return {
        **meta(sc),
        "provisioner": sc.get("provisioner"),
        "reclaimPolicy": sc.get("reclaimPolicy") or "Delete",
        "volumeBindingMode": sc.get("volumeBindingMode") or "Immediate",
        "allowVolumeExpansion": bool(sc.get("allowVolumeExpansion")),
        "isDefault": is_default_class(sc),
    }


def storageclass_detail(sc: Obj) -> Obj:
    return {**storageclass_item(sc), **detail_meta(sc),
            "parameters": {str(k): str(v) for k, v in (sc.get("parameters") or {}).items()},
            "mountOptions": list(sc.get("mountOptions") or [])}
