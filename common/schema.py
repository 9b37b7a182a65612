"""Tell drf-spectacular about the envelope once, so every operation in the schema shows the real bodies."""
from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

ERROR_CODES = {
    "400": "Invalid input: `data.errors` lists the reasons per field, `message` names the first",
    "401": "Missing, malformed, expired or revoked token",
    "403": "Your role (or the cluster) does not allow this",
    "404": "Not found: the message names what is missing",
    "409": "Conflict: duplicate name or stale resourceVersion",
    "413": "Request body too large",
    "429": "Throttled, or an eviction refused by a PodDisruptionBudget",
    "500": "Unexpected server error (no details leak)",
    "502": "The cluster could not be reached or rejected our credentials",
    "503": "Our own database is briefly unavailable; try again shortly",
    "504": "The cluster did not answer in time",
}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["code", "message", "data"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "data": {
            "nullable": True,
            "type": "object",
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
            },
        },
    },
}


def envelope_of(schema: dict[str, Any] | None, code: int) -> dict[str, Any]:
    data = schema if schema is not None else {"type": "object", "nullable": True, "enum": [None]}
    return {
        "type": "object",
        "required": ["code", "message", "data"],
        "properties": {
            "code": {"type": "integer", "example": code},
            "message": {"type": "string", "example": "success"},
            "data": data,
        },
    }


class EnvelopeAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        if "204" in bodies:
            bodies["200"] = bodies.pop("204")
        wrapped: dict[str, Any] = {}
        for code, body in bodies.items():
            content = body.get("content")
            if content:
                for media_type, media in content.items():
                    if "json" in media_type:  # a raw body (e.g. application/yaml) has no envelope
                        media["schema"] = envelope_of(media.get("schema"), int(code))
            else:
                body = {**body, "content": {"application/json": {"schema": envelope_of(None, int(code))}}}
            wrapped[code] = body
        for code, description in ERROR_CODES.items():
            wrapped.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": ERROR_ENVELOPE}}}
            )
        return wrapped


def path_name_patterns(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: path `namespace`/`name` parameters carry Kubernetes' grammar."""
    from common.names import PATH_NAME_RULES

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                rule = PATH_NAME_RULES.get(parameter.get("name"))
                if parameter.get("in") == "path" and rule:
                    grammar, longest, called = rule
                    parameter["schema"] = {**parameter.get("schema", {}), "pattern": grammar.pattern,
                                           "maxLength": longest}
                    parameter.setdefault("description", f"Must be {called}; anything else is a 400.")
    return result
