"""The audit API in-process (every response is also checked against /api/schema by tests/schema/plugin.py):
who may read it, its filters and their bad values, the recording download, and the middleware's rows."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from audit import services
from audit.models import AuditEvent, Recording
from tests.conftest import PASSWORD


def row(**fields: Any) -> AuditEvent:
    defaults = {"action": "pod.delete", "username": "alice", "status_code": 200}
    event = services.record(**{**defaults, **fields})
    assert event is not None
    return event


def listing(client: Any, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/audit{query}")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


@pytest.mark.django_db
def test_only_admins_read_the_audit_log(api: Any, anon_api: Any) -> None:
    event = row()
    for role in ("viewer", "operator"):
        client = api(role)
        for url in ("/api/audit", f"/api/audit/{event.pk}", f"/api/audit/{event.pk}/recording"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "admin" in response.json()["message"]
    assert anon_api.get("/api/audit").status_code == 401


@pytest.mark.django_db
def test_list_is_newest_first_paginated_and_shaped_as_the_contract(admin_api: Any) -> None:
    old = row(action="cluster.create", cluster_id=7, name="prod")
    AuditEvent.objects.filter(pk=old.pk).update(time=timezone.now() - timedelta(hours=1))
    new = row(action="deployment.scale", cluster_id=7, namespace="default", name="nginx", resource="deployment")
    data = listing(admin_api, "?pageSize=1")
    assert data["total"] >= 2 and data["pageSize"] == 1
    first = data["items"][0]
    assert set(first) == {"id", "time", "username", "sourceIp", "action", "clusterId", "namespace", "resource",
                          "name", "statusCode", "message", "recordingId"}
    ids = [item["id"] for item in listing(admin_api, "?clusterId=7")["items"]]
    assert ids == [new.pk, old.pk]
    assert first["time"].endswith("Z")
    detail = admin_api.get(f"/api/audit/{new.pk}").json()["data"]
    assert detail["action"] == "deployment.scale" and detail["recordingId"] is None
    assert admin_api.get("/api/audit/999999999").status_code == 404
    assert admin_api.get("/api/audit/abc").status_code == 404
    assert admin_api.get("/api/audit/99999999999999999999999").status_code == 404


@pytest.mark.django_db
def test_filters(admin_api: Any) -> None:
    now = timezone.now()
    a = row(username="alice", action="pod.delete", cluster_id=1, namespace="web", status_code=200)
    b = row(username="bob", action="auth.login_failed", status_code=401)
    c = row(username="bob", action="pod.delete", cluster_id=2, namespace="db", status_code=403)
    AuditEvent.objects.filter(pk=a.pk).update(time=now - timedelta(days=2))
    AuditEvent.objects.filter(pk=b.pk).update(time=now - timedelta(days=1))

    def ids(query: str) -> set[int]:
        return {item["id"] for item in listing(admin_api, query)["items"]}

    assert ids("?username=bob") == {b.pk, c.pk}
    assert ids("?action=pod.delete") == {a.pk, c.pk}
    assert ids("?clusterId=2") == {c.pk}
    assert ids("?namespace=web") == {a.pk}
    assert ids("?statusCode=401") == {b.pk}
    assert ids("?username=bob&statusCode=403") == {c.pk}
    since = (now - timedelta(hours=36)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (now - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?since={since}") == {b.pk, c.pk}
    assert ids(f"?until={until}") == {a.pk, b.pk}
    assert ids(f"?since={since}&until={until}") == {b.pk}
    assert ids(f"?since={(now - timedelta(hours=36)).isoformat()}".replace("+", "%2B")) == {b.pk, c.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("query, field", [
    ("statusCode=abc", "statusCode"), ("statusCode=99", "statusCode"), ("statusCode=1000", "statusCode"),
    ("clusterId=x", "clusterId"), ("clusterId=-1", "clusterId"), ("clusterId=99999999999999999999999", "clusterId"),
    ("since=yesterday", "since"), ("until=2024-13-01T00:00:00Z", "until"), ("username=a%00b", "username"),
    ("page=0", "page"), ("pageSize=abc", "pageSize"),
])
def test_bad_filter_values_are_400(admin_api: Any, query: str, field: str) -> None:
    response = admin_api.get(f"/api/audit?{query}")
    body = response.json()
    assert response.status_code == 400 and body["code"] == 400, body
    assert field in body["data"]["errors"] and body["message"].startswith(field)


@pytest.mark.django_db
def test_recording_download_is_the_cast_file_and_404_without_one(admin_api: Any) -> None:
    cast = '{"version": 2, "width": 80, "height": 24, "timestamp": 1}\n[0.1, "o", "hi\\r\\n"]\n'
    event = row(action="exec.closed", recording={"cast": cast, "size": len(cast)})
    plain = row(action="pod.delete")
    assert listing(admin_api, "?action=exec.closed")["items"][0]["recordingId"] == event.recording.pk
    for accept in ("application/json", "application/x-asciicast", "*/*"):
        response = admin_api.get(f"/api/audit/{event.pk}/recording", HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/x-asciicast")
        assert response.content.decode() == cast  # the file itself, not wrapped in the envelope
        assert f'filename="audit-{event.pk}.cast"' in response["Content-Disposition"]
    missing = admin_api.get(f"/api/audit/{plain.pk}/recording", HTTP_ACCEPT="application/x-asciicast")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json() == {"code": 404, "data": None, "message": missing.json()["message"]}
    assert "no recording" in missing.json()["message"]
    assert admin_api.get("/api/audit/0/recording").status_code == 404


@pytest.mark.django_db
def test_middleware_rows_for_changes_successful_failed_refused_and_unknown(api: Any, make_user: Any) -> None:
    admin = api("admin")
    created = admin.post("/api/users", {"username": "newbie", "password": PASSWORD, "role": "viewer"},
                         format="json")
    assert created.status_code == 201
    admin.post("/api/users", {"username": "x y", "password": "1"}, format="json")  # 400
    api("viewer").delete(f"/api/users/{created.json()['data']['id']}")  # 403 refused
    admin.post("/api/no-such-thing", {}, format="json")  # 404
    admin.get("/api/users")  # a read: no row
    rows = list(AuditEvent.objects.order_by("id").values("action", "status_code", "name", "resource", "message"))
    assert [(r["action"], r["status_code"]) for r in rows] == [
        ("user.create", 201), ("user.create", 400), ("user.delete", 403), ("api.unknown", 404)]
    assert rows[0]["name"] == "newbie" and rows[0]["resource"] == "user"
    assert rows[1]["message"].startswith("username")
    assert "requires the admin role" in rows[2]["message"]


@pytest.mark.django_db
def test_a_failing_audit_write_never_fails_the_request(admin_api: Any, caplog: Any) -> None:
    with mock.patch.object(AuditEvent.objects, "create", side_effect=DatabaseError("disk full")):
        response = admin_api.post("/api/users", {"username": "still-made", "password": PASSWORD}, format="json")
    assert response.status_code == 201
    assert "Could not write the audit row for user.create" in caplog.text
    assert not AuditEvent.objects.exists()
    # The test's transaction is still usable: the failed INSERT was rolled back to its savepoint only.
    assert admin_api.get("/api/users?search=still-made").json()["data"]["total"] == 1


@pytest.mark.django_db
def test_stored_strings_are_cleaned_and_messages_scrubbed() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    blob = "QWxhZGRpbjpvcGVuIHNlc2FtZQ0KYXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmln"
    event = row(username="nul\x00user\ud800", message=f"token={jwt} kubeconfig {blob} for pod nginx-7c5d-abcde",
                cluster_id="99999999999999999999")
    event.refresh_from_db()
    assert event.username == "nuluser?" and event.cluster_id is None
    assert jwt not in event.message and blob not in event.message
    assert "nginx-7c5d-abcde" in event.message


@pytest.mark.django_db
def test_prune_audit_deletes_old_rows_and_their_recordings(settings: Any) -> None:
    from django.core.management import call_command

    settings.AUDIT_RETENTION_DAYS = 30
    old = [row(action="exec.closed", recording={"cast": "{}\n", "size": 3}) for _ in range(3)] + [row()]
    AuditEvent.objects.filter(pk__in=[e.pk for e in old]).update(time=timezone.now() - timedelta(days=31))
    keep = row(action="exec.closed", recording={"cast": "{}\n", "size": 3})
    with mock.patch.object(services, "PRUNE_BATCH", 2):  # several batches
        call_command("prune_audit")
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [keep.pk]
    assert list(Recording.objects.values_list("event_id", flat=True)) == [keep.pk]
    call_command("prune_audit", "--days", "0")
    assert not AuditEvent.objects.exists() and not Recording.objects.exists()


@pytest.mark.django_db
def test_rows_are_read_only_in_the_django_admin(make_user: Any) -> None:
    from django.test import Client

    event = row(action="exec.closed", recording={"cast": "{}\n", "size": 3})
    browser = Client()
    browser.force_login(make_user(role="admin", is_superuser=True))
    listing_page = browser.get("/admin/audit/auditevent/?action=exec.closed")
    assert listing_page.status_code == 200 and b"exec.closed" in listing_page.content
    assert b"/admin/audit/auditevent/add/" not in listing_page.content
    detail = browser.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200 and b"GET /api/audit/" in detail.content
    assert b'name="_save"' not in detail.content
    assert browser.get("/admin/audit/auditevent/add/").status_code == 403
    assert browser.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_row_written_outside_any_transaction_is_committed_and_visible() -> None:
    """The middleware's own path: no outer transaction (on PostgreSQL also its synchronous_commit=off)."""
    from django.db import connection

    assert not connection.in_atomic_block
    event = services.record(action="pod.delete", username="alice", status_code=200)
    assert event is not None and AuditEvent.objects.filter(pk=event.pk, username="alice").exists()


@pytest.mark.django_db
def test_a_throttled_login_still_records_the_username_tried(anon_api: Any) -> None:
    """DRF's per-address throttle refuses before the login view runs: the row still names the username tried."""
    from django.conf import settings
    from django.test import override_settings
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "1/min"}
    try:
        with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
            ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # a class attribute: reload it
            for _ in range(2):
                last = anon_api.post("/api/auth/login", {"username": "mallory", "password": "guess-" + PASSWORD},
                                     format="json")
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert last.status_code == 429
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "status_code", "username"))
    assert rows == [("auth.login_failed", 401, "mallory"), ("auth.login_failed", 429, "mallory")]
    assert not AuditEvent.objects.filter(message__contains="guess-").exists()
