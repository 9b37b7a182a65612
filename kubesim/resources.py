"""The resource types the simulator serves, as discovery describes them."""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
CLUSTER_VERBS = ALL_VERBS


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (name, kind, verbs)
    verbs: tuple[str, ...] = tuple(ALL_VERBS)
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def qualified(self) -> str:
        """The name used in error messages, e.g. `deployments.apps`."""
        return self.key


_STATUS = ("status", "", ("get", "patch", "update"))

RESOURCES: list[Resource] = [
    Resource("", "v1", "namespaces", "namespace", "Namespace", False, ("ns",),
             subresources=(("status", "Namespace", ("get", "patch", "update")),),
             verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    Resource("", "v1", "nodes", "node", "Node", False, ("no",),
             subresources=(("status", "Node", ("get", "patch", "update")),)),
    Resource("", "v1", "pods", "pod", "Pod", True, ("po",), ("all",),
             subresources=(
                 ("attach", "PodAttachOptions", ("create", "get")),
                 ("binding", "Binding", ("create",)),
                 ("eviction", "Eviction", ("create",)),
                 ("exec", "PodExecOptions", ("create", "get")),
                 ("log", "Pod", ("get",)),
                 ("status", "Pod", ("get", "patch", "update")),
             )),
    Resource("", "v1", "events", "event", "Event", True, ("ev",)),
    Resource("", "v1", "configmaps", "configmap", "ConfigMap", True, ("cm",)),
    Resource("", "v1", "secrets", "secret", "Secret", True),
    Resource("apps", "v1", "deployments", "deployment", "Deployment", True, ("deploy",), ("all",),
             subresources=(("scale", "Scale", ("get", "patch", "update")),
                           ("status", "Deployment", ("get", "patch", "update")))),
    Resource("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ("rs",), ("all",),
             subresources=(("scale", "Scale", ("get", "patch", "update")),
                           ("status", "ReplicaSet", ("get", "patch", "update")))),
    Resource("apps", "v1", "statefulsets", "statefulset", "StatefulSet", True, ("sts",), ("all",),
             subresources=(("scale", "Scale", ("get", "patch", "update")),
                           ("status", "StatefulSet", ("get", "patch", "update")))),
    Resource("apps", "v1", "daemonsets", "daemonset", "DaemonSet", True, ("ds",), ("all",),
             subresources=(("status", "DaemonSet", ("get", "patch", "update")),)),
    # Read by `kubectl rollout history/undo` for StatefulSets and DaemonSets; written by their controllers.
    Resource("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", True),
    Resource("batch", "v1", "jobs", "job", "Job", True, (), ("all",),
             subresources=(("status", "Job", ("get", "patch", "update")),)),
    Resource("batch", "v1", "cronjobs", "cronjob", "CronJob", True, ("cj",), ("all",),
             subresources=(("status", "CronJob", ("get", "patch", "update")),)),
    Resource("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", True,
             ("pdb",), subresources=(("status", "PodDisruptionBudget", ("get", "patch", "update")),)),
]

# Extra group-versions that are discoverable because kubectl asks for them by name.
SUBRESOURCE_GROUPS = {
    # /api/v1 pods/eviction is served as policy/v1 Eviction (kubectl drain reads group/version from here)
    ("pods", "eviction"): ("policy", "v1"),
    ("deployments", "scale"): ("autoscaling", "v1"),
    ("replicasets", "scale"): ("autoscaling", "v1"),
    ("statefulsets", "scale"): ("autoscaling", "v1"),
}

BY_PATH: dict[tuple[str, str, str], Resource] = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KEY: dict[str, Resource] = {r.key: r for r in RESOURCES}
BY_KIND: dict[tuple[str, str], Resource] = {(r.api_version, r.kind): r for r in RESOURCES}

GROUP_VERSIONS: dict[str, list[str]] = {}
for _r in RESOURCES:
    if _r.group:
        GROUP_VERSIONS.setdefault(_r.group, [])
        if _r.version not in GROUP_VERSIONS[_r.group]:
            GROUP_VERSIONS[_r.group].append(_r.version)


def resource_for(key: str) -> Resource:
    return BY_KEY[key]


def kind_resource(api_version: str, kind: str) -> Resource | None:
    return BY_KIND.get((api_version, kind))
