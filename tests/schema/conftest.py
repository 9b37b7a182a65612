"""Schema tests validate what the server really answers, so they use the real drf-spectacular document."""
from __future__ import annotations

from typing import Any

import pytest

from tests.schema.validation import OpenAPIDocument, assert_matches_schema, local_document


@pytest.fixture
def document() -> OpenAPIDocument:
    return local_document()


@pytest.fixture
def conforms(document: OpenAPIDocument) -> Any:
    """`conforms(response, "get", "/api/users/3")`: the response matches the operation that URL belongs to."""

    def check(response: Any, method: str, url: str) -> Any:
        path = url.split("?")[0]
        template = document.template_for(path)
        assert template is not None, f"{path} matches no path in the schema"
        assert_matches_schema(response, method, template, document)
        return response.json()

    return check
