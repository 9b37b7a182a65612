"""Decode the Kubernetes protobuf envelope for the request bodies kubectl sends with typed clients.

kubectl's typed clientset sends creates (namespaces, deployments, evictions...) as
`application/vnd.kubernetes.protobuf`. Responses are always JSON (clients accept both).
Field numbers follow k8s.io/api generated.proto; only fields clients set are mapped,
zero values of non-pointer fields are dropped (they mean "unset", as in JSON omitempty).
"""

from __future__ import annotations

import base64
from typing import Any

from .errors import ApiError

MAGIC = b"k8s\x00"
S, INT, B, MAP, QMAP = "s", "i", "b", "map", "qmap"  # string, int, bool, map<string,string>, map<string,Quantity>
BMAP, Q = "bmap", "quantity"  # map<string,bytes> (base64 in JSON), a resource.Quantity
Schema = dict[int, tuple[str, Any, bool]]  # field number -> (json name, type or schema, repeated)

KEEP_ZERO = {"replicas", "gracePeriodSeconds", "terminationGracePeriodSeconds", "tolerationSeconds",
             "revisionHistoryLimit", "activeDeadlineSeconds", "backoffLimit", "parallelism", "completions",
             "minAvailable", "maxUnavailable", "maxSurge", "partition"}

OWNER_REF: Schema = {1: ("kind", S, False), 3: ("name", S, False), 4: ("uid", S, False), 5: ("apiVersion", S, False),
                     6: ("controller", B, False), 7: ("blockOwnerDeletion", B, False)}
OBJECT_META: Schema = {1: ("name", S, False), 2: ("generateName", S, False), 3: ("namespace", S, False),
                       5: ("uid", S, False), 6: ("resourceVersion", S, False), 7: ("generation", INT, False),
                       11: ("labels", MAP, False), 12: ("annotations", MAP, False),
                       13: ("ownerReferences", OWNER_REF, True), 14: ("finalizers", S, True)}
INT_OR_STRING = "intorstring"
SELECTOR_REQ: Schema = {1: ("key", S, False), 2: ("operator", S, False), 3: ("values", S, True)}
LABEL_SELECTOR: Schema = {1: ("matchLabels", MAP, False), 2: ("matchExpressions", SELECTOR_REQ, True)}
CONTAINER_PORT: Schema = {1: ("name", S, False), 2: ("hostPort", INT, False), 3: ("containerPort", INT, False),
                          4: ("protocol", S, False), 5: ("hostIP", S, False)}
ENV_VAR: Schema = {1: ("name", S, False), 2: ("value", S, False)}
RESOURCES: Schema = {1: ("limits", QMAP, False), 2: ("requests", QMAP, False)}
VOLUME_MOUNT: Schema = {1: ("name", S, False), 2: ("readOnly", B, False), 3: ("mountPath", S, False),
                        4: ("subPath", S, False)}
CONTAINER: Schema = {1: ("name", S, False), 2: ("image", S, False), 3: ("command", S, True), 4: ("args", S, True),
                     5: ("workingDir", S, False), 6: ("ports", CONTAINER_PORT, True), 7: ("env", ENV_VAR, True),
                     8: ("resources", RESOURCES, False), 9: ("volumeMounts", VOLUME_MOUNT, True),
                     13: ("terminationMessagePath", S, False), 14: ("imagePullPolicy", S, False),
                     16: ("stdin", B, False), 17: ("stdinOnce", B, False), 18: ("tty", B, False),
                     20: ("terminationMessagePolicy", S, False)}
TOLERATION: Schema = {1: ("key", S, False), 2: ("operator", S, False), 3: ("value", S, False),
                      4: ("effect", S, False), 5: ("tolerationSeconds", INT, False)}
