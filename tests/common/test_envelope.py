"""The envelope everywhere: unknown paths, 405, slashes, schema and docs."""
from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from common.logging import RedactSecretsFilter
from tests.api_mixins import assert_envelope

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_404_envelope(anon_api: APIClient, admin_api: APIClient) -> None:
    assert_envelope(anon_api.get("/api/nope"), 404)
    assert_envelope(admin_api.post("/api/does/not/exist", {}, format="json"), 404)
    assert_envelope(anon_api.get("/api"), 404)


def test_method_not_allowed_is_405_envelope(admin_api: APIClient) -> None:
    assert_envelope(admin_api.delete("/api/auth/me"), 405)


def test_trailing_slash_works_and_post_is_never_redirected(anon_api: APIClient, make_user) -> None:  # noqa: ANN001
    make_user("slash")
    response = anon_api.post("/api/auth/login/", {"username": "slash", "password": "Sturdy-Passw0rd!"},
                             format="json")
    assert_envelope(response, 200)


def test_schema_and_docs_need_no_token(anon_api: APIClient) -> None:
    schema = anon_api.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    assert "/api/auth/login" in spec["paths"]
    users = spec["paths"]["/api/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(users["properties"]) == {"code", "message", "data"}
    docs = anon_api.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


def test_unhandled_error_is_500_envelope_without_traceback(
    admin_api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts.api import views

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.selectors, "user_list", boom)
    body = assert_envelope(admin_api.get("/api/users"), 500)
    assert "secret internals" not in body["message"] and "Traceback" not in body["message"]


@pytest.mark.parametrize("line", [
    "GET /ws/clusters/1/namespaces/default/pods/x/logs?token=eyJhbGciOi.abc.def&tail=1",
    "headers={'Authorization': 'Bearer eyJhbGciOi.abc.def'}",
])
def test_log_lines_never_contain_tokens(line: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, line, None, None)
    RedactSecretsFilter().filter(record)
    assert "eyJhbGciOi" not in record.getMessage() and "[REDACTED]" in record.getMessage()


def test_docs_assets_are_served_locally(anon_api: APIClient) -> None:
    """The API browser must render with no internet: every script/style it loads is one of our static files."""
    import re

    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = anon_api.get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets, html[:500]
    for asset in assets:
        assert asset.startswith((settings.STATIC_URL, "/" + settings.STATIC_URL)), asset
        assert finders.find(asset.split(settings.STATIC_URL, 1)[1]), f"{asset} is not a local static file"


def test_oversized_body_is_413_envelope(admin_api: APIClient) -> None:
    """Found by the fuzzer: Django's upload limit must answer as an envelope, not a 500."""
    from django.conf import settings

    huge = "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    body = assert_envelope(admin_api.post("/api/users", {"username": "big", "password": huge}, format="json"), 413)
    assert "too large" in body["message"]
