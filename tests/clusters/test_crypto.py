"""Credentials at rest: encrypted in the row, rotated to the newest key by the management command."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from clusters import crypto, services
from clusters import kubeconfig as kc
from clusters.models import Cluster

pytestmark = pytest.mark.django_db
TOKEN = "rotation-test-token-9876543210"  # noqa: S105


@pytest.fixture
def keys(settings: Any) -> Iterator[Any]:
    """Switch the key ring (FERNET_KEYS, newest first); restored afterwards."""
    def use(*ring: bytes) -> None:
        settings.FERNET_KEYS = [key.decode() for key in ring]
        crypto.reset_keys()

    yield use
    crypto.reset_keys()


def raw_ciphertext(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credential_ciphertext FROM clusters_cluster WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def make_cluster(name: str) -> Cluster:
    config = kc.token_kubeconfig(server="https://k8s.example.com", token=TOKEN, ca_data=None)
    return services.create_cluster(name=name, api_server="https://k8s.example.com", kubeconfig=config)


def test_rotate_credentials_re_encrypts_with_the_newest_key(keys: Any, capsys: Any) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    first, second = make_cluster("a"), make_cluster("b")
    before = {c.pk: raw_ciphertext(c.pk) for c in (first, second)}
    assert all(TOKEN not in text for text in before.values())
    assert Fernet(old).decrypt(before[first.pk].encode())  # written with the only key

    keys(new, old)  # the new key first, the old one still accepted
    call_command("rotate_credentials")
    assert "2 cluster credential" in capsys.readouterr().out
    for cluster in (first, second):
        after = raw_ciphertext(cluster.pk)
        assert after != before[cluster.pk] and TOKEN not in after
        assert TOKEN in Fernet(new).decrypt(after.encode()).decode()

    keys(new)  # the old key dropped: everything still readable
    assert all(TOKEN in c.get_kubeconfig() for c in Cluster.objects.all())


def test_rotation_without_the_old_key_fails_and_changes_nothing(keys: Any) -> None:
    keys(Fernet.generate_key())
    cluster = make_cluster("a")
    before = raw_ciphertext(cluster.pk)
    keys(Fernet.generate_key())
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_credentials")
    assert raw_ciphertext(cluster.pk) == before
