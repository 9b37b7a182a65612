"""In-process: /metrics protection, https redirect exemptions, route labels, upstream errors."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from tests.api_mixins import assert_envelope
from tests.conftest import register_sim
from tests.kube.faults import refused_port


@pytest.fixture
def web(settings: Any) -> Client:
    settings.ALLOWED_HOSTS = ["testserver"]
    return Client()


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_is_404_without_a_token_when_debug_is_off(web: Client, settings: Any) -> None:
    settings.METRICS_TOKEN, settings.DEBUG = "", False
    assert web.get("/metrics").status_code == 404


def test_metrics_is_open_without_a_token_in_debug(web: Client, settings: Any) -> None:
    settings.METRICS_TOKEN, settings.DEBUG = "", True
    response = web.get("/metrics")
    assert response.status_code == 200
    assert b"kubepolaris_http_requests_total" in response.content


def test_metrics_token_is_required_even_in_debug(web: Client, settings: Any) -> None:
    settings.METRICS_TOKEN, settings.DEBUG = "s3cret-token", True
    assert web.get("/metrics").status_code == 401
    assert web.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-").status_code == 401
    assert web.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-token").status_code == 401
    assert web.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(web: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert web.get("/healthz").status_code == 200
    assert web.get("/readyz").status_code == 200
    assert web.get("/metrics").status_code == 301
    assert web.get("/api/clusters").status_code == 301


def test_healthz_touches_no_database(web: Client) -> None:
    """No `db` fixture: pytest-django makes any database access here an error (a 500, not this 200)."""
    assert web.get("/healthz").json() == {"status": "ok"}
    assert web.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_requests_are_counted_by_url_name(web: Client) -> None:
    before = value("kubepolaris_http_requests_total", route="cluster-detail", method="GET", status="401")
    unmatched = value("kubepolaris_http_requests_total", route="unmatched", method="GET", status="404")
    assert web.get("/api/clusters/4242").status_code == 401
    assert web.get("/no-such-page-4242").status_code == 404
    assert value("kubepolaris_http_requests_total", route="cluster-detail", method="GET", status="401") == before + 1
    assert value("kubepolaris_http_requests_total", route="unmatched", method="GET", status="404") == unmatched + 1
    labels = [s.labels for m in REGISTRY.collect() if m.name.startswith("kubepolaris_http") for s in m.samples]
    assert labels and not [one for one in labels if "4242" in str(one)]  # raw paths never become labels


def test_upstream_errors_are_counted_per_cluster(db: Any, admin_api: Any, settings: Any) -> None:
    settings.KUBE_WATCH_CACHE = False  # the direct read goes through the gateway
    cluster = _unreachable_cluster()
    label = str(cluster.pk)
    before = value("kubepolaris_upstream_errors_total", cluster_id=label, error="ClusterUnreachable")
    assert_envelope(admin_api.get(f"/api/clusters/{cluster.pk}/pods"), 502)
    assert value("kubepolaris_upstream_errors_total", cluster_id=label, error="ClusterUnreachable") == before + 1
    assert value("kubepolaris_upstream_request_duration_seconds_count", cluster_id=label) >= 1


def _unreachable_cluster() -> Any:
    class Gone:
        url = f"https://127.0.0.1:{refused_port()}"

        @staticmethod
        def kubeconfig() -> dict[str, Any]:
            return {"apiVersion": "v1", "kind": "Config", "current-context": "c",
                    "clusters": [{"name": "c", "cluster": {"server": Gone.url, "insecure-skip-tls-verify": True}}],
                    "users": [{"name": "u", "user": {"token": "t"}}],
                    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}

    return register_sim(Gone, name="gone")
