"""Server-side printing (meta.k8s.io/v1 Table), ported from the API server's printers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import clock
from .selectors import selector_string

Obj = dict[str, Any]


def _col(name: str, typ: str = "string", priority: int = 0, fmt: str = "", desc: str = "") -> Obj:
    return {"name": name, "type": typ, "format": fmt, "description": desc or name, "priority": priority}


NAME = _col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = _col("Age", desc="CreationTimestamp is a timestamp representing the server time when this object was created.")


def _age(o: Obj) -> str:
    return clock.since(o["metadata"].get("creationTimestamp"))


def _containers_images(tpl_spec: Obj) -> tuple[str, str]:
    cs = tpl_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


# ---- pods -------------------------------------------------------------------------------

POD_COLUMNS = [
    NAME,
    _col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", desc="The aggregate status of the containers in this pod."),
    _col("Restarts", desc="The number of times the containers in this pod have been restarted and when "
                          "the last container in this pod has restarted."),
    AGE,
    _col("IP", priority=1, desc="IP address allocated to the pod."),
    _col("Node", priority=1, desc="NodeName is a request to schedule this pod onto a specific node."),
    _col("Nominated Node", priority=1, desc="nominatedNodeName is set when this pod preempts other pods."),
    _col("Readiness Gates", priority=1, desc="If specified, all readiness gates will be evaluated."),
]


def _restartable_init(c: Obj | None) -> bool:
    return bool(c) and c.get("restartPolicy") == "Always"


def pod_status_summary(pod: Obj) -> tuple[str, int, int, str]:
    """(STATUS, ready, total, RESTARTS) exactly as `printPod` computes them."""
    spec, st = pod.get("spec") or {}, pod.get("status") or {}
    restarts = 0
    ri_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart = 0.0
    last_ri_restart = 0.0
    phase = st.get("phase") or ""
    reason = st.get("reason") or phase
    for cond in st.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c["name"]: c for c in spec.get("initContainers") or []}
    total += sum(1 for c in init_specs.values() if _restartable_init(c))

    def finished(cs: Obj) -> float:
        term = (cs.get("lastState") or {}).get("terminated")
        return (clock.parse(term.get("finishedAt")) or 0.0) if term else 0.0

    initializing = False
    n_init = len(spec.get("initContainers") or [])
    for i, cs in enumerate(st.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        last_restart = max(last_restart, finished(cs))
        is_ri = _restartable_init(init_specs.get(cs.get("name")))
        if is_ri:
            ri_restarts += cs.get("restartCount", 0)
            last_ri_restart = max(last_ri_restart, finished(cs))
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if is_ri and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term:
            if not term.get("reason"):
                if term.get("signal"):
                    reason = f"Init:Signal:{term['signal']}"
                else:
                    reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
            else:
                reason = "Init:" + term["reason"]
        elif wait and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break

    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True" for c in st.get("conditions") or []
    )
    if not initializing or initialized:
        restarts = ri_restarts
        last_restart = last_ri_restart
        has_running = False
        for cs in reversed(st.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_restart = max(last_restart, finished(cs))
            state = cs.get("state") or {}
            term, wait = state.get("terminated"), state.get("waiting")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode', 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            has_ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in st.get("conditions") or [])
            reason = "Running" if has_ready else "NotReady"

    deleting = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    if deleting and st.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_str = str(restarts)
    if restarts and last_restart:
        restarts_str = f"{restarts} ({clock.human_duration(clock.now() - last_restart)} ago)"
    return reason, ready, total, restarts_str


def _pod_row(pod: Obj) -> list[Any]:
    reason, ready, total, restarts = pod_status_summary(pod)
    st = pod.get("status") or {}
    ips = st.get("podIPs") or []
    ip = ips[0]["ip"] if ips else "<none>"
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if gates:
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        ok = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_str = f"{ok}/{len(gates)}"
    else:
        gates_str = "<none>"
    return [
        pod["metadata"]["name"], f"{ready}/{total}", reason, restarts, _age(pod), ip,
        (pod.get("spec") or {}).get("nodeName") or "<none>",
        st.get("nominatedNodeName") or "<none>", gates_str,
    ]


def _pod_conditions(pod: Obj) -> list[Obj] | None:
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed",
                 "message": "The pod failed."}]
    return None


# ---- nodes and namespaces ---------------------------------------------------------------

NODE_COLUMNS = [
    NAME,
    _col("Status", desc="The status of the node"),
    _col("Roles", desc="The roles of the node"),
    AGE,
    _col("Version", desc="Kubelet Version reported by the node."),
    _col("Internal-IP", priority=1, desc="List of internal IPs."),
    _col("External-IP", priority=1, desc="List of external IPs."),
    _col("OS-Image", priority=1, desc="OS Image reported by the node."),
    _col("Kernel-Version", priority=1, desc="Kernel Version reported by the node."),
    _col("Container-Runtime", priority=1, desc="Container Runtime Version reported by the node."),
]


def node_roles(node: Obj) -> list[str]:
    roles = set()
    for k, v in (node["metadata"].get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            role = k[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return sorted(roles)


def node_status_text(node: Obj) -> str:
    status = []
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            status.append("Ready" if c.get("status") == "True" else "NotReady")
    if not status:
        status.append("Unknown")
    if (node.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_row(node: Obj) -> list[Any]:
    st = node.get("status") or {}
    info = st.get("nodeInfo") or {}

    def addr(t: str) -> str:
        for a in st.get("addresses") or []:
            if a.get("type") == t:
                return a.get("address", "")
        return "<none>"

    return [
        node["metadata"]["name"], node_status_text(node), ",".join(node_roles(node)) or "<none>", _age(node),
        info.get("kubeletVersion", ""), addr("InternalIP"), addr("ExternalIP"),
        info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


NAMESPACE_COLUMNS = [NAME, _col("Status", desc="The status of the namespace"), AGE]


def _ns_row(ns: Obj) -> list[Any]:
    return [ns["metadata"]["name"], (ns.get("status") or {}).get("phase", ""), _age(ns)]


# ---- events -----------------------------------------------------------------------------

EVENT_COLUMNS = [
    _col("Last Seen", desc="Time when last event occurred."),
    _col("Type", desc="Type of this event (Normal, Warning)."),
    _col("Reason", desc="Reason why this event was generated."),
    _col("Object", desc="Object this event is about."),
    _col("Subobject", priority=1, desc="Specific subobject of the object."),
    _col("Source", priority=1, desc="The component reporting this event."),
    _col("Message", desc="A human-readable description of the status of this operation."),
    _col("First Seen", priority=1, desc="Time when first event occurred."),
    _col("Count", "integer", priority=1, desc="Number of times this event has occurred."),
    _col("Name", priority=1, fmt="name", desc="Name must be unique within a namespace."),
]


def _event_row(ev: Obj) -> list[Any]:
    first = clock.since(ev.get("firstTimestamp")) if ev.get("firstTimestamp") else clock.since(ev.get("eventTime"))
    last = clock.since(ev.get("lastTimestamp")) if ev.get("lastTimestamp") else first
    count = ev.get("count") or 1
    series = ev.get("series")
    if series:
        last = clock.since(series.get("lastObservedTime"))
        count = series.get("count", count)
    io = ev.get("involvedObject") or {}
    kind = (io.get("kind") or "").lower()
    target = f"{kind}/{io['name']}" if io.get("name") else kind
    src = ev.get("source") or {}
    comp = src.get("component") or ev.get("reportingComponent") or ""
    host = src.get("host") or ev.get("reportingInstance") or ""
    source = f"{comp}, {host}" if host else comp
    return [last, ev.get("type", ""), ev.get("reason", ""), target, io.get("fieldPath", ""), source,
            (ev.get("message") or "").strip(), first, count, ev["metadata"]["name"]]


# ---- workloads --------------------------------------------------------------------------

CONTAINERS = _col("Containers", priority=1, desc="Names of each container in the template.")
IMAGES = _col("Images", priority=1, desc="Images referenced by each container in the template.")
SELECTOR = _col("Selector", priority=1, desc="Label selector for pods.")

DEPLOYMENT_COLUMNS = [
    NAME,
    _col("Ready", desc="Number of the pod with ready state"),
    _col("Up-to-date", "integer", desc="Total number of non-terminated pods targeted by this deployment "
                                        "that have the desired template spec."),
    _col("Available", "integer", desc="Total number of available pods (ready for at least minReadySeconds)"),
    AGE, CONTAINERS, IMAGES, SELECTOR,
]


def _tpl(o: Obj) -> Obj:
    return ((o.get("spec") or {}).get("template") or {}).get("spec") or {}


def _deploy_row(d: Obj) -> list[Any]:
    st, spec = d.get("status") or {}, d.get("spec") or {}
    names, images = _containers_images(_tpl(d))
    return [d["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), _age(d), names, images,
            selector_string(spec.get("selector"))]


RS_COLUMNS = [
    NAME,
    _col("Desired", "integer", desc="Number of desired pods."),
    _col("Current", "integer", desc="Number of actual running pods."),
    _col("Ready", "integer", desc="Number of ready pods."),
    AGE, CONTAINERS, IMAGES, SELECTOR,
]


def _rs_row(r: Obj) -> list[Any]:
    st, spec = r.get("status") or {}, r.get("spec") or {}
    names, images = _containers_images(_tpl(r))
    return [r["metadata"]["name"], spec.get("replicas", 0), st.get("replicas", 0), st.get("readyReplicas", 0),
            _age(r), names, images, selector_string(spec.get("selector"))]


STS_COLUMNS = [NAME, _col("Ready", desc="Number of the pod with ready state"), AGE, CONTAINERS, IMAGES]


def _sts_row(s: Obj) -> list[Any]:
    st, spec = s.get("status") or {}, s.get("spec") or {}
    names, images = _containers_images(_tpl(s))
    return [s["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 0)}", _age(s),
            names, images]


DS_COLUMNS = [
    NAME,
    _col("Desired", "integer", desc="The total number of nodes that should be running the daemon pod."),
    _col("Current", "integer", desc="The number of nodes that are running at least 1 daemon pod."),
    _col("Ready", "integer", desc="The number of nodes that should be running the daemon pod and have one "
                                  "or more of the daemon pod running and ready."),
    _col("Up-to-date", "integer", desc="The total number of nodes that are running updated daemon pod"),
    _col("Available", "integer", desc="The number of nodes that should be running the daemon pod and have "
                                      "one or more of the daemon pod running and available."),
    _col("Node Selector", desc="NodeSelector is a selector which must be true for the pod to fit on a node."),
    AGE, CONTAINERS, IMAGES, SELECTOR,
]


def _ds_row(d: Obj) -> list[Any]:
    st, spec = d.get("status") or {}, d.get("spec") or {}
    names, images = _containers_images(_tpl(d))
    ns = _tpl(d).get("nodeSelector") or {}
    node_sel = ",".join(f"{k}={v}" for k, v in sorted(ns.items())) or "<none>"
    return [d["metadata"]["name"], st.get("desiredNumberScheduled", 0), st.get("currentNumberScheduled", 0),
            st.get("numberReady", 0), st.get("updatedNumberScheduled", 0), st.get("numberAvailable", 0),
            node_sel, _age(d), names, images, selector_string(spec.get("selector"))]


CR_COLUMNS = [
    NAME,
    _col("Controller", desc="The controller of this revision."),
    _col("Revision", "integer", desc="The revision number."),
    AGE,
]


def _cr_row(r: Obj) -> list[Any]:
    ref = next((o for o in r["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
    group = (ref or {}).get("apiVersion", "").split("/")[0] if "/" in (ref or {}).get("apiVersion", "") else ""
    owner = f"{ref['kind'].lower()}{'.' + group if group else ''}/{ref['name']}" if ref else "<none>"
    return [r["metadata"]["name"], owner, r.get("revision", 0), _age(r)]


JOB_COLUMNS = [
    NAME,
    _col("Status", desc="Status of the job."),
    _col("Completions", desc="The desired number of successfully finished pods the job should be run with."),
    _col("Duration", desc="Time required to complete the job."),
    AGE, CONTAINERS, IMAGES, SELECTOR,
]


def job_status_text(j: Obj) -> str:
    conds = {c.get("type"): c.get("status") for c in (j.get("status") or {}).get("conditions") or []}
    for t in ("Complete", "Failed"):
        if conds.get(t) == "True":
            return t
    if (j.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    for t in ("SuccessCriteriaMet", "FailureTarget"):
        if conds.get(t) == "True":
            return t
    if conds.get("Suspended") == "True":
        return "Suspended"
    return "Running"


def _job_row(j: Obj) -> list[Any]:
    st, spec = j.get("status") or {}, j.get("spec") or {}
    names, images = _containers_images(_tpl(j))
    if spec.get("completions") is not None:
        completions = f"{st.get('succeeded', 0)}/{spec['completions']}"
    elif (spec.get("parallelism") or 1) > 1:
        completions = f"{st.get('succeeded', 0)}/1 of {spec['parallelism']}"
    else:
        completions = f"{st.get('succeeded', 0)}/1"
    start, end = clock.parse(st.get("startTime")), clock.parse(st.get("completionTime"))
    duration = ""
    if start and end:
        duration = clock.human_duration(end - start)
    elif start:
        duration = clock.human_duration(clock.now() - start)
    return [j["metadata"]["name"], job_status_text(j), completions, duration, _age(j), names, images,
            selector_string(spec.get("selector"))]


CRONJOB_COLUMNS = [
    NAME,
    _col("Schedule", desc="The schedule in Cron format."),
    _col("Timezone", desc="The time zone name for the given schedule."),
    _col("Suspend", "boolean", desc="This flag tells the controller to suspend subsequent executions."),
    _col("Active", "integer", desc="A list of pointers to currently running jobs."),
    _col("Last Schedule", desc="Information when was the last time the job was successfully scheduled."),
    AGE, CONTAINERS, IMAGES, SELECTOR,
]


def _cronjob_row(c: Obj) -> list[Any]:
    st, spec = c.get("status") or {}, c.get("spec") or {}
    tpl = ((spec.get("jobTemplate") or {}).get("spec") or {})
    names, images = _containers_images((tpl.get("template") or {}).get("spec") or {})
    last = clock.since(st.get("lastScheduleTime")) if st.get("lastScheduleTime") else "<none>"
    return [c["metadata"]["name"], spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            bool(spec.get("suspend")), len(st.get("active") or []), last, _age(c), names, images,
            selector_string(tpl.get("selector"))]


PDB_COLUMNS = [
    NAME,
    _col("Min Available", desc="The minimum number of pods that must be available."),
    _col("Max Unavailable", desc="The maximum number of pods that may be unavailable."),
    _col("Allowed Disruptions", "integer", desc="Calculated number of pods that may be disrupted at this time."),
    AGE,
]


def _pdb_row(p: Obj) -> list[Any]:
    spec, st = p.get("spec") or {}, p.get("status") or {}
    mn = spec.get("minAvailable")
    mx = spec.get("maxUnavailable")
    return [p["metadata"]["name"], "N/A" if mn is None else str(mn), "N/A" if mx is None else str(mx),
            st.get("disruptionsAllowed", 0), _age(p)]


# ---- config, network, storage, autoscaling ----------------------------------------------

CONFIGMAP_COLUMNS = [NAME, _col("Data", desc="Data contains the configuration data."), AGE]


def _cm_row(o: Obj) -> list[Any]:
    return [o["metadata"]["name"], len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o)]


SECRET_COLUMNS = [NAME, _col("Type", desc="Used to facilitate programmatic handling of secret data."),
                  _col("Data", desc="Data contains the secret data."), AGE]


def _secret_row(o: Obj) -> list[Any]:
    return [o["metadata"]["name"], o.get("type", ""), len(o.get("data") or {}), _age(o)]


SERVICE_COLUMNS = [
    NAME,
    _col("Type", desc="type determines how the Service is exposed."),
    _col("Cluster-IP", desc="clusterIP is the IP address of the service."),
    _col("External-IP", desc="externalIPs is a list of IP addresses for which nodes in the cluster will also "
                             "accept traffic for this service."),
    _col("Port(s)", desc="The list of ports that are exposed by this service."),
    AGE,
    _col("Selector", priority=1, desc="Route service traffic to pods with label keys and values matching this "
                                      "selector."),
]


def _lb_addresses(status: Obj) -> list[str]:
    out: list[str] = []
    for i in (status.get("loadBalancer") or {}).get("ingress") or []:
        v = i.get("ip") or i.get("hostname")
        if v and v not in out:
            out.append(v)
    return out


def service_external_ip(svc: Obj) -> str:
    spec = svc.get("spec") or {}
    typ = spec.get("type", "ClusterIP")
    ext = spec.get("externalIPs") or []
    if typ in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if typ == "LoadBalancer":
        lb = _lb_addresses(svc.get("status") or {})
        if ext:
            return ",".join(lb + ext)
        return ",".join(lb) if lb else "<pending>"
    if typ == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(svc: Obj) -> str:
    pieces = []
    for p in (svc.get("spec") or {}).get("ports") or []:
        if p.get("nodePort"):
            pieces.append(f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}")
        else:
            pieces.append(f"{p.get('port')}/{p.get('protocol', 'TCP')}")
    return ",".join(pieces)


def _labels_string(m: dict[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((m or {}).items())) or "<none>"


def _svc_row(o: Obj) -> list[Any]:
    spec = o.get("spec") or {}
    ips = spec.get("clusterIPs") or []
    return [o["metadata"]["name"], spec.get("type", ""), ips[0] if ips else "<none>", service_external_ip(o),
            service_ports(o) or "<none>", _age(o), _labels_string(spec.get("selector"))]


ENDPOINTS_COLUMNS = [NAME, _col("Endpoints", desc="The set of all endpoints is the union of all subsets."), AGE]


def _with_more(items: list[str], count: int, limit: int, empty: str) -> str:
    ret = ",".join(items)
    if count > limit:
        return f"{ret} + {count - limit} more..."
    return ret or empty


def format_endpoints(ep: Obj) -> str:
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items: list[str] = []
    count = 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            items += [a["ip"] for a in addrs][: max(0, 3 - len(items))]
            continue
        for p in ports:
            count += len(addrs)
            for a in addrs:
                if len(items) < 3:
                    ip = a["ip"]
                    items.append(f"[{ip}]:{p.get('port')}" if ":" in ip else f"{ip}:{p.get('port')}")
    return _with_more(items, count, 3, "")


def _ep_row(o: Obj) -> list[Any]:
    return [o["metadata"]["name"], format_endpoints(o), _age(o)]


SLICE_COLUMNS = [
    NAME,
    _col("AddressType", desc="addressType specifies the type of address carried by this EndpointSlice."),
    _col("Ports", desc="ports specifies the list of network ports exposed by each endpoint in this slice."),
    _col("Endpoints", desc="endpoints is a list of unique endpoints in this slice."),
    AGE,
]


def _slice_row(o: Obj) -> list[Any]:
    ports = []
    for p in o.get("ports") or []:
        ports.append(str(p["port"]) if p.get("port") is not None else (p.get("name") or "*"))
    addrs = [a for e in o.get("endpoints") or [] for a in e.get("addresses") or []]
    return [o["metadata"]["name"], o.get("addressType", ""), _with_more(ports[:3], len(ports), 3, "<unset>"),
            _with_more(addrs[:3], len(addrs), 3, "<unset>"), _age(o)]


def access_modes(modes: list[str] | None) -> str:
    have = set(modes or [])
    return ",".join(short for mode, short in (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                                              ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
                    if mode in have)


def _storage_class(o: Obj) -> str:
    ann = (o["metadata"].get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
    return ann if ann is not None else (o.get("spec") or {}).get("storageClassName") or ""


PV_COLUMNS = [
    NAME,
    _col("Capacity", desc="capacity is the description of the persistent volume's resources and capacity."),
    _col("Access Modes", desc="accessModes contains all ways the volume can be mounted."),
    _col("Reclaim Policy", desc="persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
                                "released from its claim."),
    _col("Status", desc="phase indicates if a volume is available, bound to a claim, or released by a claim."),
    _col("Claim", desc="claimRef is part of a bi-directional binding between PersistentVolume and "
                       "PersistentVolumeClaim."),
    _col("StorageClass", desc="StorageClass of the pv"),
    _col("VolumeAttributesClass", desc="VolumeAttributesClass of the pv"),
    _col("Reason", desc="reason is a brief CamelCase string that describes any failure and is meant for machine "
                        "parsing and tidy display in the CLI."),
    AGE,
    _col("VolumeMode", priority=1, desc="volumeMode defines if a volume is intended to be used with a formatted "
                                        "filesystem or to remain in raw block state."),
]


def _pv_row(o: Obj) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if o["metadata"].get("deletionTimestamp") else st.get("phase", "")
    return [o["metadata"]["name"], str((spec.get("capacity") or {}).get("storage", "0")),
            access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase, claim,
            _storage_class(o), spec.get("volumeAttributesClassName") or "<unset>", st.get("reason", ""), _age(o),
            spec.get("volumeMode") or "<unset>"]


PVC_COLUMNS = [
    NAME,
    _col("Status", desc="phase represents the current phase of PersistentVolumeClaim."),
    _col("Volume", desc="volumeName is the binding reference to the PersistentVolume backing this claim."),
    _col("Capacity", desc="capacity represents the actual resources of the underlying volume."),
    _col("Access Modes", desc="accessModes contains the actual access modes the volume backing the PVC has."),
    _col("StorageClass", desc="StorageClass of the pvc"),
    _col("VolumeAttributesClass", desc="VolumeAttributesClass of the pvc"),
    AGE,
    _col("VolumeMode", priority=1, desc="volumeMode defines what type of volume is required by the claim."),
]


def _pvc_row(o: Obj) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    phase = "Terminating" if o["metadata"].get("deletionTimestamp") else st.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        capacity = str((st.get("capacity") or {}).get("storage", "0"))
    return [o["metadata"]["name"], phase, spec.get("volumeName", ""), capacity, modes, _storage_class(o),
            spec.get("volumeAttributesClassName") or "<unset>", _age(o), spec.get("volumeMode") or "<unset>"]


SC_COLUMNS = [
    NAME,
    _col("Provisioner", desc="provisioner indicates the type of the provisioner."),
    _col("ReclaimPolicy", desc="reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                               "PersistentVolumes of this storage class."),
    _col("VolumeBindingMode", desc="volumeBindingMode indicates how PersistentVolumeClaims should be provisioned "
                                   "and bound."),
    _col("AllowVolumeExpansion", desc="allowVolumeExpansion shows whether the storage class allow volume "
                                      "expand."),
    AGE,
]


def _sc_row(o: Obj) -> list[Any]:
    ann = o["metadata"].get("annotations") or {}
    default = "true" in (ann.get("storageclass.kubernetes.io/is-default-class"),
                         ann.get("storageclass.beta.kubernetes.io/is-default-class"))
    return [o["metadata"]["name"] + (" (default)" if default else ""), o.get("provisioner", ""),
            o.get("reclaimPolicy") or "Delete", o.get("volumeBindingMode") or "Immediate",
            bool(o.get("allowVolumeExpansion")), _age(o)]


INGRESS_COLUMNS = [
    NAME,
    _col("Class", desc="The name of the IngressClass resource that should be used for additional configuration"),
    _col("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", desc="Address is a list containing ingress points for the load-balancer"),
    _col("Ports", desc="Ports of TLS configurations that open"),
    AGE,
]


def ingress_hosts(ing: Obj) -> str:
    rules = (ing.get("spec") or {}).get("rules") or []
    hosts = [r["host"] for r in rules if r.get("host")][:3]
    if not hosts:
        return "*"
    ret = ",".join(hosts)
    return f"{ret} + {len(rules) - 3} more..." if len(rules) > 3 and len(hosts) == 3 else ret


def _ing_row(o: Obj) -> list[Any]:
    spec = o.get("spec") or {}
    return [o["metadata"]["name"], spec.get("ingressClassName") or "<none>", ingress_hosts(o),
            ",".join(_lb_addresses(o.get("status") or {})), "80, 443" if spec.get("tls") else "80", _age(o)]


INGRESSCLASS_COLUMNS = [
    NAME,
    _col("Controller", desc="Controller that is responsible for handling this class"),
    _col("Parameters", desc="A reference to a resource with additional parameters"),
    AGE,
]


def _ingclass_row(o: Obj) -> list[Any]:
    spec = o.get("spec") or {}
    params = spec.get("parameters")
    shown = "<none>"
    if params:
        shown = params.get("kind", "") + ("." + params["apiGroup"] if params.get("apiGroup") else "") + \
            "/" + params.get("name", "")
    return [o["metadata"]["name"], spec.get("controller", ""), shown, _age(o)]


HPA_COLUMNS = [
    NAME,
    _col("Reference", desc="scaleTargetRef points to the target resource to scale, and is used to the pods for "
                           "which metrics should be collected, as well as to actually change the replica count."),
    _col("Targets", desc="metrics contains the specifications for which to use to calculate the desired replica "
                         "count."),
    _col("MinPods", desc="minReplicas is the lower limit for the number of replicas to which the autoscaler can "
                         "scale down."),
    _col("MaxPods", desc="maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
                         "scale up."),
    _col("Replicas", desc="currentReplicas is current number of replicas of pods managed by this autoscaler, as "
                          "last seen by the autoscaler."),
    AGE,
]


def hpa_targets(hpa: Obj) -> str:
    """formatHPAMetrics: `cpu: 76%/80%`, at most two metrics then `+ N more...`."""
    specs = (hpa.get("spec") or {}).get("metrics") or []
    statuses = (hpa.get("status") or {}).get("currentMetrics") or []
    if not specs:
        return "<none>"
    out = []
    for i, m in enumerate(specs):
        typ = m.get("type")
        key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
               "Object": "object", "External": "external"}.get(typ or "")
        if key is None:
            out.append("<unknown type>")
            continue
        src = m.get(key) or {}
        tgt = src.get("target") or {}
        cur_src = (statuses[i].get(key) if i < len(statuses) else None) or {}
        cur = cur_src.get("current") if cur_src else None
        if typ in ("Resource", "ContainerResource"):
            if tgt.get("averageValue") is not None:
                current = (cur or {}).get("averageValue") or "<unknown>"
                out.append(f"{src.get('name')}: {current}/{tgt['averageValue']}")
            else:
                cu = (cur or {}).get("averageUtilization")
                current = f"{cu}%" if cu is not None else "<unknown>"
                target = f"{tgt['averageUtilization']}%" if tgt.get("averageUtilization") is not None else "<auto>"
                out.append(f"{src.get('name')}: {current}/{target}")
        elif typ == "Pods":
            out.append(f"{(cur or {}).get('averageValue') or '<unknown>'}/{tgt.get('averageValue')}")
        elif tgt.get("averageValue") is not None:
            out.append(f"{(cur or {}).get('averageValue') or '<unknown>'}/{tgt['averageValue']} (avg)")
        else:
            out.append(f"{(cur or {}).get('value') or '<unknown>'}/{tgt.get('value')}")
    ret = ", ".join(out[:2])
    return f"{ret} + {len(out) - 2} more..." if len(out) > 2 else ret


def _hpa_row(o: Obj) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    mn = spec.get("minReplicas")
    return [o["metadata"]["name"], f"{ref.get('kind', '')}/{ref.get('name', '')}", hpa_targets(o),
            "<unset>" if mn is None else str(mn), spec.get("maxReplicas", 0), st.get("currentReplicas", 0), _age(o)]


PRINTERS: dict[str, tuple[list[Obj], Callable[[Obj], list[Any]]]] = {
    "pods": (POD_COLUMNS, _pod_row),
    "nodes": (NODE_COLUMNS, _node_row),
    "namespaces": (NAMESPACE_COLUMNS, _ns_row),
    "events": (EVENT_COLUMNS, _event_row),
    "events.v1.events.k8s.io": (EVENT_COLUMNS, _event_row),
    "deployments.apps": (DEPLOYMENT_COLUMNS, _deploy_row),
    "replicasets.apps": (RS_COLUMNS, _rs_row),
    "statefulsets.apps": (STS_COLUMNS, _sts_row),
    "daemonsets.apps": (DS_COLUMNS, _ds_row),
    "controllerrevisions.apps": (CR_COLUMNS, _cr_row),
    "jobs.batch": (JOB_COLUMNS, _job_row),
    "cronjobs.batch": (CRONJOB_COLUMNS, _cronjob_row),
    "poddisruptionbudgets.policy": (PDB_COLUMNS, _pdb_row),
    "configmaps": (CONFIGMAP_COLUMNS, _cm_row),
    "secrets": (SECRET_COLUMNS, _secret_row),
    "services": (SERVICE_COLUMNS, _svc_row),
    "endpoints": (ENDPOINTS_COLUMNS, _ep_row),
    "endpointslices.discovery.k8s.io": (SLICE_COLUMNS, _slice_row),
    "persistentvolumes": (PV_COLUMNS, _pv_row),
    "persistentvolumeclaims": (PVC_COLUMNS, _pvc_row),
    "storageclasses.storage.k8s.io": (SC_COLUMNS, _sc_row),
    "ingresses.networking.k8s.io": (INGRESS_COLUMNS, _ing_row),
    "ingressclasses.networking.k8s.io": (INGRESSCLASS_COLUMNS, _ingclass_row),
    "horizontalpodautoscalers.autoscaling": (HPA_COLUMNS, _hpa_row),
    "horizontalpodautoscalers.v1.autoscaling": (HPA_COLUMNS, _hpa_row),
}


def _row_object(o: Obj, include: str) -> Obj | None:
    if include == "None":
        return None
    if include == "Object":
        return o
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}


def to_table(key: str, objs: list[Obj], *, include: str = "Metadata", headers: bool = True,
             list_meta: Obj | None = None) -> Obj:
    columns, row_fn = PRINTERS.get(key, ([NAME, AGE], lambda o: [o["metadata"]["name"], _age(o)]))
    rows = []
    for o in objs:
        row: Obj = {"cells": row_fn(o)}
        if key == "pods":
            conds = _pod_conditions(o)
            if conds:
                row["conditions"] = conds
        ro = _row_object(o, include)
        if ro is not None:
            row["object"] = ro
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta or {},
        "columnDefinitions": columns if headers else [],
        "rows": rows,
    }
