"""The SDK's read-only kinds against a real server and the demo simulator: list, filters, iter_all, get."""
from __future__ import annotations

import pytest

from kubepolaris import Client
from kubepolaris.client import BadRequestError, NotFoundError


def test_services_and_ingresses(admin: Client, live_cluster: int) -> None:
    services = admin.services(live_cluster)
    broken = services.list(no_ready_endpoints=True)
    assert ("shop", "checkout") in {(s["namespace"], s["name"]) for s in broken}
    shop = services.list("shop", page_size=2)
    assert len(shop) == 2 and shop.total == len(list(services.iter_all("shop", page_size=2)))
    web = services.get("shop", "web")
    assert web["type"] == "LoadBalancer" and web["readyEndpoints"] == sum(e["ready"] for e in web["endpoints"])
    assert [s["name"] for s in services.list(type="NodePort")] == ["grafana"]
    ingress = admin.ingresses(live_cluster).get("shop", "shop")
    assert ingress["tls"][0]["secretName"] == "shop-tls"
    with pytest.raises(BadRequestError):
        services.list(type="Nope")


def test_storage(admin: Client, live_cluster: int) -> None:
    pending = admin.persistentvolumeclaims(live_cluster).list(phase="Pending")
    assert pending and all(c["phase"] == "Pending" for c in pending)
    volumes = admin.persistentvolumes(live_cluster)
    assert [v["name"] for v in volumes.list(phase="Released")] == ["old-reports"]
    assert volumes.get("old-reports")["claim"] == {"namespace": "data", "name": "reports"}
    classes = list(admin.storageclasses(live_cluster).iter_all())
    assert [c["name"] for c in classes if c["isDefault"]] == ["standard"]
    with pytest.raises(NotFoundError):
        admin.storageclasses(live_cluster).get("no-such-class")


def test_events_and_autoscalers(admin: Client, live_cluster: int) -> None:
    events = admin.events(live_cluster)
    warnings = events.list(type="Warning", since="30d", page_size=100)
    assert warnings and all(e["type"] == "Warning" for e in warnings)
    first = warnings[0]
    assert events.get(first["namespace"], first["name"])["reason"] == first["reason"]
    hpas = admin.horizontalpodautoscalers(live_cluster)
    assert ("shop", "web") in {(h["namespace"], h["name"]) for h in hpas.list(at_max=True)}
    assert hpas.get("shop", "web")["atMax"] is True
