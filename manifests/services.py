"""Apply a manifest of any kinds through server-side apply, with a dry-run diff of every object first.

Each object: its resource is found from the cluster's discovery (custom resources too); a dry-run apply gives
the object the server would store, compared with the live one for the action (created, configured,
unchanged) and a unified diff of the cleaned YAML (Secret values masked); then, unless dry-running, the real
apply. A conflict with another field manager, a refusal by the cluster or a kind the cluster does not serve
is that object's `error`; the others go on. Namespaces and CustomResourceDefinitions go first (kubectl's
order), the rest in document order. A scoped user's every object is checked before anything is sent.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts import access
from clusters.models import Cluster
from common import errors
from common.names import name_problem
from common.permissions import Role
from kube import dynamic
from manifests import cleaning, yamlio

Obj = dict[str, Any]
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
CHANGE_CAUSE = "kubernetes.io/change-cause"
FIRST_KINDS = {("v1", "Namespace"): 0, ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): 1}
# failures that mean the cluster is gone: the objects after it are not attempted
UNREACHABLE = (errors.ClusterUnreachable, errors.ClusterTimeout, errors.ClusterCredentialsRejected)


def max_objects() -> int:
    return int(getattr(settings, "APPLY_MAX_OBJECTS", 100))


def max_bytes() -> int:
    return int(getattr(settings, "APPLY_MAX_BYTES", 1024 * 1024))


class PayloadTooLarge(errors.AppError):
    status_code = 413
    default_detail = "The manifest is too large"
    default_code = "payload_too_large"


@dataclass
class Item:
    """One object of the manifest, where it goes, and what became of it."""

    index: int
    obj: Obj
    namespace: str | None
    resource: dynamic.ApiResource | None = None

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    def result(self, action: str | None = None, diff: str = "", error: str | None = None) -> Obj:
        return {"index": self.index, "apiVersion": self.obj["apiVersion"], "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "action": action, "diff": diff, "error": error}


def documents_from(*, yaml_text: str | None, objects: list[Any] | None) -> list[Any]:
    """The manifest's documents, from YAML text or a list of objects (size checked)."""
    if yaml_text is not None:
        if len(yaml_text.encode()) > max_bytes():
            raise PayloadTooLarge(f"The manifest is larger than {max_bytes()} bytes")
        docs = yamlio.load_documents(yaml_text)
    else:
        docs = list(objects or [])
    if not docs:
        raise errors.InvalidRequest("The manifest holds no objects")
    if len(docs) > max_objects():
        raise errors.InvalidRequest(f"The manifest holds {len(docs)} objects; at most {max_objects()} are applied "
                                    "at once")
    return docs


