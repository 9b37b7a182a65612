"""The OpenAPI document itself: valid, complete against the contract, and honest about auth and errors."""
from __future__ import annotations

import re

from drf_spectacular.validation import validate_schema

from tests.schema.validation import OpenAPIDocument

# Contract §2–§8: every REST operation the API promises.
CONTRACT = [
    ("post", "/api/auth/login"), ("post", "/api/auth/logout"), ("post", "/api/auth/refresh"), ("get", "/api/auth/me"),
    ("get", "/api/clusters"), ("post", "/api/clusters"), ("get", "/api/clusters/{}"), ("put", "/api/clusters/{}"),
    ("delete", "/api/clusters/{}"), ("post", "/api/clusters/{}/test"),
    ("get", "/api/clusters/{}/nodes"), ("get", "/api/clusters/{}/nodes/{}"),
    ("post", "/api/clusters/{}/nodes/{}/cordon"), ("post", "/api/clusters/{}/nodes/{}/uncordon"),
    ("post", "/api/clusters/{}/nodes/{}/drain"),
    ("get", "/api/clusters/{}/workloads"),
    ("get", "/api/clusters/{}/namespaces/{}/deployments/{}"), ("put", "/api/clusters/{}/namespaces/{}/deployments/{}"),
    ("delete", "/api/clusters/{}/namespaces/{}/deployments/{}"),
    ("post", "/api/clusters/{}/namespaces/{}/deployments/{}/scale"),
    ("post", "/api/clusters/{}/namespaces/{}/deployments/{}/restart"),
    ("get", "/api/clusters/{}/pods"), ("get", "/api/clusters/{}/namespaces/{}/pods/{}"),
    ("delete", "/api/clusters/{}/namespaces/{}/pods/{}"), ("get", "/api/clusters/{}/namespaces/{}/pods/{}/logs"),
    ("get", "/api/clusters/{}/namespaces/{}/pods/{}/events"),
    ("get", "/api/users"), ("post", "/api/users"), ("get", "/api/users/{}"), ("put", "/api/users/{}"),
    ("delete", "/api/users/{}"),
    ("get", "/api/audit"), ("get", "/api/audit/{}/recording"),  # §11
]
CONTRACT += [("post", "/api/auth/ws-ticket")]  # §12
# Success answers that are a file download (their errors are still envelopes).
FILE_DOWNLOADS = {("get", "/api/audit/{}/recording")}
PAGINATED = ["/api/clusters", "/api/clusters/{}/nodes", "/api/clusters/{}/workloads", "/api/clusters/{}/pods",
             "/api/users", "/api/audit"]


def shape(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


def operations(document: OpenAPIDocument) -> dict[tuple[str, str], dict]:
    return {(method, shape(path)): op for path, ops in document.document["paths"].items()
            for method, op in ops.items() if method in {"get", "post", "put", "patch", "delete"}}


def test_document_is_valid_openapi(document: OpenAPIDocument) -> None:
    validate_schema(document.document)


def test_every_contract_operation_is_documented(document: OpenAPIDocument) -> None:
    missing = [f"{m.upper()} {p}" for m, p in CONTRACT if (m, p) not in operations(document)]
    assert not missing, f"operations of the contract missing from /api/schema: {missing}"


def test_only_login_is_anonymous_and_the_rest_use_bearer(document: OpenAPIDocument) -> None:
    assert document.document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for (method, path), op in operations(document).items():
        if (method, path) == ("post", "/api/auth/login"):
            assert not op.get("security"), "login must not demand a token"
        else:
            assert op.get("security") == [{"bearerAuth": []}], f"{method} {path}: {op.get('security')}"


def test_every_operation_documents_the_error_envelope(document: OpenAPIDocument) -> None:
    for (method, path), op in operations(document).items():
        for code in ("400", "401", "403", "404", "500"):
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            assert schema["required"] == ["code", "message", "data"], (method, path, code)
        success = [c for c in op["responses"] if c.startswith("2")]
        assert success, (method, path)
        for code in success:
            content = op["responses"][code]["content"]
            if (method, path) in FILE_DOWNLOADS:  # the file itself, not an envelope
                assert "application/json" not in content and content, (method, path, code)
                continue
            schema = content["application/json"]["schema"]
            assert set(schema["properties"]) == {"code", "message", "data"}, (method, path, code)


def test_paginated_lists_document_the_page_shape_and_parameters(document: OpenAPIDocument) -> None:
    ops = operations(document)
    for path in PAGINATED:
        op = ops.get(("get", path))
        if op is None:
            continue  # reported by test_every_contract_operation_is_documented
        names = {p["name"] for p in op.get("parameters", [])}
        assert {"page", "pageSize"} <= names, (path, names)
        data = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
        ref = data["$ref"].split("/")[-1]
        page = document.document["components"]["schemas"][ref]
        assert set(page["required"]) == {"items", "total", "page", "pageSize"}, (path, page)
        assert page["properties"]["items"]["type"] == "array"


def test_no_secret_field_is_readable(document: OpenAPIDocument) -> None:
    """kubeconfigs, bearer tokens of clusters and passwords may be written, never read back."""
    for name, schema in document.document["components"]["schemas"].items():
        if name.endswith("Request"):
            continue
        leaked = {"kubeConfig", "kubeconfig", "password", "caData"} & set(schema.get("properties", {}))
        assert not leaked, f"response component {name} exposes {leaked}"
