"""What `kube/` needs from a cluster record, so the bottom layer imports no app.

`clusters.models.Cluster` satisfies `ClusterTarget` structurally; tests and tools may pass any object
with the same attributes. `get_kubeconfig()` raises `CredentialKeyError` when the stored credentials
cannot be decrypted: the error lives here so that `kube.errors` can translate it without importing
`clusters` (which raises it, from `clusters.crypto`).
"""
from __future__ import annotations

from typing import Any, Protocol


class CredentialKeyError(RuntimeError):
    """Stored credentials cannot be decrypted with any configured key."""


class ClusterTarget(Protocol):
    """The cluster a gateway call talks to: identity for caches and messages, and how to reach it."""

    @property
    def pk(self) -> Any:
        """Stable id: keys the per-cluster client and watch caches."""

    @property
    def name(self) -> str:
        """Shown in every error message about this cluster."""

    @property
    def api_server(self) -> str:
        """The API server address; overrides the kubeconfig's `server`."""

    @property
    def credential_fingerprint(self) -> str:
        """Changes whenever the address or credentials change, so cached clients are rebuilt."""

    def get_kubeconfig(self) -> str:
        """The kubeconfig YAML (decrypted); raises `CredentialKeyError` when it cannot be."""
        ...
