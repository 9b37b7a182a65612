"""Deny by default: every /api/ view answers to the role rules, except an explicit allow-list.

The URL configuration is walked, so a new endpoint that forgets its role rule fails here instead of
being open to any signed-in user (DRF's `IsAuthenticated`) or to anyone.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from common.permissions import RolePermission

# Open on purpose: the login itself and the OpenAPI document and its browser (api-contract.md §1).
ALLOW_ANY = {"api/auth/login", "api/schema", "api/docs"}
NOT_DRF = {"api_not_found"}  # the enveloped 404 for unknown /api/ paths


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_views() -> list[tuple[str, Any]]:
    views = [(route, cb) for route, cb in _walk(get_resolver().url_patterns) if route.lstrip("^").startswith("api")]
    assert len(views) > 20, "the walk found the API's routes"
    return views


def _permissions(callback: Any) -> list[type]:
    initkwargs = getattr(callback, "initkwargs", None) or {}
    return list(initkwargs.get("permission_classes") or callback.cls.permission_classes)


def test_default_permission_is_the_role_permission() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["common.permissions.RolePermission"]


def test_every_api_view_declares_a_role_rule_or_is_allow_listed() -> None:
    offenders: list[str] = []
    for route, callback in api_views():
        if not hasattr(callback, "cls"):
            if callback.__name__ not in NOT_DRF:
                offenders.append(f"{route}: not a DRF view ({callback.__name__})")
            continue
        classes = _permissions(callback)
        if route in ALLOW_ANY:
            if classes != [AllowAny]:
                offenders.append(f"{route}: allow-listed but has {classes}")
        elif not any(isinstance(c, type) and issubclass(c, RolePermission) for c in classes):
            offenders.append(f"{route}: {callback.cls.__name__} has {[c.__name__ for c in classes]}")
    assert not offenders, "\n".join(offenders)


def test_the_allow_list_is_real() -> None:
    routes = {route for route, _ in api_views()}
    assert routes >= ALLOW_ANY
