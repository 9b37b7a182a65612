"""Check a real response against the OpenAPI document: `assert_matches_schema(response, method, path_template)`.

The OpenAPI 3.0 schemas are turned into JSON Schema (draft 4, whose boolean `exclusiveMinimum`
matches OAS 3.0): `nullable` becomes `anyOf [..., null]`, `$ref`s resolve against the document's
components. Stricter than the spec on two points, because the contract asks for it:
- an object with declared `properties` may not carry undeclared keys (a field the schema omits
  is a schema that does not tell the truth);
- a `date-time` must be RFC 3339 in UTC with a `Z`; an `email` must be an address (not "").
"""
from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from typing import Any

import yaml
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOC_URI = "urn:kubepolaris:openapi"
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _utc_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339_UTC.match(value))


@FORMATS.checks("email")
def _email(value: object) -> bool:
    """As schemathesis reads `format: email`: an empty string is not an address."""
    return not isinstance(value, str) or bool(re.match(r"^[^@\s]+@[^@\s]+$", value))


def to_json_schema(node: Any, *, strict: bool = True, in_all_of: bool = False) -> Any:
    """OpenAPI 3.0 schema object → JSON Schema draft 4 (recursively)."""
    if isinstance(node, list):
        return [to_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#/"):
            out[key] = DOC_URI + value
        elif key == "allOf":
            out[key] = [to_json_schema(item, strict=strict, in_all_of=True) for item in value]
        elif key in ("properties", "patternProperties", "definitions", "schemas"):
            out[key] = {name: to_json_schema(sub, strict=strict) for name, sub in value.items()}
        elif key in ("example", "examples", "discriminator", "xml", "externalDocs"):
            continue
        else:
            out[key] = to_json_schema(value, strict=strict)
    if strict and not in_all_of and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


class OpenAPIDocument:
    """One OpenAPI document, ready to validate responses of its operations."""

    def __init__(self, document: dict[str, Any], *, strict: bool = True) -> None:
        self.document = document
        self.strict = strict
        converted = {"components": to_json_schema(copy.deepcopy(document.get("components", {})), strict=strict)}
        self.registry = Registry().with_resource(DOC_URI, Resource(contents=converted, specification=DRAFT4))
        self._templates = [(self._pattern(path), path) for path in document.get("paths", {})]

    @staticmethod
    def _pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", template)
        regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
        return re.compile(f"^{regex}/?$")

    def template_for(self, path: str) -> str | None:
        """The documented path template a concrete path belongs to (exact paths win over templated ones)."""
        matches = [template for pattern, template in self._templates if pattern.match(path)]
        if not matches:
            return None
        return min(matches, key=lambda t: (t.count("{"), -len(t)))

    def operation(self, method: str, path_template: str) -> dict[str, Any] | None:
        return self.document.get("paths", {}).get(path_template, {}).get(method.lower())

    def problems(self, status: int, content_type: str, body: Any, method: str, path_template: str) -> list[str]:
        """Everything about this response that the document does not allow (empty when it matches)."""
        operation = self.operation(method, path_template)
        if operation is None:
            return [f"{method.upper()} {path_template} is not in the schema"]
        responses = operation.get("responses", {})
        spec = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if spec is None:
            return [f"status {status} is not documented for {method.upper()} {path_template} "
                    f"(documented: {', '.join(sorted(responses))})"]
        content = spec.get("content") or {}
        if not content:
            return [] if body in (None, b"", "") else [f"status {status} documents no body but one was sent"]
        media = content_type.split(";")[0].strip() or "application/json"
        if media not in content:
            return [f"content type {media!r} not documented for {status} (documented: {', '.join(content)})"]
        schema = to_json_schema(copy.deepcopy(content[media].get("schema", {})), strict=self.strict)
        validator = Draft4Validator(schema, registry=self.registry, format_checker=FORMATS)
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<body>'}: {error.message[:300]}"
            for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        ]


def response_parts(response: Any) -> tuple[int, str, Any]:
    """(status, content type, parsed JSON body) of a requests, Django or DRF test response."""
    status = int(response.status_code)
    headers = getattr(response, "headers", None) or {}
    content_type = headers.get("Content-Type", "") if hasattr(headers, "get") else ""
    raw = getattr(response, "content", b"")
    if "yaml" in content_type and raw:  # a YAML answer (an object's YAML) is checked as the document it holds
        return status, content_type, yaml.safe_load(raw)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw  # a text download
    return status, content_type, body


@lru_cache(maxsize=1)
def local_document() -> OpenAPIDocument:
    """The schema drf-spectacular generates in this process (Django must be configured)."""
    from drf_spectacular.generators import SchemaGenerator

    return OpenAPIDocument(SchemaGenerator().get_schema(request=None, public=True))


def assert_matches_schema(response: Any, method: str, path_template: str,
                          document: OpenAPIDocument | None = None) -> None:
    """Fail with every discrepancy between `response` and the documented `method path_template`."""
    document = document or local_document()
    status, content_type, body = response_parts(response)
    problems = document.problems(status, content_type, body, method, path_template)
    assert not problems, (
        f"{method.upper()} {path_template} → {status} breaks the schema:\n  " + "\n  ".join(problems)
        + f"\nbody: {json.dumps(body, default=str)[:800]}"
    )
