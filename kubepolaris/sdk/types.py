"""Typed shapes of what the API returns (contract §2–§8). Plain dicts at run time; TypedDicts for editors.

Keys are the API's camelCase names. `total=False` marks shapes whose optional keys the contract
leaves to the server.
"""
from __future__ import annotations

from typing import Any, Literal, TypedDict

Role = Literal["admin", "operator", "viewer"]


class User(TypedDict):
    id: int
    username: str
    email: str
    role: Role
    scope: Literal["all", "granted"]
    isActive: bool
    lastLogin: str | None
    createdAt: str


class Grant(TypedDict):
    id: int
    clusterId: int
    namespace: str | None
    role: Literal["viewer", "operator"]
    createdAt: str


class Token(TypedDict):
    token: str
    expire: str


class LoginResult(Token):
    user: User


class WsTicket(TypedDict):
    ticket: str
    expire: str


class Cluster(TypedDict):
    id: int
    name: str
    description: str
    apiServer: str
    status: Literal["connected", "unreachable", "unknown"]
    version: str
    nodeCount: int | None
    createdAt: str
    updatedAt: str


class ClusterTest(TypedDict):
    connected: bool
    version: str | None
    nodeCount: int | None
    latencyMs: int
    message: str


class Resources(TypedDict, total=False):
    cpu: str
    memory: str
    pods: str


class Taint(TypedDict, total=False):
    key: str
    value: str | None
    effect: str


class Node(TypedDict, total=False):
    name: str
    status: str
    roles: list[str]
    unschedulable: bool
    internalIP: str
    kubeletVersion: str
    osImage: str
    kernelVersion: str
    containerRuntime: str
    architecture: str
    capacity: Resources
    allocatable: Resources
    podCount: int
    taints: list[Taint]
    labels: dict[str, str]
    createdAt: str


class NodeDetail(Node, total=False):
    conditions: list[dict[str, Any]]
    addresses: list[dict[str, Any]]
    annotations: dict[str, str]
    pods: list[dict[str, Any]]


class PodRef(TypedDict, total=False):
    namespace: str
    name: str
    reason: str


class DrainResult(TypedDict):
    evicted: list[PodRef]
    skipped: list[PodRef]
    failed: list[PodRef]


class ScaleResult(TypedDict):
    name: str
    namespace: str
    replicas: int


class RestartResult(TypedDict):
    name: str
    namespace: str
    restartedAt: str


class Revision(TypedDict):
    revision: int
    createdAt: str | None
    changeCause: str | None
    images: list[str]
    replicas: int | None  # None for DaemonSets (no pod count per revision)
    current: bool


class RevisionDetail(Revision):
    template: dict[str, Any]
    diff: str


class RollbackResult(TypedDict):
    name: str
    namespace: str
    revision: int
    rolledBack: bool


class Workload(TypedDict, total=False):
    kind: str
    name: str
    namespace: str
    replicas: int
    readyReplicas: int
    availableReplicas: int
    images: list[str]
    labels: dict[str, str]
    status: str
    createdAt: str


class Deployment(Workload, total=False):
    selector: dict[str, Any]
    strategy: dict[str, Any]
    conditions: list[dict[str, Any]]
    containers: list[dict[str, Any]]
    annotations: dict[str, str]
    resourceVersion: str
    pods: list[dict[str, Any]]


class _KindDetail(Workload, total=False):
    conditions: list[dict[str, Any]]
    containers: list[dict[str, Any]]
    annotations: dict[str, str]
    resourceVersion: str
    pods: list[dict[str, Any]]


class StatefulSet(_KindDetail, total=False):
    selector: dict[str, Any]
    strategy: dict[str, Any]
    serviceName: str | None
    podManagementPolicy: str | None
    currentRevision: str | None
    updateRevision: str | None


class DaemonSet(_KindDetail, total=False):
    selector: dict[str, Any]
    strategy: dict[str, Any]
    nodeSelector: dict[str, str]
    updatedNumberScheduled: int


class Job(_KindDetail, total=False):
    selector: dict[str, Any]
    completions: int | None
    parallelism: int | None
    backoffLimit: int | None
    suspend: bool
    active: int
    succeeded: int
    failed: int
    startTime: str | None
    completionTime: str | None
    cronJob: str | None


class CronJob(_KindDetail, total=False):
    schedule: str | None
    timeZone: str | None
    suspend: bool
    concurrencyPolicy: str
    lastScheduleTime: str | None
    lastSuccessfulTime: str | None
    jobs: list[Workload]


class SuspendResult(TypedDict):
    name: str
    namespace: str
    suspend: bool


class TriggerResult(TypedDict):
    name: str
    namespace: str
    cronJob: str
    createdAt: str | None


class ContainerBrief(TypedDict, total=False):
    name: str
    image: str
    ready: bool
    restartCount: int


class Pod(TypedDict, total=False):
    name: str
    namespace: str
    status: str
    phase: str
    nodeName: str | None
    podIP: str | None
    hostIP: str | None
    restarts: int
    containers: list[ContainerBrief]
    createdAt: str


class PodDetail(TypedDict, total=False):
    name: str
    namespace: str
    uid: str
    labels: dict[str, str]
    annotations: dict[str, str]
    status: dict[str, Any]
    spec: dict[str, Any]
    createdAt: str


class Event(TypedDict, total=False):
    type: str | None
    reason: str | None
    message: str | None
    firstSeen: str | None
    lastSeen: str | None
    count: int
