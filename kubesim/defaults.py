"""Defaulting and validation applied on create/update, as the API server's strategies do."""

from __future__ import annotations

import random
import re
from typing import Any

from .errors import invalid
from .kinds import KEYS as KIND_KEYS
from .kinds import default_kind, validate_kind
from .resources import Resource
from .selectors import selector_matches

Obj = dict[str, Any]
NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
    "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def random_suffix(n: int = 5, rng: random.Random | None = None) -> str:
    r = rng or random
    return "".join(r.choice(NAME_CHARS) for _ in range(n))


def _cause(field: str, reason: str, message: str) -> dict[str, str]:
    return {"field": field, "reason": reason, "message": message}


def _required(field: str) -> dict[str, str]:
    return _cause(field, "FieldValueRequired", "Required value")


def _go_value(v: Any) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        inner = ", ".join(f'"{k}":"{val}"' for k, val in sorted(v.items()))
        return "map[string]string{" + inner + "}"
    return str(v)


def _invalid_value(field: str, value: Any, detail: str) -> dict[str, str]:
    return _cause(field, "FieldValueInvalid", f"Invalid value: {_go_value(value)}: {detail}")


# status fields without omitempty serialise as zeros on a fresh object
INITIAL_STATUS: dict[str, Obj] = {
    "deployments.apps": {},
    "replicasets.apps": {"replicas": 0},
    "statefulsets.apps": {"replicas": 0, "availableReplicas": 0},
    "daemonsets.apps": {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0,
                        "numberReady": 0},
    "cronjobs.batch": {},
    "poddisruptionbudgets.policy": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                    "expectedPods": 0},
}


# ---- defaulting -------------------------------------------------------------------------


def default_container(c: Obj) -> None:
    image = c.get("image") or ""
    tag = image.rsplit("/", 1)[-1]
    if "imagePullPolicy" not in c:
        c["imagePullPolicy"] = "Always" if (":" not in tag or tag.endswith(":latest")) and "@" not in tag \
            else "IfNotPresent"
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        p.setdefault("protocol", "TCP")


def default_pod_spec(spec: Obj) -> None:
    for c in spec.get("initContainers") or []:
        default_container(c)
    for c in spec.get("containers") or []:
        default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for v in spec.get("volumes") or []:
        if "emptyDir" in v and v["emptyDir"] is None:
            v["emptyDir"] = {}


def default_pod(pod: Obj, rng: random.Random | None = None) -> None:
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    tols = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key for t in tols):
            tols.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    vols = spec.setdefault("volumes", [])
    if spec.get("automountServiceAccountToken", True) and not any(
        v.get("name", "").startswith("kube-api-access-") for v in vols
    ):
        vname = "kube-api-access-" + random_suffix(5, rng)
        vols.append({"name": vname, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ]}})
        for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            c.setdefault("volumeMounts", []).append(
                {"name": vname, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
    if not vols:
        spec.pop("volumes")
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}


def qos_class(spec: Obj) -> str:
    cs = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    reqs = [((c.get("resources") or {}).get("requests") or {}) for c in cs]
    lims = [((c.get("resources") or {}).get("limits") or {}) for c in cs]
    if not any(reqs) and not any(lims):
        return "BestEffort"
    guaranteed = all(
        lim.get("cpu") and lim.get("memory") and req.get("cpu", lim["cpu"]) == lim["cpu"]
        and req.get("memory", lim["memory"]) == lim["memory"]
        for req, lim in zip(reqs, lims, strict=True)
    )
    return "Guaranteed" if guaranteed else "Burstable"


def default_template(tpl: Obj) -> None:
    # metav1.Time serialises its zero value as null: real servers show `creationTimestamp: null` here
    tpl.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    default_pod_spec(tpl.setdefault("spec", {}))


def default_object(res: Resource, obj: Obj) -> None:
    spec = obj.get("spec")
    if res.key == "pods":
        default_pod(obj)
    elif res.key == "namespaces":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    elif res.key == "deployments.apps" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strat = spec.setdefault("strategy", {"type": "RollingUpdate"})
        if strat.get("type", "RollingUpdate") == "RollingUpdate":
            strat["type"] = "RollingUpdate"
            ru = strat.setdefault("rollingUpdate", {})
            ru.setdefault("maxUnavailable", "25%")
            ru.setdefault("maxSurge", "25%")
        default_template(spec.setdefault("template", {}))
    elif res.key == "replicasets.apps" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        default_template(spec.setdefault("template", {}))
    elif res.key == "statefulsets.apps" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
        default_template(spec.setdefault("template", {}))
    elif res.key == "daemonsets.apps" and isinstance(spec, dict):
        spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                           "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        spec.setdefault("revisionHistoryLimit", 10)
        default_template(spec.setdefault("template", {}))
    elif res.key == "jobs.batch" and isinstance(spec, dict):
        default_job_spec(obj, spec)
    elif res.key == "cronjobs.batch" and isinstance(spec, dict):
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
        jt = spec.setdefault("jobTemplate", {}).setdefault("spec", {})
        default_template(jt.setdefault("template", {}))
    elif res.key in KIND_KEYS:
        default_kind(res.key, obj)
    if res.key in INITIAL_STATUS:
        obj["status"] = dict(INITIAL_STATUS[res.key])


def default_job_spec(job: Obj, spec: Obj) -> None:
    spec.setdefault("parallelism", 1)
    if "completions" not in spec:
        spec["completions"] = 1
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    tpl = spec.setdefault("template", {})
    default_template(tpl)
    if not spec.get("manualSelector"):
        uid = job["metadata"]["uid"]
        labels = tpl["metadata"].setdefault("labels", {})
        name = job["metadata"]["name"]
        labels.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
                       "controller-uid": uid, "job-name": name})
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    job["status"] = {}