NAMED: Schema = {1: ("name", S, False)}
POD_SPEC: Schema = {2: ("containers", CONTAINER, True), 3: ("restartPolicy", S, False),
                    4: ("terminationGracePeriodSeconds", INT, False), 5: ("activeDeadlineSeconds", INT, False),
                    6: ("dnsPolicy", S, False), 7: ("nodeSelector", MAP, False), 8: ("serviceAccountName", S, False),
                    9: ("serviceAccount", S, False), 10: ("nodeName", S, False), 11: ("hostNetwork", B, False),
                    15: ("imagePullSecrets", NAMED, True), 16: ("hostname", S, False), 17: ("subdomain", S, False),
                    19: ("schedulerName", S, False), 20: ("initContainers", CONTAINER, True),
                    22: ("tolerations", TOLERATION, True), 24: ("priorityClassName", S, False)}
POD_TEMPLATE: Schema = {1: ("metadata", OBJECT_META, False), 2: ("spec", POD_SPEC, False)}
ROLLING: Schema = {1: ("maxUnavailable", INT_OR_STRING, False), 2: ("maxSurge", INT_OR_STRING, False)}
STRATEGY: Schema = {1: ("type", S, False), 2: ("rollingUpdate", ROLLING, False)}
DEPLOYMENT_SPEC: Schema = {1: ("replicas", INT, False), 2: ("selector", LABEL_SELECTOR, False),
                           3: ("template", POD_TEMPLATE, False), 4: ("strategy", STRATEGY, False),
                           5: ("minReadySeconds", INT, False), 6: ("revisionHistoryLimit", INT, False),
                           7: ("paused", B, False), 9: ("progressDeadlineSeconds", INT, False)}
PRECONDITIONS: Schema = {1: ("uid", S, False), 2: ("resourceVersion", S, False)}
DELETE_OPTIONS: Schema = {1: ("gracePeriodSeconds", INT, False), 2: ("preconditions", PRECONDITIONS, False),
                          3: ("orphanDependents", B, False), 4: ("propagationPolicy", S, False),
                          5: ("dryRun", S, True)}
NAMESPACE_SPEC: Schema = {1: ("finalizers", S, True)}
JOB_SPEC: Schema = {1: ("parallelism", INT, False), 2: ("completions", INT, False),
                    3: ("activeDeadlineSeconds", INT, False),
                    4: ("selector", LABEL_SELECTOR, False), 5: ("manualSelector", B, False),
                    6: ("template", POD_TEMPLATE, False), 7: ("backoffLimit", INT, False),
                    8: ("ttlSecondsAfterFinished", INT, False), 10: ("suspend", B, False)}
PDB_SPEC: Schema = {1: ("minAvailable", INT_OR_STRING, False), 2: ("selector", LABEL_SELECTOR, False),
                    3: ("maxUnavailable", INT_OR_STRING, False)}

JOB_TEMPLATE: Schema = {1: ("metadata", OBJECT_META, False), 2: ("spec", JOB_SPEC, False)}
CRONJOB_SPEC: Schema = {1: ("schedule", S, False), 2: ("startingDeadlineSeconds", INT, False),
                        3: ("concurrencyPolicy", S, False), 4: ("suspend", B, False),
                        5: ("jobTemplate", JOB_TEMPLATE, False), 6: ("successfulJobsHistoryLimit", INT, False),
                        7: ("failedJobsHistoryLimit", INT, False), 8: ("timeZone", S, False)}

SERVICE_PORT: Schema = {1: ("name", S, False), 2: ("protocol", S, False), 3: ("port", INT, False),
                        4: ("targetPort", INT_OR_STRING, False), 5: ("nodePort", INT, False),
                        6: ("appProtocol", S, False)}
SERVICE_SPEC: Schema = {1: ("ports", SERVICE_PORT, True), 2: ("selector", MAP, False), 3: ("clusterIP", S, False),
                        4: ("type", S, False), 5: ("externalIPs", S, True), 7: ("sessionAffinity", S, False),
                        8: ("loadBalancerIP", S, False), 9: ("loadBalancerSourceRanges", S, True),
                        10: ("externalName", S, False), 11: ("externalTrafficPolicy", S, False),
                        13: ("publishNotReadyAddresses", B, False), 17: ("ipFamilyPolicy", S, False),
                        18: ("clusterIPs", S, True), 19: ("ipFamilies", S, True),
                        20: ("allocateLoadBalancerNodePorts", B, False), 21: ("loadBalancerClass", S, False),
                        22: ("internalTrafficPolicy", S, False)}
