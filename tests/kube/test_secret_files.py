"""Cluster secrets stay off disk: the client key and bearer token are never written in clear by our clients.

A cluster is registered through the API with a kubeconfig carrying a client certificate and key (made here
with `cryptography`) plus the simulator's token, then its client is built and used against the simulator
(the TLS handshake loads the certificate and key from wherever the client put them).
"""
from __future__ import annotations

import base64
import datetime
import os
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes.config import kube_config

from clusters.models import Cluster
from kube import clients, gateway, secretfiles
from tests.clusters.helpers import register_through_api

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def client_certificate() -> tuple[bytes, bytes]:
    """A self-signed client certificate and its private key (PEM), like `kubeadm` gives an admin."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes-admin")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class CertSim:
    """The simulator seen through a kubeconfig whose user has a client certificate, a key and the token."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.cert_pem, self.key_pem = client_certificate()
        self.key_body = self.key_pem.splitlines()[1]  # the key's first base64 line: what must never be on disk
        config = sim.kubeconfig()
        config["users"][0]["user"].update({
            "client-certificate-data": base64.b64encode(self.cert_pem).decode(),
            "client-key-data": base64.b64encode(self.key_pem).decode(),
        })
        self.kubeconfig = config
        self.token = sim.token.encode()


@pytest.fixture
def private_var(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A VAR_DIR of the test's own, and a fresh per-process directory in it."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    monkeypatch.setattr(secretfiles, "_process_dir", None)
    return settings.VAR_DIR


@pytest.fixture
def cert_cluster(admin_api: Any, kubesim: Any, private_var: Path) -> Iterator[tuple[Cluster, CertSim]]:
    material = CertSim(kubesim)
    cluster_id = register_through_api(admin_api, type("Sim", (), {"kubeconfig": lambda self: material.kubeconfig})())
    yield Cluster.objects.get(pk=cluster_id), material
    clients.drop_client(cluster_id)


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def loader_temp_files() -> list[bytes]:
    """Everything the kubernetes config loader wrote to its own temp files in this process."""
    out = []
    for name in kube_config._temp_files.values():
        try:
            out.append(Path(name).read_bytes())
        except OSError:
            out.append(b"")
    return out


def test_client_key_and_token_are_never_written_to_disk(cert_cluster: tuple[Cluster, CertSim],
                                                        private_var: Path) -> None:
    cluster, material = cert_cluster
    before = set(kube_config._temp_files)
    assert gateway.version(cluster).get_code().git_version  # a real TLS handshake with the cert and key loaded

    for path in files_under(private_var):
        content = path.read_bytes()
        assert material.key_body not in content, f"client key in clear in {path}"
        assert material.token not in content, f"bearer token in {path}"
    new = [content for key, content in zip(kube_config._temp_files, loader_temp_files(), strict=True)
           if key not in before]
    assert not any(material.key_body in content or material.token in content for content in new)

    configuration = clients.client_for(cluster).configuration
    assert configuration.key_file and not configuration.key_file.startswith(str(private_var))
    assert Path(configuration.key_file).read_bytes() == material.key_pem  # in memory, readable by this process

    # The asyncio clients of the pod sockets build their TLS context from the same paths.
    from kube.streams import _aio_configuration

    aio = _aio_configuration(cluster)
    context = ssl.create_default_context(cafile=aio.ssl_ca_cert)
    context.load_cert_chain(aio.cert_file, keyfile=aio.key_file)

    key_path = configuration.key_file
    clients.drop_client(cluster.pk)
    assert not (Path(key_path).exists() and Path(key_path).read_bytes() == material.key_pem)


def test_without_memfd_files_are_private_and_gone_after_drop(
        cert_cluster: tuple[Cluster, CertSim], private_var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster, material = cert_cluster
    monkeypatch.setattr(secretfiles, "_memfd_ok", False)
    assert gateway.version(cluster).get_code().git_version

    base = private_var / "kube-tmp"
    (process_dir,) = [p for p in base.iterdir() if p.is_dir()]
    assert process_dir.name.startswith(f"{os.getpid()}-")
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert stat.S_IMODE(process_dir.stat().st_mode) == 0o700
    files = files_under(base)
    assert len(files) == 3  # CA, client certificate, client key
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert material.token not in path.read_bytes()

    clients.drop_client(cluster.pk)
    assert files_under(base) == []


def test_dropped_client_cannot_open_new_connections(cert_cluster: tuple[Cluster, CertSim]) -> None:
    cluster, _material = cert_cluster
    client = clients.client_for(cluster)
    clients.drop_client(cluster.pk)
    from kubernetes.client import VersionApi
    from urllib3.exceptions import MaxRetryError

    with pytest.raises(MaxRetryError, match="FileNotFoundError"):  # its TLS files are gone, not reused
        VersionApi(client).get_code(_request_timeout=5)


def test_leftovers_of_dead_processes_are_removed_at_start_up(tmp_path: Path) -> None:
    base = tmp_path / "var" / "kube-tmp"
    base.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    stale = base / f"{dead}-0badc0de"
    stale.mkdir()
    (stale / "key-1").write_text("-----BEGIN PRIVATE KEY-----")
    loose = base / "tmpab12cd34"  # what the kubernetes loader wrote there before
    loose.write_text("-----BEGIN PRIVATE KEY-----")
    alive = base / f"{os.getpid()}-feedf00d"
    alive.mkdir()

    env = {**os.environ, "KUBEPOLARIS_VAR_DIR": str(tmp_path / "var"), "DEBUG": "0",
           "SECRET_KEY": "start-up-test-secret-key-" + "s" * 40,
           "FERNET_KEYS": "a3ViZXBvbGFyaXMtdGVzdHMtb25seS1mZXJuZXQtayE=",  # test-only key
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert not stale.exists() and not loose.exists()
    assert alive.is_dir()
