"""Request parsing and response helpers shared by the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from aiohttp import web

from .. import protobuf
from ..errors import ApiError, bad_request
from ..resources import BY_PATH, Resource

JSON = "application/json"


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def json_response(obj: Any, status: int = 200) -> web.Response:
    return web.Response(body=dumps(obj), status=status, content_type=JSON)


def error_response(err: ApiError) -> web.Response:
    return json_response(err.status(), err.code)


async def read_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return None
    ctype = request.content_type or ""
    if ctype == "application/vnd.kubernetes.protobuf":
        try:
            return protobuf.decode(raw)
        except (ValueError, IndexError, UnicodeDecodeError) as e:
            raise bad_request(f"error decoding protobuf body: {e}") from None
    try:
        if "yaml" in ctype:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as e:
        raise bad_request(f"error decoding body: {e}") from None


def wants_table(request: web.Request) -> bool:
    """kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` first; -o json/yaml does not."""
    first = request.headers.get("Accept", "").split(",")[0]
    return "as=Table" in first and "g=meta.k8s.io" in first


def query_bool(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1")


def query_int(request: web.Request, name: str) -> int | None:
    v = request.query.get(name)
    if v is None or v == "":
        return None
    try:
        return int(v)
    except ValueError:
        raise bad_request(f'strconv.ParseInt: parsing "{v}": invalid syntax') from None


@dataclass
class Target:
    res: Resource
    namespace: str
    name: str
    sub: str
    watch_path: bool


def parse_path(path: str) -> Target | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    watch = False
    if rest and rest[0] == "watch":
        watch, rest = True, rest[1:]
    if not rest:
        return None
    ns = ""
    if rest[0] == "namespaces" and len(rest) >= 3 and (group, version, rest[2]) in BY_PATH \
            and BY_PATH[(group, version, rest[2])].namespaced:
        ns, rest = rest[1], rest[2:]
    res = BY_PATH.get((group, version, rest[0]))
    if res is None or len(rest) > 3:
        return None
    return Target(res, ns, rest[1] if len(rest) > 1 else "", rest[2] if len(rest) > 2 else "", watch)