TYPED_REF: Schema = {1: ("apiGroup", S, False), 2: ("kind", S, False), 3: ("name", S, False)}
PVC_SPEC: Schema = {1: ("accessModes", S, True), 2: ("resources", RESOURCES, False), 3: ("volumeName", S, False),
                    4: ("selector", LABEL_SELECTOR, False), 5: ("storageClassName", S, False),
                    6: ("volumeMode", S, False)}
BACKEND_PORT: Schema = {1: ("name", S, False), 2: ("number", INT, False)}
INGRESS_BACKEND: Schema = {4: ("service", {1: ("name", S, False), 2: ("port", BACKEND_PORT, False)}, False),
                           3: ("resource", TYPED_REF, False)}
HTTP_PATH: Schema = {1: ("path", S, False), 2: ("backend", INGRESS_BACKEND, False), 3: ("pathType", S, False)}
INLINE = ""  # an embedded (json:",inline") message: its fields belong to the parent
INGRESS_RULE: Schema = {1: ("host", S, False),
                        2: (INLINE, {1: ("http", {1: ("paths", HTTP_PATH, True)}, False)}, False)}
INGRESS_SPEC: Schema = {1: ("defaultBackend", INGRESS_BACKEND, False),
                        2: ("tls", {1: ("hosts", S, True), 2: ("secretName", S, False)}, True),
                        3: ("rules", INGRESS_RULE, True), 4: ("ingressClassName", S, False)}
XREF: Schema = {1: ("kind", S, False), 2: ("name", S, False), 3: ("apiVersion", S, False)}
METRIC_TARGET: Schema = {1: ("type", S, False), 2: ("value", Q, False), 3: ("averageValue", Q, False),
                         4: ("averageUtilization", INT, False)}
METRIC_SPEC: Schema = {1: ("type", S, False),
                       4: ("resource", {1: ("name", S, False), 2: ("target", METRIC_TARGET, False)}, False)}
HPA_SPEC: Schema = {1: ("scaleTargetRef", XREF, False), 2: ("minReplicas", INT, False),
                    3: ("maxReplicas", INT, False), 4: ("metrics", METRIC_SPEC, True)}

KINDS: dict[str, Schema] = {
    "ConfigMap": {1: ("metadata", OBJECT_META, False), 2: ("data", MAP, False), 3: ("binaryData", BMAP, False),
                  4: ("immutable", B, False)},
    "Secret": {1: ("metadata", OBJECT_META, False), 2: ("data", BMAP, False), 3: ("type", S, False),
               4: ("stringData", MAP, False), 5: ("immutable", B, False)},
    "Service": {1: ("metadata", OBJECT_META, False), 2: ("spec", SERVICE_SPEC, False)},
    "PersistentVolumeClaim": {1: ("metadata", OBJECT_META, False), 2: ("spec", PVC_SPEC, False)},
    "Ingress": {1: ("metadata", OBJECT_META, False), 2: ("spec", INGRESS_SPEC, False)},
    "HorizontalPodAutoscaler": {1: ("metadata", OBJECT_META, False), 2: ("spec", HPA_SPEC, False)},
    "CronJob": {1: ("metadata", OBJECT_META, False), 2: ("spec", CRONJOB_SPEC, False)},
    "Namespace": {1: ("metadata", OBJECT_META, False), 2: ("spec", NAMESPACE_SPEC, False)},
    "Deployment": {1: ("metadata", OBJECT_META, False), 2: ("spec", DEPLOYMENT_SPEC, False)},
    "Pod": {1: ("metadata", OBJECT_META, False), 2: ("spec", POD_SPEC, False)},
    "Job": {1: ("metadata", OBJECT_META, False), 2: ("spec", JOB_SPEC, False)},
    "PodDisruptionBudget": {1: ("metadata", OBJECT_META, False), 2: ("spec", PDB_SPEC, False)},
    "Eviction": {1: ("metadata", OBJECT_META, False), 2: ("deleteOptions", DELETE_OPTIONS, False)},
    "DeleteOptions": DELETE_OPTIONS,
}