def _problem(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "is not an object (a mapping)"
    for field in ("apiVersion", "kind"):
        if not isinstance(doc.get(field), str) or not doc[field]:
            return f"has no '{field}'"
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return "has no 'metadata.name'"
    name = metadata["name"]
    if "/" in name or name in (".", "..") or len(name) > 253:
        return f"has an unusable metadata.name '{name[:40]}'"
    namespace = metadata.get("namespace")
    if namespace is not None and (not isinstance(namespace, str) or name_problem(namespace, "namespace")):
        return f"has an invalid metadata.namespace: {name_problem(str(namespace), 'namespace')}"
    return None


def validate_documents(docs: list[Any]) -> None:
    """A 400 naming the first document (0-based index) without apiVersion, kind or metadata.name."""
    for index, doc in enumerate(docs):
        problem = _problem(doc)
        if problem:
            raise errors.InvalidRequest(f"Document {index} (0-based) {problem}")


def plan(cluster: Cluster, docs: list[Obj], default_namespace: str | None) -> list[Item]:
    """The objects in apply order, each with its resource (None: the cluster does not serve the kind)."""
    items = []
    for index, doc in enumerate(docs):
        obj = copy.deepcopy(doc)
        res = dynamic.resource_for_kind(cluster, obj["apiVersion"], obj["kind"])
        namespace: str | None = None
        if res is None or res.namespaced:
            namespace = obj["metadata"].get("namespace") or default_namespace or "default"
            obj["metadata"]["namespace"] = namespace
        else:
            obj["metadata"].pop("namespace", None)
        items.append(Item(index, obj, namespace, res))
    return sorted(items, key=lambda it: (FIRST_KINDS.get((it.obj["apiVersion"], it.kind), 2), it.index))


def check_access(user: Any, cluster: Cluster, items: list[Item]) -> None:
    """Every object within the user's reach (grants: its namespace; cluster-scoped: a whole-cluster grant)."""
    for item in items:
        cluster_wide = item.resource is not None and not item.resource.namespaced
        access.authorize(user, cluster_id=cluster.pk, namespace=None if cluster_wide else item.namespace,
                         needed=Role.OPERATOR, what=f"applying {item.kind} '{item.name}'", cluster_wide=cluster_wide)


def with_change_cause(obj: Obj, actor: str | None) -> Obj:
    """Workloads applied through KubePolaris record it, unless the manifest brings its own change cause."""
    if obj["kind"] not in WORKLOAD_KINDS or not str(obj["apiVersion"]).startswith("apps/"):
        return obj
    annotations = obj["metadata"].setdefault("annotations", {})
    if isinstance(annotations, dict) and CHANGE_CAUSE not in annotations:
        annotations[CHANGE_CAUSE] = f"kubepolaris: apply by {actor}" if actor else "kubepolaris: apply"
    return obj


def diff_of(live: Obj | None, result: Obj, name: str) -> str:
    """Unified diff of the cleaned YAML before and after (Secret values masked)."""
    before, after = cleaning.clean(live), cleaning.clean(result)
    before_text = yamlio.dump(cleaning.mask_secret(before, after)) if live else ""
    after_text = yamlio.dump(cleaning.mask_secret(after, before if live else None))
    return "".join(difflib.unified_diff(before_text.splitlines(keepends=True), after_text.splitlines(keepends=True),
                                        fromfile=f"live/{name}", tofile=f"applied/{name}"))


def apply_one(cluster: Cluster, item: Item, *, force: bool, dry_run: bool, actor: str | None) -> Obj:
    res = item.resource
    if res is None:
        return item.result(error=f"The cluster '{cluster.name}' does not serve kind '{item.kind}' in "
                                 f"'{item.obj['apiVersion']}'")
    if "patch" not in res.verbs:
        return item.result(error=f"The cluster '{cluster.name}' does not allow patching {res.plural}")
    obj = with_change_cause(item.obj, actor)
    live = dynamic.get_object(cluster, res, item.namespace, item.name)
    dry = dynamic.server_side_apply(cluster, res, item.namespace, item.name, obj, force=force, dry_run=True)
    action = "created"
    if live is not None:
        action = "unchanged" if cleaning.clean(live) == cleaning.clean(dry) else "configured"
    diff = diff_of(live, dry, item.name) if action != "unchanged" else ""
    if not dry_run:
        dynamic.server_side_apply(cluster, res, item.namespace, item.name, obj, force=force, dry_run=False)
    return item.result(action, diff)


def apply_manifest(*, cluster: Cluster, user: Any, docs: list[Any], dry_run: bool, force: bool,
                   namespace: str | None) -> list[Obj]:
    """Every object's {kind, namespace, name, action, diff, error}, in the order they were applied."""
    validate_documents(docs)
    items = plan(cluster, docs, namespace)
    check_access(user, cluster, items)
    actor = getattr(user, "username", None)
    results: list[Obj] = []
    gone: errors.AppError | None = None
    new_namespaces: set[str] = set()  # created by this manifest (a dry run does not create them)
    for item in items:
        if gone is not None:
            results.append(item.result(error=f"Not attempted: {gone.message}"))
            continue
        if dry_run and item.namespace in new_namespaces and item.resource is not None:
            results.append(item.result(error=f"Namespace '{item.namespace}' is created by this manifest: a dry run "
                                             "cannot show the objects inside it before it exists"))
            continue
        try:
            results.append(apply_one(cluster, item, force=force, dry_run=dry_run, actor=actor))
            if item.kind == "Namespace" and results[-1]["action"] == "created":
                new_namespaces.add(item.name)
        except UNREACHABLE as exc:
            gone = exc
            results.append(item.result(error=exc.message))
        except errors.AppError as exc:
            results.append(item.result(error=exc.message))
    return results


def summary(results: list[Obj], dry_run: bool) -> str:
    """`Applied 3 objects: 1 created, 1 configured, 1 unchanged, 0 failed` (`Dry run of …` when dry-running)."""
    counts = {key: 0 for key in ("created", "configured", "unchanged")}
    failed = 0
    for r in results:
        if r["error"]:
            failed += 1
        else:
            counts[r["action"]] += 1
    what = ", ".join(f"{n} {key}" for key, n in counts.items())
    return f"{'Dry run of' if dry_run else 'Applied'} {len(results)} objects: {what}, {failed} failed"