# ---- validation -------------------------------------------------------------------------


def _validate_containers(prefix: str, spec: Obj, causes: list[dict[str, str]]) -> None:
    cs = spec.get("containers")
    if not cs:
        causes.append(_required(f"{prefix}.containers"))
        return
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or []):
            f = f"{prefix}.{group}[{i}]"
            name = c.get("name")
            if not name:
                causes.append(_required(f"{f}.name"))
            elif not _LABEL.match(name):
                causes.append(_invalid_value(f"{f}.name", name, LABEL_MSG))
            elif name in seen:
                causes.append(_cause(f"{f}.name", "FieldValueDuplicate", f'Duplicate value: "{name}"'))
            else:
                seen.add(name)
            if not c.get("image"):
                causes.append(_required(f"{f}.image"))


def validate(res: Resource, obj: Obj) -> None:
    """Raise 422 Invalid with causes, like the API server's validation."""
    md = obj.get("metadata") or {}
    name = md.get("name", "")
    causes: list[dict[str, str]] = []
    if res.key == "namespaces":
        if not _LABEL.match(name) or len(name) > 63:
            causes.append(_invalid_value("metadata.name", name, LABEL_MSG))
    elif not _SUBDOMAIN.match(name) or len(name) > 253:
        causes.append(_invalid_value("metadata.name", name, SUBDOMAIN_MSG))
    spec = obj.get("spec") or {}
    if res.key == "pods":
        _validate_containers("spec", spec, causes)
    elif res.key in ("deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps"):
        if spec.get("replicas", 0) is not None and spec.get("replicas", 0) < 0:
            causes.append(_invalid_value("spec.replicas", spec["replicas"], "must be greater than or equal to 0"))
        sel = spec.get("selector")
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not sel:
            causes.append(_required("spec.selector"))
        elif not (sel.get("matchLabels") or sel.get("matchExpressions")):
            causes.append(_invalid_value("spec.selector", "", "empty selector is invalid for deployment"))
        elif not selector_matches(sel, labels):
            causes.append(_cause("spec.template.metadata.labels", "FieldValueInvalid",
                                 f"Invalid value: {_go_value(labels)}: `selector` does not match template `labels`"))
        _validate_containers("spec.template.spec", (spec.get("template") or {}).get("spec") or {}, causes)
    elif res.key == "jobs.batch":
        _validate_containers("spec.template.spec", (spec.get("template") or {}).get("spec") or {}, causes)
        rp = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy")
        if rp == "Always":
            causes.append(_cause("spec.template.spec.restartPolicy", "FieldValueNotSupported",
                                 'Unsupported value: "Always": supported values: "OnFailure", "Never"'))
    elif res.key == "cronjobs.batch":
        if not spec.get("schedule"):
            causes.append(_required("spec.schedule"))
    elif res.key == "poddisruptionbudgets.policy" and spec.get("minAvailable") is not None \
            and spec.get("maxUnavailable") is not None:
        causes.append(_cause("spec", "FieldValueInvalid",
                             "Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and "
                             "maxUnavailable cannot be both set"))
    elif res.key in KIND_KEYS:
        validate_kind(res.key, obj, causes)
    if causes:
        raise invalid(res.kind, res.group, name, causes)


def validate_pod_update(old: Obj, new: Obj) -> None:
    """Pod spec is immutable except container images and a few fields."""
    def masked(spec: Obj) -> Obj:
        s = dict(spec)
        for f in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "nodeName"):
            s.pop(f, None)
        for group in ("containers", "initContainers"):
            if s.get(group):
                s[group] = [{k: v for k, v in c.items() if k != "image"} for c in s[group]]
        return s

    if masked(old.get("spec") or {}) != masked(new.get("spec") or {}):
        raise invalid("Pod", "", new["metadata"]["name"], [_cause(
            "spec", "FieldValueForbidden",
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
            "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
            "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
            "previously negative)")])


