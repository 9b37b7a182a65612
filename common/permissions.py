"""Role rules, in one place. Every view and WebSocket consumer asks here.

viewer < operator < admin. Views declare the role needed to read and to write; an action can
ask for more with `action_roles`. A refusal names what was refused and the role it needs.
"""
from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from common.names import validate_path_names

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    OPERATOR = "operator", "Operator"
    ADMIN = "admin", "Admin"


RANK = {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}


def has_role(user: Any, needed: str) -> bool:
    """True if the user is active and their role is at least `needed`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return RANK.get(getattr(user, "role", None), 0) >= RANK[Role(needed)]


def refusal(user: Any, needed: str, what: str) -> str:
    role = getattr(user, "role", "none")
    return f"Permission denied: {what} requires the {needed} role (you are {role})"


def required_role(view: Any, method: str) -> str:
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", {})
    if action in action_roles:
        return action_roles[action]
    if method in SAFE_METHODS:
        return getattr(view, "read_role", Role.VIEWER)
    return getattr(view, "write_role", Role.OPERATOR)


def describe(view: Any, request: Request) -> str:
    what = getattr(view, "action_label", None)
    if what is None:
        action = getattr(view, "action", None) or request.method.lower()
        what = f"{action} on {view.get_view_name().lower()}" if hasattr(view, "get_view_name") else action
    return what


class RolePermission(BasePermission):
    """Authenticated, and the role the view requires for this method/action."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "role_checked_by_door", False):  # a cluster view: its door decides with the grants
            return bool(request.user.is_active)
        needed = required_role(view, request.method)
        if has_role(request.user, needed):
            return True
        self.message = refusal(request.user, needed, describe(view, request))
        return False


class RoleViewMixin:
    """Mix into any API view: `read_role`, `write_role`, `action_roles` say who may do what.

    After authentication and the role check, the path's namespace and object names are checked with
    Kubernetes' grammar (common.names), so no view can pass `..` or `a/b` on to a cluster.
    """

    permission_classes = [RolePermission]
    read_role: str = Role.VIEWER
    write_role: str = Role.OPERATOR
    action_roles: dict[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc] - mixed into a DRF APIView
        validate_path_names(kwargs)
