"""Filters a watch cache applies in memory, with the API server's meaning: namespace, `spec.nodeName`, labels.

The cache holds the whole cluster-wide list; a read asks for a slice of it the way a direct list would have
asked the API server (`labelSelector=app=web,tier in (a,b),!legacy`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from common.errors import InvalidRequest

Obj = dict[str, Any]
Predicate = Callable[[dict[str, str]], bool]

_SET = re.compile(r"^\s*(!?)\s*([^\s!=<>(),]+)\s*(?:(in|notin)\s*\((.*?)\)|(==|=|!=)\s*([^\s,()]*))?\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside `( … )`."""
    parts, depth, current = [], 0, []
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in (part.strip() for part in parts) if p]


def _requirement(text: str) -> Predicate:
    match = _SET.match(text)
    if not match:
        raise InvalidRequest(f"labelSelector: unable to parse requirement '{text}'")
    negated, key, set_op, values, op, value = match.groups()
    if negated:
        if set_op or op:
            raise InvalidRequest(f"labelSelector: unable to parse requirement '{text}'")
        return lambda labels: key not in labels
    if set_op:
        wanted = {v.strip() for v in (values or "").split(",") if v.strip()}
        if set_op == "in":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: key not in labels or labels[key] not in wanted
    if op in ("=", "=="):
        return lambda labels: labels.get(key) == value
    if op == "!=":
        return lambda labels: labels.get(key) != value
    return lambda labels: key in labels


def label_matcher(selector: str | None) -> Predicate | None:
    """A predicate over an object's labels, or None for "everything"."""
    if not selector or not selector.strip():
        return None
    requirements = [_requirement(part) for part in _split(selector)]
    return lambda labels: all(req(labels) for req in requirements)


def select(objects: list[Obj], *, namespace: str | None = None, node_name: str | None = None,
           label_selector: str | None = None) -> list[Obj]:
    """The objects a direct list with the same namespace, `spec.nodeName=` and label selector would return."""
    labels_ok = label_matcher(label_selector)
    if not (namespace or node_name or labels_ok):
        return objects
    out = []
    for obj in objects:
        metadata = obj.get("metadata") or {}
        if namespace and metadata.get("namespace") != namespace:
            continue
        if node_name and (obj.get("spec") or {}).get("nodeName") != node_name:
            continue
        if labels_ok and not labels_ok(metadata.get("labels") or {}):
            continue
        out.append(obj)
    return out
