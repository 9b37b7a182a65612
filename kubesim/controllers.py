"""The control loop: every tick runs each controller once, in the order a cluster converges."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from .autoscaling import Autoscalers
from .endpoints import EndpointSlices
from .gc import Disruption, GarbageCollector, Namespaces, NodeLifecycle
from .jobs import CronJobs, Jobs
from .kubelet import Kubelet
from .scheduler import Scheduler
from .storage import Volumes
from .workloads import DaemonSets, Deployments, ReplicaSets, StatefulSets, index_by_owner

if TYPE_CHECKING:
    from .cluster import Cluster

log = logging.getLogger("kubesim.controllers")


class Controllers:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.nodes = NodeLifecycle(cluster)
        self.scheduler = Scheduler(cluster)
        self.kubelet = Kubelet(cluster)
        self.replicasets = ReplicaSets(cluster)
        self.deployments = Deployments(cluster)
        self.statefulsets = StatefulSets(cluster)
        self.daemonsets = DaemonSets(cluster)
        self.jobs = Jobs(cluster)
        self.cronjobs = CronJobs(cluster)
        self.gc = GarbageCollector(cluster)
        self.namespaces = Namespaces(cluster)
        self.disruption = Disruption(cluster)
        self.volumes = Volumes(cluster)
        self.endpoints = EndpointSlices(cluster)
        self.autoscalers = Autoscalers(cluster)
        self.last_step_seconds = 0.0
        self._ticks = 0

    def step(self) -> None:
        store = self.cluster.store
        with store.lock:
            self.nodes.step()
            self.namespaces.step()
            self.gc.step()
            self.volumes.step()
            self.autoscalers.step()
            rs_by_owner = index_by_owner(store.refs("replicasets.apps"))
            pods_by_owner = index_by_owner(store.refs("pods"))
            self.deployments.step(rs_by_owner, pods_by_owner)
            self.replicasets.step(pods_by_owner)
            self.statefulsets.step(pods_by_owner)
            self.daemonsets.step(pods_by_owner)
            self.cronjobs.step(index_by_owner(store.refs("jobs.batch")))
            self.jobs.step(index_by_owner(store.refs("pods")))
        with store.lock:
            self.scheduler.step()
        with store.lock:
            self.kubelet.step()
        with store.lock:
            self.disruption.step()
            self.endpoints.step()
        self._ticks += 1
        if self._ticks % 100 == 0:
            self._forget_gone_pods()

    def _forget_gone_pods(self) -> None:
        """Drop per-pod bookkeeping of pods that no longer exist."""
        with self.cluster.store.lock:
            uids = {p["metadata"]["uid"] for p in self.cluster.store.refs("pods")}
        self.kubelet.forget(uids)
        self.scheduler.forget(uids)
        with self.cluster.store.lock:
            claims = {c["metadata"]["uid"] for c in self.cluster.store.refs("persistentvolumeclaims")}
        self.volumes.forget(claims)

    async def run(self) -> None:
        tick = self.cluster.settings.tick
        while True:
            t0 = time.monotonic()
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.step)
            except Exception:
                log.exception("controller step failed")
            self.last_step_seconds = time.monotonic() - t0
            await asyncio.sleep(max(tick - self.last_step_seconds, tick / 4))
