"""`POST /api/clusters/:id/apply` and `GET …/<plural>/:name/yaml`: apply manifests of any kind, read any object
as YAML."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, cast

from kubepolaris.sdk.transport import Transport, segment


class ApplyItem(TypedDict):
    index: int
    apiVersion: str
    kind: str
    namespace: str | None
    name: str
    action: Literal["created", "configured", "unchanged"] | None
    diff: str
    error: str | None


class ApplyResult(TypedDict):
    dryRun: bool
    results: list[ApplyItem]


class ManifestsAPI:
    """Apply and YAML out for one cluster (`client.manifests(cluster_id)`)."""

    def __init__(self, transport: Transport, cluster_id: int | str) -> None:
        self._t = transport
        self._base = f"/api/clusters/{segment(cluster_id)}"

    def apply(self, yaml: str | None = None, objects: Sequence[Mapping[str, Any]] | None = None, *,
              dry_run: bool = False, force: bool = False, namespace: str | None = None) -> ApplyResult:
        """Server-side apply of YAML text (`---`-separated documents) or of `objects`; per object its action
        (created/configured/unchanged), diff and error. `force` takes over fields other managers own.
        A dry run is retried on network failures; a real apply is not (its report would differ)."""
        if (yaml is None) == (objects is None):
            raise ValueError("pass exactly one of yaml or objects")
        body: dict[str, Any] = {"dryRun": dry_run, "force": force}
        if yaml is not None:
            body["yaml"] = yaml
        else:
            body["objects"] = [dict(o) for o in objects or []]
        if namespace is not None:
            body["namespace"] = namespace
        return cast(ApplyResult, self._t.request("POST", f"{self._base}/apply", json=body, idempotent=dry_run))

    def yaml(self, plural: str, name: str, namespace: str | None = None) -> str:
        """The object as clean YAML (no status or server bookkeeping; Secret values masked). `plural` is e.g.
        `deployments` or `deployments.apps`; leave `namespace` out for cluster-scoped kinds."""
        where = f"/namespaces/{segment(namespace)}" if namespace is not None else ""
        data = self._t.request("GET", f"{self._base}{where}/{segment(plural)}/{segment(name)}/yaml")
        return str(data["yaml"])
