"""The SDK's resource objects for namespaces, ConfigMaps and Secrets against a real server and a private
simulator; a Secret's value never shows in an answer but `reveal`'s, nor in the server's log or audit rows."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from kubepolaris import Client
from kubepolaris.client import BadRequestError, ConflictError, NotFoundError, PermissionDeniedError
from scripts.liveserver import LiveServer


@pytest.fixture
def private_cluster(admin: Client, fresh_kubesim: Callable[..., Any]) -> int:
    sim = fresh_kubesim()
    cluster = admin.clusters.create(f"kinds-{secrets.token_hex(3)}", api_server=sim.url, kubeconfig=sim.kubeconfig())
    return int(cluster["id"])


@pytest.mark.timeout(300)
def test_namespaces(admin: Client, private_cluster: int) -> None:
    namespaces = admin.namespaces(private_cluster)
    names = [n["name"] for n in namespaces.iter_all()]
    assert "default" in names and names == sorted(names)
    created = namespaces.create("sdk-made", labels={"made": "sdk"})
    assert created["labels"]["made"] == "sdk" and created["pods"] == 0
    assert [n["name"] for n in namespaces.list(label_selector="made=sdk")] == ["sdk-made"]
    assert namespaces.get("sdk-made")["status"] == "Active"
    with pytest.raises(BadRequestError, match=r"\?confirm=sdk-made"):
        namespaces.delete("sdk-made")
    namespaces.delete("sdk-made", confirm="sdk-made")
    assert all(n["name"] != "sdk-made" or n["status"] == "Terminating" for n in namespaces.iter_all())


@pytest.mark.timeout(300)
def test_configmaps(admin: Client, private_cluster: int) -> None:
    configmaps = admin.configmaps(private_cluster)
    made = configmaps.create("default", "sdk-config", {"a": "1"}, labels={"made": "sdk"})
    assert made["data"] == {"a": "1"}
    assert [c["name"] for c in configmaps.list(namespace="default", key="a")] == ["sdk-config"]
    updated = configmaps.update("default", "sdk-config", {"b": "2"}, resource_version=made["resourceVersion"])
    assert configmaps.get("default", "sdk-config")["data"] == {"b": "2"} == updated["data"]
    with pytest.raises(ConflictError):
        configmaps.update("default", "sdk-config", {"c": "3"}, resource_version=made["resourceVersion"])
    configmaps.delete("default", "sdk-config")
    with pytest.raises(NotFoundError):
        configmaps.get("default", "sdk-config")


@pytest.mark.timeout(300)
def test_secrets_are_masked_everywhere_but_reveal(live: LiveServer, admin: Client, private_cluster: int,
                                                  make_client: Any) -> None:
    value = "Sdk-Secret-" + secrets.token_urlsafe(16)
    api = admin.secrets(private_cluster)
    made = api.create("default", "sdk-secret", {"password": value}, labels={"made": "sdk"})
    assert made["keys"] == [{"name": "password", "length": len(value)}]
    answers = [made, api.get("default", "sdk-secret"), list(api.iter_all(label_selector="made=sdk"))]
    assert api.reveal("default", "sdk-secret")["data"] == {"password": value}
    operator, _ = make_client("operator")
    with pytest.raises(PermissionDeniedError):
        operator.secrets(private_cluster).reveal("default", "sdk-secret")
    answers.append(api.update("default", "sdk-secret", {"password": value + "!"},
                              resource_version=made["resourceVersion"]))
    api.delete("default", "sdk-secret")
    rows = list(admin.audit.list(action="secret.reveal", page_size=100))
    assert {r["statusCode"] for r in rows if r["name"] == "sdk-secret"} == {200, 403}
    everything = repr(answers) + repr(list(admin.audit.list(page_size=100))) + live.log_tail(100000)
    assert value not in everything
