"""Registered clusters. The credential (always stored as a kubeconfig) is encrypted at rest."""
from __future__ import annotations

import hashlib

from django.db import models

from clusters import crypto


class Cluster(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected"
        UNREACHABLE = "unreachable"
        UNKNOWN = "unknown"

    name = models.CharField(max_length=128, unique=True)
    description = models.TextField(blank=True, default="")
    api_server = models.CharField(max_length=512, help_text="Overrides the server address in the kubeconfig")
    credential_ciphertext = models.TextField(editable=False, help_text="Fernet-encrypted kubeconfig YAML")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    version = models.CharField(max_length=64, blank=True, default="")
    node_count = models.IntegerField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_kubeconfig(self, kubeconfig_yaml: str) -> None:
        self.credential_ciphertext = crypto.encrypt(kubeconfig_yaml)

    def get_kubeconfig(self) -> str:
        return crypto.decrypt(self.credential_ciphertext)

    @property
    def credential_fingerprint(self) -> str:
        """Changes whenever the credential or address changes; keys the client cache. Reveals nothing."""
        digest = hashlib.sha256(f"{self.api_server}\0{self.credential_ciphertext}".encode())
        return digest.hexdigest()[:16]