# kinds whose schema differs between versions of their group
KINDS_BY_VERSION: dict[tuple[str, str], Schema] = {
    ("autoscaling/v1", "HorizontalPodAutoscaler"): {
        1: ("metadata", OBJECT_META, False),
        2: ("spec", {1: ("scaleTargetRef", XREF, False), 2: ("minReplicas", INT, False),
                     3: ("maxReplicas", INT, False), 4: ("targetCPUUtilizationPercentage", INT, False)}, False)},
}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    out, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(data, pos)
        elif wt == 2:
            n, pos = _varint(data, pos)
            val, pos = data[pos:pos + n], pos + n
        elif wt == 1:
            val, pos = int.from_bytes(data[pos:pos + 8], "little"), pos + 8
        elif wt == 5:
            val, pos = int.from_bytes(data[pos:pos + 4], "little"), pos + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.append((num, wt, val))
    return out


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _map_entry(raw: bytes, quantity: bool, binary: bool = False) -> tuple[str, str]:
    k, v = "", ""
    for num, _, val in _fields(raw):
        if num == 1:
            k = val.decode()
        elif num == 2:
            if quantity:
                v = _message(val, {1: ("string", S, False)}).get("string", "")
            elif binary:
                v = base64.b64encode(val).decode()
            else:
                v = val.decode()
    return k, v


def _message(data: bytes, schema: Schema) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for num, wt, val in _fields(data):
        if num not in schema:
            continue
        name, typ, repeated = schema[num]
        if typ == S:
            v: Any = val.decode()
        elif typ == INT:
            v = _signed(val)
        elif typ == B:
            v = bool(val)
        elif typ in (MAP, QMAP, BMAP):
            k, mv = _map_entry(val, typ == QMAP, typ == BMAP)
            obj.setdefault(name, {})[k] = mv
            continue
        elif typ == Q:
            v = _message(val, {1: ("string", S, False)}).get("string", "")
        elif typ == INT_OR_STRING:
            f = {n: x for n, _, x in _fields(val)}
            v = f[3].decode() if f.get(1) == 1 else _signed(f.get(2, 0))
        else:
            v = _message(val, typ)
            if name == INLINE:
                obj.update(v)
                continue
        if repeated:
            obj.setdefault(name, []).append(v)
        else:
            obj[name] = v
        _ = wt
    return _prune(obj)


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items()
            if not (v == "" or v is False or (v == 0 and not isinstance(v, bool) and k not in KEEP_ZERO))}


def decode(data: bytes) -> dict[str, Any]:
    """The JSON-shaped object inside a `k8s\\0` protobuf envelope."""
    if not data.startswith(MAGIC):
        raise ApiError(415, "the body of the request was not a Kubernetes protobuf envelope", "UnsupportedMediaType")
    api_version = kind = ""
    raw = b""
    for num, _, val in _fields(data[len(MAGIC):]):
        if num == 1:
            tm = {n: x for n, _, x in _fields(val)}
            api_version, kind = tm.get(1, b"").decode(), tm.get(2, b"").decode()
        elif num == 2:
            raw = val
    schema = KINDS_BY_VERSION.get((api_version, kind)) or KINDS.get(kind)
    if schema is None:
        raise ApiError(415, f"kubesim cannot decode protobuf for kind {kind!r}; send application/json",
                       "UnsupportedMediaType")
    obj = _message(raw, schema)
    obj["apiVersion"], obj["kind"] = api_version, kind
    return obj
