"""kubesim: a simulated Kubernetes API server for tests and the demo.

    from kubesim import KubeSim
    with KubeSim(fleet="demo") as sim:            # or fleet="bench" (pods=, nodes=) or fleet="empty"
        api = kubernetes.config.new_client_from_config_dict(sim.kubeconfig())
        sim.write_kubeconfig(path)                 # for kubectl --kubeconfig path
        sim.url, sim.token, sim.ca_pem             # https://127.0.0.1:PORT, bearer token, CA PEM bytes
        sim.store                                  # thread-safe object store (get/list give copies)
        sim.create(obj)                            # create as a POST would (defaults + validation)
        sim.set_node_ready("worker-1", False)      # the node's kubelet stops reporting
        sim.stop(); sim.start()                    # an outage: same URL, CA, token and objects afterwards

Knobs: port, host (loopback only), tick (controller period, seconds), seed, grace_scale (multiplies
grace periods of pods that ignore SIGTERM), stop_seconds (how long a container takes to stop),
start_seconds (scheduled → running), job_seconds (how long a finite container runs), token.

Container behaviour follows the pod spec: images containing "doesnotexist"/"nonexistent" fail to
pull; `exit N` in the command exits with N (CrashLoopBackOff under restartPolicy Always);
containers of Jobs, init containers and commands under restartPolicy Never/OnFailure finish after
job_seconds (or `sleep N`) unless they loop forever (`sleep infinity`, `while true`, `until ...`);
the annotation `kubesim.io/ignore-sigterm: "true"` makes a pod use its whole grace period.

Kinds: namespaces, nodes, pods, events (core v1 and events.k8s.io/v1, one set of objects in two
shapes), configmaps, secrets, services (clusterIP/nodePort allocation), endpoints, endpointslices
(kept in step with the Services' selected pods by a controller), persistentvolumeclaims and
persistentvolumes (bound by a controller; StorageClasses with provisioner `kubesim.io/local-path`
provision a volume per claim, others leave the claim Pending), storageclasses, ingresses,
ingressclasses, horizontalpodautoscalers (autoscaling/v2, and v1 as a view; there is no metrics
server: every metric reports the annotation `kubesim.io/load-percent` of its target, 95 by
default, and the controller scales the target within min/max), deployments, replicasets,
statefulsets, daemonsets, controllerrevisions, jobs, cronjobs, poddisruptionbudgets.

`python -m kubesim --kubeconfig PATH [--port N] [--fleet demo|bench|empty] [--pods N --nodes N]`
runs it standalone until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import ssl
import tempfile
import threading
from typing import Any

import yaml

from .certs import CertBundle, generate_certs
from .cluster import Cluster, Settings
from .store import Store

__all__ = ["KubeSim"]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class KubeSim:
    """A simulated cluster served over HTTPS on a loopback port from a daemon thread."""

    def __init__(
        self,
        fleet: str = "demo",
        *,
        pods: int = 20000,
        nodes: int = 200,
        port: int = 0,
        host: str = "127.0.0.1",
        tick: float = 1.0,
        seed: int | None = None,
        grace_scale: float = 1.0,
        stop_seconds: float = 1.0,
        start_seconds: float = 1.0,
        job_seconds: float = 2.0,
        token: str | None = None,
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"kubesim binds to loopback only, not {host!r}")
        if fleet not in ("demo", "bench", "empty"):
            raise ValueError(f"unknown fleet {fleet!r} (demo, bench or empty)")
        self.fleet = fleet
        self.host = host
        self.port = port
        self.seed = seed
        self.fleet_pods = pods
        self.fleet_nodes = nodes
        self.settings = Settings(tick=tick, grace_scale=grace_scale, stop_seconds=stop_seconds,
                                 start_seconds=start_seconds, job_seconds=job_seconds)
        self.token = token or secrets.token_urlsafe(32)
        self.store = Store()
        self.cluster = Cluster(self.store, self.settings, seed)
        from .controllers import Controllers

        self.controllers = Controllers(self.cluster)
        self._certs: CertBundle | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # ---- public API -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def ca_pem(self) -> bytes:
        assert self._certs is not None, "start() first"
        return self._certs.ca_pem

    def start(self) -> KubeSim:
        if self._thread is not None:
            return self
        from .fleets import build_fleet

        if self._certs is None:  # a restarted simulator keeps its certificates, port and objects
            self._certs = generate_certs(tuple(sorted({self.host, "127.0.0.1", "localhost"})))
            build_fleet(self.cluster, self.controllers, self.fleet, pods=self.fleet_pods, nodes=self.fleet_nodes)
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="kubesim", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError("kubesim failed to start") from self._error
        if not self._ready.is_set():
            raise RuntimeError("kubesim did not start in time")
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)
        self._thread = None

    def __enter__(self) -> KubeSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create an object as a POST would (defaults, validation, generateName); returns a copy."""
        import copy

        from .handlers.crud import prepare_create
        from .resources import kind_resource

        res = kind_resource(obj.get("apiVersion", ""), obj.get("kind", ""))
        if res is None:
            raise ValueError(f"kubesim does not serve {obj.get('apiVersion')}/{obj.get('kind')}")
        body = copy.deepcopy(obj)
        if res.storage:  # an events.k8s.io/v1 Event is stored as the core v1 Event
            from .conversion import from_version
            from .resources import BY_KEY

            body, res = from_version(res.key, body), BY_KEY[res.storage]
        with self.store.lock:
            ns = (body.get("metadata") or {}).get("namespace", "default") if res.namespaced else ""
            created = self.store.create(res.key, prepare_create(self.cluster, res, body, ns))
            return copy.deepcopy(created)

    def set_node_ready(self, name: str, ready: bool) -> None:
        """Make a node's kubelet stop (or resume) reporting: Ready becomes Unknown (or True)."""
        from . import clock

        def fn(node: dict[str, Any]) -> dict[str, Any]:
            stamp = clock.iso()
            for c in node["status"]["conditions"]:
                if ready:
                    healthy = {"Ready": ("True", "KubeletReady", "kubelet is posting ready status")}
                    status, reason, msg = healthy.get(c["type"], ("False", c.get("reason", ""), c.get("message", "")))
                    if c["type"] != "Ready" and c.get("status") == "Unknown":
                        reason, msg = {"MemoryPressure": ("KubeletHasSufficientMemory",
                                                          "kubelet has sufficient memory available"),
                                       "DiskPressure": ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                                       "PIDPressure": ("KubeletHasSufficientPID",
                                                       "kubelet has sufficient PID available")}.get(
                            c["type"], (reason, msg))
                else:
                    status, reason, msg = "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."
                if c.get("status") != status:
                    c["lastTransitionTime"] = stamp
                c.update(status=status, reason=reason, message=msg, lastHeartbeatTime=stamp)
            return node

        if self.store.mutate("nodes", "", name, fn) is None:
            raise KeyError(f"no node named {name!r}")

    def kubeconfig(self, context: str = "kubesim") -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [{"name": context, "cluster": {
                "server": self.url,
                "certificate-authority-data": base64.b64encode(self.ca_pem).decode(),
            }}],
            "users": [{"name": f"{context}-admin", "user": {"token": self.token}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": f"{context}-admin"}}],
            "current-context": context,
        }

    def write_kubeconfig(self, path: str | os.PathLike[str]) -> None:
        data = yaml.safe_dump(self.kubeconfig(), sort_keys=False)
        fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(data)

    # ---- the server thread ------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        assert self._certs is not None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
            with open(cert, "wb") as f:
                f.write(self._certs.cert_pem)
            with open(key, "wb") as f:
                f.write(self._certs.key_pem)
            ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as e:  # surfaced by start()
            self._error = e
            self._ready.set()
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _serve(self) -> None:
        from aiohttp import web

        from .server import ADDR_KEY, build_app

        self._stop = asyncio.Event()
        app = build_app(self.cluster, self.token)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self._ssl_context())
        await site.start()
        self.port = runner.addresses[0][1]
        app[ADDR_KEY].append(f"{self.host}:{self.port}")
        task = asyncio.create_task(self.controllers.run())
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await runner.cleanup()
