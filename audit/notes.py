"""What a view tells the audit middleware that the request itself does not show (imports no models)."""
from __future__ import annotations

from typing import Any

_ATTRIBUTE = "_kubepolaris_audit_note"


def _django_request(request: Any) -> Any:
    return getattr(request, "_request", request)  # a DRF Request wraps the Django one the middleware sees


def note(request: Any, **fields: Any) -> None:
    """Attach fields to the request's audit row, e.g. `note(request, username=tried)` at a login.

    Keys: username, name, cluster_id, namespace, message. Never pass a secret: it would be stored.
    """
    target = _django_request(request)
    current = dict(getattr(target, _ATTRIBUTE, {}) or {})
    current.update({key: value for key, value in fields.items() if value is not None})
    setattr(target, _ATTRIBUTE, current)


def notes(request: Any) -> dict[str, Any]:
    return dict(getattr(_django_request(request), _ATTRIBUTE, {}) or {})
