"""pytest plugin: validate EVERY response a test receives through DRF's APIClient against /api/schema.

Enable it for the whole suite with `pytest_plugins = ["tests.schema.plugin"]` in tests/conftest.py
(or `-p tests.schema.plugin`). A response that breaks the schema fails the test that received it.
Responses to paths or methods the schema does not list (unknown URL, 405) must still be an error
envelope. Mark a test `@pytest.mark.no_schema_check` to opt out (say why next to it).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.schema.validation import local_document, response_parts

SKIPPED_PATHS = ("/api/schema", "/api/docs")
_active = {"on": True}


def check(method: str, path: str, response: Any) -> list[str]:
    """The schema problems of one response (empty when it matches or is not an API response)."""
    if not path.startswith("/api/") or path.startswith(SKIPPED_PATHS):
        return []
    document = local_document()
    template = document.template_for(path.rstrip("/") or path)
    status, content_type, body = response_parts(response)
    if template is None or document.operation(method, template) is None:
        envelope = isinstance(body, dict) and set(body) == {"code", "message", "data"}
        if envelope and body["code"] == status and status >= 400 and body["data"] is None:
            return []
        return [f"undocumented {method} {path} answered {status} without an error envelope: {str(body)[:300]}"]
    return document.problems(status, content_type, body, method, template)


_original: dict[str, Any] = {}


def _checked_request(self: Any, **kwargs: Any) -> Any:
    response = _original["request"](self, **kwargs)
    if _active["on"]:
        method, path = kwargs.get("REQUEST_METHOD", "GET"), kwargs.get("PATH_INFO", "")
        problems = check(method, path, response)
        if problems:
            raise AssertionError(f"{method} {path} → {response.status_code} breaks /api/schema:\n  "
                                 + "\n  ".join(problems))
    return response


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "no_schema_check: do not validate this test's responses against the schema")
    from rest_framework.test import APIClient  # only now: Django's settings are configured by pytest-django

    if "request" not in _original:
        _original["request"] = APIClient.request
        APIClient.request = _checked_request  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _schema_check_switch(request: pytest.FixtureRequest) -> Iterator[None]:
    _active["on"] = request.node.get_closest_marker("no_schema_check") is None
    yield
    _active["on"] = True
