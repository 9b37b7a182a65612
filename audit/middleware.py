"""One audit row per change under /api/: POST, PUT, PATCH and DELETE, whatever their outcome
(success, validation error, refusal, throttling, crash). Placed after AuthenticationMiddleware;
DRF hands its authenticated user to the Django request, so `request.user` is who acted.

The action is derived from the URL name and the method (see `action_for`); cluster, namespace and
name come from the URL's kwargs; the message from the response envelope. No body is read, except the
`username` of a login that was throttled before its view could note it.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException

from audit import services
from audit.notes import notes
from common.client_ip import client_ip

log = logging.getLogger("kubepolaris.audit")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
# Paths whose action the URL name would not spell well (whatever name another app gives them).
PATH_ACTIONS = {"/api/auth/ws-ticket": "auth.ws_ticket"}
# URL names whose last part only says "collection"/"one object": the method says what was done.
COLLECTION_SUFFIXES = ("list", "detail")


def action_for(url_name: str | None, method: str, path: str, status_code: int) -> tuple[str, str]:
    """(action, resource), e.g. ("deployment.scale", "deployment"), ("pod.delete", "pod").

    `deployment-scale` POST → deployment.scale; `pod-detail` DELETE → pod.delete; `cluster-list` POST →
    cluster.create; `auth-login` → auth.login, or auth.login_failed when it did not succeed.
    """
    action = PATH_ACTIONS.get(path.rstrip("/"))
    if action is None and url_name:
        # `configmap-namespaced-list` is the configmap collection in one namespace: configmap.create
        parts = [p for p in url_name.replace("_", "-").split("-") if p != "namespaced"]
        if len(parts) > 1 and parts[-1] in COLLECTION_SUFFIXES:
            action = f"{'_'.join(parts[:-1])}.{METHOD_VERBS.get(method, method.lower())}"
        elif len(parts) > 1:
            action = f"{parts[0]}.{'_'.join(parts[1:])}"
        else:
            action = f"{parts[0]}.{METHOD_VERBS.get(method, method.lower())}"
    if action is None:
        action = "api.unknown"  # no such endpoint (404) — still an attempted change
    if action == "auth.login" and status_code >= 400:
        action = "auth.login_failed"
    return action, action.split(".", 1)[0]


def response_body(response: HttpResponse) -> dict[str, Any]:
    """The envelope the client got (DRF's data before rendering, else the small JSON body)."""
    data = getattr(response, "data", None)
    if data is not None:
        from common.envelope import wrap

        return wrap(data, response.status_code)
    if "json" in response.get("Content-Type", "") and not getattr(response, "streaming", False) \
            and len(response.content) < 65536:
        try:
            body = json.loads(response.content)
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {}


def describe(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The row's fields for one write request (no secrets: no body, no query string)."""
    match = getattr(request, "resolver_match", None)
    kwargs = dict(match.kwargs) if match is not None else {}
    action, resource = action_for(match.url_name if match is not None else None, request.method or "",
                                  request.path_info, response.status_code)
    body = response_body(response)
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    user = getattr(request, "user", None)
    username = user.get_username() if getattr(user, "is_authenticated", False) else ""
    cluster_id = kwargs.get("cluster_id")
    name = kwargs.get("name", "")
    if resource == "cluster":
        cluster_id = cluster_id or kwargs.get("pk")
    elif not name:
        name = kwargs.get("pk", "")
    if response.status_code < 300 and action.endswith(".create"):
        # The new object's identity is only in the answer.
        if resource == "cluster":
            cluster_id = data.get("id", cluster_id)
        name = data.get("name") or data.get("username") or data.get("id") or name
    fields = {
        "action": action, "resource": resource, "username": username, "source_ip": client_ip(request),
        "cluster_id": cluster_id, "namespace": kwargs.get("namespace", ""), "name": name,
        "method": request.method, "path": request.path_info, "status_code": response.status_code,
        "message": body.get("message", ""),
    }
    fields.update(notes(request))
    if action == "auth.login_failed" and not fields["username"]:
        fields["username"] = tried_username(request)
    return fields


def tried_username(request: HttpRequest) -> str:
    """The username a login refused before its view ran (throttled) tried: from the body nobody read yet.

    Only the `username` field is kept; the body (and its password) is never stored."""
    try:
        body = json.loads(request.body)
    except (RawPostDataException, ValueError, UnicodeDecodeError):
        return ""  # the view read it (and noted the username), or it was not JSON
    username = body.get("username") if isinstance(body, dict) else None
    return username[:150] if isinstance(username, str) else ""


class AuditMiddleware:
    """Records every /api/ write after its response is built; never changes or fails the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in WRITE_METHODS and request.path_info.startswith("/api/"):
            try:
                services.record(**describe(request, response))
            except Exception:  # noqa: BLE001 - auditing must never break the request it records
                log.exception("Could not describe %s %s for the audit log", request.method, request.path_info)
        return response
