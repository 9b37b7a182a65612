"""The PersistentVolume controller: binds claims to matching volumes, provisions for kubesim's own
provisioner, releases volumes of deleted claims, and lifts the storage-protection finalizers."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from . import clock
from .errors import ApiError
from .kinds import PV_PROTECTION, PVC_PROTECTION, quantity
from .resources import BY_KEY
from .selectors import selector_matches

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
PVCS, PVS, SCS = "persistentvolumeclaims", "persistentvolumes", "storageclasses.storage.k8s.io"
# StorageClasses with this provisioner get a hostPath volume made for each claim, like local-path does
KUBESIM_PROVISIONER = "kubesim.io/local-path"
COMPONENT = "persistentvolume-controller"
EVENT_EVERY = 15.0  # the controller's resync period: how often a still-Pending claim's event repeats


def pvc_request(pvc: Obj) -> float:
    return quantity((((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))


def _uses(pod: Obj, claim: str) -> bool:
    return any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim
               for v in (pod.get("spec") or {}).get("volumes") or [])


def matches(pv: Obj, pvc: Obj) -> bool:
    """Whether an Available volume can satisfy a claim (class, mode, access modes, size, selector)."""
    ps, cs = pv.get("spec") or {}, pvc.get("spec") or {}
    if (ps.get("storageClassName") or "") != (cs.get("storageClassName") or ""):
        return False
    if (ps.get("volumeMode") or "Filesystem") != (cs.get("volumeMode") or "Filesystem"):
        return False
    if not set(cs.get("accessModes") or []) <= set(ps.get("accessModes") or []):
        return False
    if quantity((ps.get("capacity") or {}).get("storage")) < pvc_request(pvc):
        return False
    ref = ps.get("claimRef")
    if ref and (ref.get("namespace") != pvc["metadata"]["namespace"] or ref.get("name") != pvc["metadata"]["name"]
                or (ref.get("uid") and ref["uid"] != pvc["metadata"]["uid"])):
        return False
    return cs.get("selector") is None or selector_matches(cs["selector"], pv["metadata"].get("labels"))


class Volumes:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._last_event: dict[str, float] = {}

    def step(self) -> None:
        store = self.cluster.store
        if not store.count(PVCS) and not store.count(PVS):
            return
        for pv in store.refs(PVS):
            self._volume(pv)
        for pvc in store.refs(PVCS):
            self._claim(pvc)

    # ---- volumes ------------------------------------------------------------------------
    def _volume(self, pv: Obj) -> None:
        store = self.cluster.store
        md, spec = pv["metadata"], pv.get("spec") or {}
        phase = (pv.get("status") or {}).get("phase")
        ref = spec.get("claimRef")
        if md.get("deletionTimestamp"):
            if phase != "Bound" and PV_PROTECTION in (md.get("finalizers") or []):
                self._drop_finalizer(PVS, "", md["name"], PV_PROTECTION)
            return
        if not ref or not ref.get("uid"):
            if phase in (None, "", "Pending"):
                self._set_phase(md["name"], "Available")
            return
        claim = store.ref(PVCS, ref.get("namespace", ""), ref.get("name", ""))
        if claim is not None and claim["metadata"]["uid"] == ref["uid"]:
            if phase != "Bound" and (claim.get("spec") or {}).get("volumeName") == md["name"]:
                self._set_phase(md["name"], "Bound")
            return
        if phase == "Bound" or phase in (None, "", "Pending", "Available"):
            if spec.get("persistentVolumeReclaimPolicy") == "Delete":
                # the provisioner deletes the volume's storage, then the volume
                self._drop_finalizer(PVS, "", md["name"], PV_PROTECTION)
                with contextlib.suppress(ApiError):
                    self.cluster.delete(BY_KEY[PVS], "", md["name"])
            else:
                self._set_phase(md["name"], "Released")

    def _set_phase(self, name: str, phase: str) -> None:
        def fn(v: Obj) -> Obj:
            st = v.setdefault("status", {})
            st["phase"] = phase
            st["lastPhaseTransitionTime"] = clock.iso()
            st.pop("message", None)
            st.pop("reason", None)
            return v
        self.cluster.store.mutate(PVS, "", name, fn)

    def _drop_finalizer(self, key: str, ns: str, name: str, fin: str) -> None:
        def fn(o: Obj) -> Obj:
            fins = [f for f in o["metadata"].get("finalizers") or [] if f != fin]
            if fins:
                o["metadata"]["finalizers"] = fins
            else:
                o["metadata"].pop("finalizers", None)
            return o
        self.cluster.store.mutate(key, ns, name, fn)

    # ---- claims -------------------------------------------------------------------------
    def _claim(self, pvc: Obj) -> None:
        store = self.cluster.store
        md, spec = pvc["metadata"], pvc.get("spec") or {}
        ns, name = md["namespace"], md["name"]
        if md.get("deletionTimestamp"):
            if PVC_PROTECTION in (md.get("finalizers") or []) and not any(
                    _uses(p, name) and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
                    for p in store.refs("pods", ns)):
                self._drop_finalizer(PVCS, ns, name, PVC_PROTECTION)
            return
        phase = (pvc.get("status") or {}).get("phase")
        if phase == "Bound":
            pv = store.ref(PVS, "", spec.get("volumeName", ""))
            if pv is None or ((pv.get("spec") or {}).get("claimRef") or {}).get("uid") != md["uid"]:
                self._claim_status(ns, name, {"phase": "Lost"})
                self.cluster.event(pvc, "Warning", "ClaimLost",
                                   "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                                   component=COMPONENT)
            return
        if phase == "Lost":
            return
        if spec.get("volumeName"):
            pv = store.ref(PVS, "", spec["volumeName"])
            if pv is not None and matches(pv, pvc) and (pv.get("status") or {}).get("phase") in ("Available", "Bound"):
                self._bind(pv, pvc, by_controller=False)
            else:
                self._pending_event(pvc, "Warning", "FailedBinding",
                                    f"volume \"{spec['volumeName']}\" not found" if pv is None else
                                    f"volume \"{spec['volumeName']}\" already bound to a different claim.")
            return
        cls = spec.get("storageClassName") or ""
        sc = store.ref(SCS, "", cls) if cls else None
        if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not any(
                _uses(p, name) for p in store.refs("pods", ns)):
            self._pending_event(pvc, "Normal", "WaitForFirstConsumer",
                                "waiting for first consumer to be created before binding")
            return
        candidates = [pv for pv in store.refs(PVS)
                      if (pv.get("status") or {}).get("phase") == "Available"
                      and not pv["metadata"].get("deletionTimestamp") and matches(pv, pvc)]
        if candidates:
            candidates.sort(key=lambda v: (quantity(((v.get("spec") or {}).get("capacity") or {}).get("storage")),
                                           v["metadata"]["name"]))
            self._bind(candidates[0], pvc, by_controller=True)
            return
        if not cls:
            self._pending_event(pvc, "Normal", "FailedBinding",
                                "no persistent volumes available for this claim and no storage class is set")
        elif sc is None:
            self._pending_event(pvc, "Warning", "ProvisioningFailed",
                                f'storageclass.storage.k8s.io "{cls}" not found')
        elif sc.get("provisioner") == KUBESIM_PROVISIONER:
            self._provision(pvc, sc)
        elif str(sc.get("provisioner", "")).startswith("kubernetes.io/"):
            # in-tree names without a plugin (kubernetes.io/no-provisioner): provisioning fails
            self._pending_event(pvc, "Warning", "ProvisioningFailed",
                                f"no volume plugin matched name: {sc.get('provisioner')}")
        else:
            self._pending_event(pvc, "Normal", "ExternalProvisioning",
                                f"Waiting for a volume to be created either by the external provisioner "
                                f"'{sc.get('provisioner')}' or manually by the system administrator. If volume "
                                "creation is delayed, please verify that the provisioner is running and correctly "
                                "registered.")

    def _pending_event(self, pvc: Obj, etype: str, reason: str, message: str) -> None:
        uid = pvc["metadata"]["uid"]
        now = time.monotonic()
        if now - self._last_event.get(uid, -EVENT_EVERY) < EVENT_EVERY:
            return
        self._last_event[uid] = now
        self.cluster.event(pvc, etype, reason, message, component=COMPONENT)

    def _provision(self, pvc: Obj, sc: Obj) -> None:
        md, spec = pvc["metadata"], pvc.get("spec") or {}
        name = f"pvc-{md['uid']}"
        self.cluster.event(pvc, "Normal", "Provisioning",
                           f'External provisioner is provisioning volume for claim "{md["namespace"]}/{md["name"]}"',
                           component=KUBESIM_PROVISIONER)
        pv: Obj = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {
            "name": name, "uid": self.cluster.uid(),
            "annotations": {"pv.kubernetes.io/provisioned-by": KUBESIM_PROVISIONER},
            "finalizers": [PV_PROTECTION]},
            "spec": {"accessModes": list(spec.get("accessModes") or []),
                     "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage")},
                     "claimRef": {"kind": "PersistentVolumeClaim", "namespace": md["namespace"], "name": md["name"],
                                  "uid": md["uid"], "apiVersion": "v1",
                                  "resourceVersion": md.get("resourceVersion", "")},
                     "hostPath": {"path": f"/var/lib/kubesim/storage/{name}", "type": "DirectoryOrCreate"},
                     "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                     "storageClassName": sc["metadata"]["name"], "volumeMode": spec.get("volumeMode", "Filesystem")},
            "status": {"phase": "Bound", "lastPhaseTransitionTime": clock.iso()}}
        if self.cluster.store.ref(PVS, "", name) is None:
            self.cluster.store.create(PVS, pv)
        created = self.cluster.store.ref(PVS, "", name)
        if created is not None:
            self._bind(created, pvc, by_controller=False)
            self.cluster.event(pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}",
                               component=KUBESIM_PROVISIONER)

    def _bind(self, pv: Obj, pvc: Obj, *, by_controller: bool) -> None:
        store = self.cluster.store
        cmd = pvc["metadata"]
        ref = {"kind": "PersistentVolumeClaim", "namespace": cmd["namespace"], "name": cmd["name"],
               "uid": cmd["uid"], "apiVersion": "v1", "resourceVersion": cmd.get("resourceVersion", "")}

        def bind_pv(v: Obj) -> Obj:
            spec = v.setdefault("spec", {})
            if ((spec.get("claimRef") or {}).get("uid")) != cmd["uid"]:
                if not spec.get("claimRef"):
                    v["metadata"].setdefault("annotations", {})["pv.kubernetes.io/bound-by-controller"] = "yes"
                spec["claimRef"] = ref
            st = v.setdefault("status", {})
            if st.get("phase") != "Bound":
                st["phase"] = "Bound"
                st["lastPhaseTransitionTime"] = clock.iso()
            return v
        bound = store.mutate(PVS, "", pv["metadata"]["name"], bind_pv)
        if bound is None:
            return
        bspec = bound.get("spec") or {}

        def bind_pvc(c: Obj) -> Obj:
            ann = c["metadata"].setdefault("annotations", {})
            ann["pv.kubernetes.io/bind-completed"] = "yes"
            if by_controller:
                ann["pv.kubernetes.io/bound-by-controller"] = "yes"
            c.setdefault("spec", {})["volumeName"] = bound["metadata"]["name"]
            c["status"] = {"phase": "Bound", "accessModes": list(bspec.get("accessModes") or []),
                           "capacity": dict(bspec.get("capacity") or {})}
            return c
        store.mutate(PVCS, cmd["namespace"], cmd["name"], bind_pvc)
        self._last_event.pop(cmd["uid"], None)

    def _claim_status(self, ns: str, name: str, status: Obj) -> None:
        def fn(c: Obj) -> Obj:
            c["status"] = {**(c.get("status") or {}), **status}
            return c
        self.cluster.store.mutate(PVCS, ns, name, fn)

    def forget(self, uids: set[str]) -> None:
        self._last_event = {u: t for u, t in self._last_event.items() if u in uids}
