"""The kubelets of all Ready nodes: start containers, pull images, crash, restart, complete, stop."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import clock
from .nodes import node_ready

if TYPE_CHECKING:
    from .cluster import Cluster

Obj = dict[str, Any]
_EXIT = re.compile(r"\bexit\s+(\d+)")
_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)\b")
FOREVER = ("sleep infinity", "tail -f", "until ", "while true", "sleep 3600", "sleep 1d")
SERVERS = ("nginx", "redis", "postgres", "mysql", "httpd", "memcached", "mongo", "rabbitmq", "envoy", "pause",
           "coredns", "etcd", "kube-")
PULL_FAIL = ("doesnotexist", "nonexistent", "does-not-exist", "invalid-registry")


def behaviour(pod: Obj, c: Obj, init: bool, settings: Any) -> tuple[str, int, float]:
    """(run|exit|pullfail, exit code, seconds it runs) derived from image and command."""
    if any(s in (c.get("image") or "") for s in PULL_FAIL):
        return "pullfail", 0, 0.0
    text = " ".join((c.get("command") or []) + (c.get("args") or []))
    m = _EXIT.search(text)
    if m:
        return "exit", int(m.group(1)), min(settings.job_seconds, 3.0)
    if any(f in text for f in FOREVER):
        return "run", 0, 0.0
    s = _SLEEP.search(text)
    restart = pod["spec"].get("restartPolicy", "Always")
    server = any(x in (c.get("image") or "") for x in SERVERS)
    if init or (restart != "Always" and (text or not server)):
        return "exit", 0, min(float(s.group(1)), settings.job_seconds) if s else settings.job_seconds
    return "run", 0, 0.0


def _cid(cluster: Cluster) -> str:
    return "containerd://" + "".join(f"{cluster.rng.getrandbits(32):08x}" for _ in range(8))


def _image_id(image: str) -> str:
    import hashlib

    repo = image if "/" in image else f"docker.io/library/{image}"
    return f"{repo.split(':')[0]}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def _full_image(image: str) -> str:
    if "/" not in image.split(":")[0]:
        image = f"docker.io/library/{image}"
    elif "." not in image.split("/")[0]:
        image = f"docker.io/{image}"
    return image if ":" in image.rsplit("/", 1)[-1] else image + ":latest"


def set_condition(status: Obj, ctype: str, value: bool, reason: str | None = None, msg: str | None = None) -> None:
    conds = status.setdefault("conditions", [])
    s = "True" if value else "False"
    for c in conds:
        if c.get("type") == ctype:
            if c.get("status") != s:
                c["status"] = s
                c["lastTransitionTime"] = clock.iso()
            if reason:
                c["reason"] = reason
            else:
                c.pop("reason", None)
            if msg:
                c["message"] = msg
            else:
                c.pop("message", None)
            return
    c = {"type": ctype, "status": s, "lastProbeTime": None, "lastTransitionTime": clock.iso()}
    if reason:
        c["reason"] = reason
    if msg:
        c["message"] = msg
    conds.append(c)


class Kubelet:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._ip_next: dict[str, int] = {}
        self._killing: set[str] = set()
        self._stable_rv: dict[str, str] = {}

    def forget(self, live_uids: set[str]) -> None:
        self._stable_rv = {u: rv for u, rv in self._stable_rv.items() if u in live_uids}
        self._killing &= live_uids

    def step(self) -> None:
        store = self.cluster.store
        nodes = {n["metadata"]["name"]: n for n in store.refs("nodes") if node_ready(n)}
        stable = self._stable_rv
        for pod in store.refs("pods"):
            md = pod["metadata"]
            if stable.get(md["uid"]) == md["resourceVersion"]:
                continue
            node = nodes.get(pod["spec"].get("nodeName") or "")
            if node is None:
                continue
            if pod["metadata"].get("deletionTimestamp"):
                self._terminate(pod)
                continue
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed"):
                continue
            self._advance(pod, node)

    # ---- deletion -------------------------------------------------------------------
    def _terminate(self, pod: Obj) -> None:
        md = pod["metadata"]
        grace = md.get("deletionGracePeriodSeconds") or 0
        deadline = clock.parse(md["deletionTimestamp"]) or clock.now()
        began = deadline - grace
        if md["uid"] not in self._killing:
            self._killing.add(md["uid"])
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                if "running" in (cs.get("state") or {}):
                    self.cluster.event(pod, "Normal", "Killing", f"Stopping container {cs['name']}",
                                       component="kubelet", host=pod["spec"]["nodeName"],
                                       field_path=f"spec.containers{{{cs['name']}}}")
        ann = md.get("annotations") or {}
        wait = grace * self.cluster.settings.grace_scale
        if ann.get("kubesim.io/ignore-sigterm") != "true":
            wait = min(wait, self.cluster.settings.stop_seconds)
        if clock.now() < began + wait:
            return
        self._killing.discard(md["uid"])
        if md.get("finalizers"):
            def stop(p: Obj) -> Obj | None:
                st = p.setdefault("status", {})
                if st.get("phase") in ("Succeeded", "Failed"):
                    return None
                for cs in st.get("containerStatuses") or []:
                    run = (cs.get("state") or {}).get("running")
                    if run is not None:
                        cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed",
                                                      "startedAt": run.get("startedAt"), "finishedAt": clock.iso(),
                                                      "containerID": cs.get("containerID")}}
                    cs["ready"] = False
                    cs["started"] = False
                st["phase"] = "Succeeded" if p["spec"].get("restartPolicy") != "Always" else "Failed"
                set_condition(st, "Ready", False, "PodCompleted")
                set_condition(st, "ContainersReady", False, "PodCompleted")
                return p
            self.cluster.store.mutate("pods", md["namespace"], md["name"], stop)
        else:
            self.cluster.store.remove("pods", md["namespace"], md["name"])

    # ---- lifecycle --------------------------------------------------------------------
    def _pod_ip(self, node: Obj) -> str:
        name = node["metadata"]["name"]
        cidr = (node.get("spec") or {}).get("podCIDR") or "10.244.0.0/24"
        base = cidr.split("/")[0].rsplit(".", 1)[0]
        n = self._ip_next.get(name, 2)
        self._ip_next[name] = 2 if n >= 253 else n + 1
        return f"{base}.{n}"

    def _advance(self, pod: Obj, node: Obj) -> None:
        st = pod.get("status") or {}
        if st.get("startTime") and self._stable(pod):
            self._stable_rv[pod["metadata"]["uid"]] = pod["metadata"]["resourceVersion"]
            return
        md = pod["metadata"]

        def fn(p: Obj) -> Obj | None:
            events: list[tuple[str, str, str, str]] = []
            changed = self._transition(p, node, events)
            self._pending_events = events
            return p if changed else None

        self._pending_events: list[tuple[str, str, str, str]] = []
        new = self.cluster.store.mutate("pods", md["namespace"], md["name"], fn)
        for etype, reason, msg, cname in self._pending_events:
            self.cluster.event(new or pod, etype, reason, msg, component="kubelet", host=node["metadata"]["name"],
                               field_path=f"spec.{'initContainers' if cname.startswith('init:') else 'containers'}"
                                          f"{{{cname.removeprefix('init:')}}}" if cname else "")

    def _stable(self, pod: Obj) -> bool:
        """Nothing will change without outside help: skip the expensive path."""
        st = pod.get("status") or {}
        states = [cs.get("state") or {} for cs in st.get("containerStatuses") or []]
        if st.get("phase") == "Pending" and states and all(
                (s.get("waiting") or {}).get("reason") == "ImagePullBackOff" for s in states):
            return True
        if st.get("phase") != "Running" or not all("running" in s for s in states):
            return False
        return all(behaviour(pod, c, False, self.cluster.settings)[0] == "run"
                   for c in pod["spec"].get("containers") or [])

    def _transition(self, p: Obj, node: Obj, events: list[tuple[str, str, str, str]]) -> bool:
        spec, st = p["spec"], p.setdefault("status", {})
        now = clock.now()
        inits = spec.get("initContainers") or []
        if not st.get("startTime"):
            host_ip = next((a["address"] for a in (node.get("status") or {}).get("addresses") or []
                            if a.get("type") == "InternalIP"), "")
            ip = host_ip if spec.get("hostNetwork") else self._pod_ip(node)
            st.update({"hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": ip, "podIPs": [{"ip": ip}],
                       "startTime": clock.iso(now)})
            set_condition(st, "PodReadyToStartContainers", True)
            pending = " ".join(c["name"] for c in inits)
            set_condition(st, "Initialized", not inits, "ContainersNotInitialized" if inits else None,
                          f"containers with incomplete status: [{pending}]" if inits else None)
            names = " ".join(c["name"] for c in spec.get("containers") or [])
            set_condition(st, "Ready", False, "ContainersNotReady", f"containers with unready status: [{names}]")
            set_condition(st, "ContainersReady", False, "ContainersNotReady",
                          f"containers with unready status: [{names}]")
            order = {"PodReadyToStartContainers": 0, "Initialized": 1, "Ready": 2, "ContainersReady": 3,
                     "PodScheduled": 4}
            st["conditions"].sort(key=lambda c: order.get(c["type"], 9))
            wait_reason = "PodInitializing" if inits else "ContainerCreating"
            if inits:
                st["initContainerStatuses"] = [self._waiting(c, "PodInitializing") for c in inits]
            st["containerStatuses"] = [self._waiting(c, wait_reason) for c in spec.get("containers") or []]
            st["phase"] = "Pending"
            return True
        changed = False
        # init containers, one at a time
        init_done = True
        for c, cs in zip(inits, st.get("initContainerStatuses") or [], strict=False):
            term = (cs.get("state") or {}).get("terminated")
            if term and term.get("exitCode") == 0:
                continue
            init_done = False
            changed |= self._step_container(p, c, cs, True, now, events)
            break
        if inits and init_done and not any(c.get("status") == "True" for c in st.get("conditions") or []
                                           if c["type"] == "Initialized"):
            set_condition(st, "Initialized", True)
            changed = True
        if init_done:
            for c, cs in zip(spec.get("containers") or [], st.get("containerStatuses") or [], strict=False):
                changed |= self._step_container(p, c, cs, False, now, events)
        changed |= self._update_phase(p, init_done)
        return changed

    def _waiting(self, c: Obj, reason: str) -> Obj:
        return {"name": c["name"], "state": {"waiting": {"reason": reason}}, "lastState": {}, "ready": False,
                "restartCount": 0, "image": c.get("image", ""), "imageID": "", "started": False}

    def _run(self, c: Obj, cs: Obj, now: float, events: list[tuple[str, str, str, str]], tag: str,
             pulled: bool) -> None:
        image = c.get("image", "")
        if pulled:
            events.append(("Normal", "Pulled", f'Container image "{image}" already present on machine', tag))
        else:
            events.append(("Normal", "Pulling", f'Pulling image "{image}"', tag))
            events.append(("Normal", "Pulled", f'Successfully pulled image "{image}" in 1.021s (1.021s including '
                                               f"waiting). Image size: 52436152 bytes.", tag))
        events.append(("Normal", "Created", f"Created container: {c['name']}", tag))
        events.append(("Normal", "Started", f"Started container {c['name']}", tag))
        cs["state"] = {"running": {"startedAt": clock.iso(now)}}
        cs["containerID"] = _cid(self.cluster)
        cs["image"] = _full_image(image)
        cs["imageID"] = _image_id(image)
        cs["started"] = True
        cs["ready"] = True

    def _step_container(self, p: Obj, c: Obj, cs: Obj, init: bool, now: float,
                        events: list[tuple[str, str, str, str]]) -> bool:
        settings = self.cluster.settings
        kind, code, runtime = behaviour(p, c, init, settings)
        state = cs.get("state") or {}
        tag = ("init:" if init else "") + c["name"]
        started = clock.parse(p["status"].get("startTime")) or now
        waiting = state.get("waiting")
        image = c.get("image", "")
        if waiting and waiting.get("reason") in ("ContainerCreating", "PodInitializing"):
            if now - started < settings.start_seconds:
                return False
            if kind == "pullfail":
                events.append(("Normal", "Pulling", f'Pulling image "{image}"', tag))
                msg = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
                       f'unpack image "{_full_image(image)}": failed to resolve reference "{_full_image(image)}": '
                       f"{_full_image(image)}: not found")
                events.append(("Warning", "Failed", msg, tag))
                events.append(("Warning", "Failed", "Error: ErrImagePull", tag))
                cs["state"] = {"waiting": {"reason": "ErrImagePull", "message": msg}}
                return True
            self._run(c, cs, now, events, tag, pulled=False)
            return True
        if waiting and waiting.get("reason") == "ErrImagePull":
            events.append(("Normal", "BackOff", f'Back-off pulling image "{image}"', tag))
            events.append(("Warning", "Failed", "Error: ImagePullBackOff", tag))
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                       "message": f'Back-off pulling image "{image}"'}}
            return True
        if waiting and waiting.get("reason") == "CrashLoopBackOff":
            last = (cs.get("lastState") or {}).get("terminated") or {}
            finished = clock.parse(last.get("finishedAt")) or now
            backoff = min(10 * 2 ** max(cs.get("restartCount", 1) - 1, 0), 300)
            if now - finished < backoff:
                return False
            self._run(c, cs, now, events, tag, pulled=True)
            return True
        running = state.get("running")
        if running and kind == "exit":
            began = clock.parse(running.get("startedAt")) or now
            if now - began < runtime:
                return False
            term = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                    "startedAt": running.get("startedAt"), "finishedAt": clock.iso(now),
                    "containerID": cs.get("containerID")}
            policy = p["spec"].get("restartPolicy", "Always")
            restart = not init and (policy == "Always" or (policy == "OnFailure" and code != 0))
            restart = restart or (init and code != 0 and policy != "Never")
            cs["ready"] = False
            cs["started"] = False
            if restart:
                cs["lastState"] = {"terminated": term}
                cs["restartCount"] = cs.get("restartCount", 0) + 1
                backoff = min(10 * 2 ** (cs["restartCount"] - 1), 300)
                cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": (
                    f"back-off {clock.human_duration(backoff)} restarting failed container={c['name']} "
                    f"pod={p['metadata']['name']}_{p['metadata']['namespace']}({p['metadata']['uid']})")}}
                events.append(("Warning", "BackOff", f"Back-off restarting failed container {c['name']} in pod "
                                                     f"{p['metadata']['name']}_{p['metadata']['namespace']}"
                                                     f"({p['metadata']['uid']})", tag))
            else:
                cs["state"] = {"terminated": term}
            return True
        return False

    def _update_phase(self, p: Obj, init_done: bool) -> bool:
        st = p["status"]
        before = (st.get("phase"), [(c["type"], c["status"]) for c in st.get("conditions") or []])
        css = st.get("containerStatuses") or []
        names = [c["name"] for c in p["spec"].get("containers") or []]
        ready_all = init_done and css and all(cs.get("ready") for cs in css)
        terms = [(cs.get("state") or {}).get("terminated") for cs in css]
        if init_done and css and all(terms):
            st["phase"] = "Succeeded" if all(t.get("exitCode") == 0 for t in terms) else "Failed"
            set_condition(st, "Ready", False, "PodCompleted")
            set_condition(st, "ContainersReady", False, "PodCompleted")
        else:
            if init_done and any((cs.get("state") or {}).get("running") or cs.get("restartCount")
                                 or (cs.get("state") or {}).get("terminated") for cs in css):
                st["phase"] = "Running"
            unready = [n for n, cs in zip(names, css, strict=False) if not cs.get("ready")]
            msg = f"containers with unready status: [{' '.join(unready)}]"
            set_condition(st, "Ready", bool(ready_all), None if ready_all else "ContainersNotReady",
                          None if ready_all else msg)
            set_condition(st, "ContainersReady", bool(ready_all), None if ready_all else "ContainersNotReady",
                          None if ready_all else msg)
        inits = p["spec"].get("initContainers") or []
        if inits and not init_done:
            pending = [c["name"] for c, cs in zip(inits, st.get("initContainerStatuses") or [], strict=False)
                       if not (((cs.get("state") or {}).get("terminated") or {}).get("exitCode") == 0
                               and (cs.get("state") or {}).get("terminated"))]
            set_condition(st, "Initialized", False, "ContainersNotInitialized",
                          f"containers with incomplete status: [{' '.join(pending)}]")
        after = (st.get("phase"), [(c["type"], c["status"]) for c in st.get("conditions") or []])
        return before != after
