"""Broken clusters become clear 4xx/5xx envelopes naming the cluster, within the configured timeouts.

Real sockets, no mocks: a port with nothing listening, a black hole that accepts and never answers,
and a plain HTTP server answering like an API server that denies us.
"""
from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from common.permissions import Role
from tests.api_mixins import assert_envelope
from tests.clusters.helpers import token_cluster
from tests.kube.faults import BlackHole, StatusServer, refused_port

pytestmark = pytest.mark.django_db


def test_refused_port_is_502_naming_the_cluster(api: Any) -> None:
    cluster = token_cluster("nobody-home", f"https://127.0.0.1:{refused_port()}")
    started = time.monotonic()
    body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 502)
    assert "nobody-home" in body["message"] and "refused" in body["message"]
    assert time.monotonic() - started < 3


@override_settings(KUBE_READ_TIMEOUT=1, KUBE_CONNECT_TIMEOUT=1)
def test_black_hole_is_504_within_the_timeout(api: Any) -> None:
    with BlackHole() as hole:
        cluster = token_cluster("black-hole", hole.url)
        started = time.monotonic()
        body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 504)
        elapsed = time.monotonic() - started
    assert "black-hole" in body["message"] and "did not answer in time" in body["message"]
    assert elapsed < 2.5, elapsed


@override_settings(KUBE_READ_TIMEOUT=1, KUBE_CONNECT_TIMEOUT=1)
def test_black_hole_over_plain_http_is_504_too(api: Any) -> None:
    with BlackHole() as hole:
        cluster = token_cluster("black-hole-http", hole.url.replace("https", "http"))
        started = time.monotonic()
        assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes/n1"), 504)
        assert time.monotonic() - started < 2.5


def test_cluster_403_is_our_403_naming_the_cluster(api: Any) -> None:
    denial = 'nodes is forbidden: User "system:serviceaccount:ops:kp" cannot list resource "nodes"'
    with StatusServer(403, "Forbidden", denial) as server:
        cluster = token_cluster("locked-down", server.url)
        body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 403)
    assert "locked-down" in body["message"] and "cannot list resource" in body["message"]


def test_cluster_401_is_502_never_our_401(api: Any) -> None:
    with StatusServer(401, "Unauthorized", "Unauthorized") as server:
        cluster = token_cluster("stale-token", server.url)
        body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 502)
    assert "stale-token" in body["message"] and "rejected the stored credentials" in body["message"]


def test_cluster_429_and_500_are_translated(api: Any) -> None:
    with StatusServer(429, "TooManyRequests", "too many requests, please try again later") as server:
        cluster = token_cluster("busy", server.url)
        assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 429)
    with StatusServer(500, "InternalError", "etcdserver: request timed out") as server:
        cluster = token_cluster("sick", server.url)
        body = assert_envelope(api(Role.VIEWER).get(f"/api/clusters/{cluster.pk}/nodes"), 502)
    assert "sick" in body["message"] and "etcdserver" in body["message"]


@override_settings(KUBE_READ_TIMEOUT=1, KUBE_CONNECT_TIMEOUT=1)
def test_connection_test_answers_200_and_records_unreachable(admin_api: APIClient) -> None:
    cluster = token_cluster("gone", f"https://127.0.0.1:{refused_port()}")
    body = assert_envelope(admin_api.post(f"/api/clusters/{cluster.pk}/test"), 200)
    data = body["data"]
    assert data["connected"] is False and data["version"] is None and data["nodeCount"] is None
    assert "gone" in data["message"] and isinstance(data["latencyMs"], int)
    cluster.refresh_from_db()
    assert cluster.status == "unreachable" and cluster.last_contact_at is not None
    with BlackHole() as hole:
        slow = token_cluster("slow", hole.url)
        started = time.monotonic()
        data = assert_envelope(admin_api.post(f"/api/clusters/{slow.pk}/test"), 200)["data"]
        assert time.monotonic() - started < 2.5
    assert data["connected"] is False and "did not answer in time" in data["message"]
