"""Fixtures for cluster and node tests."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@pytest.fixture(scope="session")
def unrelated_ca() -> bytes:
    """A throwaway self-signed CA certificate (PEM), for caData inputs."""
    import datetime

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Client caches are keyed by cluster id, and ids repeat across tests' rolled-back databases."""
    from kube import clients

    yield
    for cluster_id in list(clients._cache):
        clients.drop_client(cluster_id)


@pytest.fixture
def fast_drain(settings: Any) -> Any:
    settings.DRAIN_RETRY_INTERVAL = 0.5
    settings.DRAIN_POLL_INTERVAL = 0.2
    return settings
