"""Schemathesis hooks for scripts/fuzz.py (loaded through SCHEMATHESIS_HOOKS=scripts.fuzz_hooks).

They keep the fuzz run meaningful without hiding anything:
- path parameters (and the search's query: a real pod's partial name and labels) are drawn a third of
  the time from objects that really exist (the registered
  simulator's id, its nodes, deployments and pods, the throw-away users), so the fuzzer reaches
  the code behind the 404s (DELETE of a deployment only ever names one of them, and DELETE of a
  StatefulSet, DaemonSet, Job or CronJob only a sacrificial `fuzz-spare`, so the others survive for
  GET/PUT/scale/restart/suspend/trigger), and a third of the time, where the path has a namespace or
  name, from outside Kubernetes' name grammar (`..`, `%2E`, `a/b`, upper case, too long): those
  must be refused before anything reaches the cluster;
- operations that would destroy the fixture are redirected, not skipped: PUT/DELETE of the
  fuzzed cluster go to a second, sacrificial registration of the same simulator; PUT/DELETE of
  the admin user go to a sacrificial user; `POST /api/auth/logout` and `/api/auth/refresh`
  (which revoke the token they are called with) get a freshly logged-in token each time.
The context (ids, names, credentials) comes from the JSON file named by KUBEPOLARIS_FUZZ_CONTEXT.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Any

import requests
import schemathesis
from hypothesis import strategies as st

TOKEN_REVOKING = {"/api/auth/logout", "/api/auth/refresh"}


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    with open(os.environ["KUBEPOLARIS_FUZZ_CONTEXT"]) as handle:
        return json.load(handle)


def as_int(value: Any) -> int | None:
    """How the server would read an id (Python's int(), which accepts ' 01', '+1', '1_0', '１')."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# Outside Kubernetes' name grammar (the complement of the schema's `pattern`): each must be a 400 (or a 404
# for an empty segment), and must never reach the cluster as another path (`pods/..` is the namespace itself).
BAD_NAMES = [".", "..", "%2E", "%2E%2E", "a/b", "..%2F..", "Upper", "a_b", "-a", "a-", "a" * 254, "\u00e9", " "]


def with_bad_names(strategy: Any, names: list[str]) -> Any:
    """Path parameters as `strategy` draws them, with one `namespace`/`name` replaced by a bad name."""
    return st.tuples(strategy, st.sampled_from(names), st.sampled_from(BAD_NAMES)).map(
        lambda drawn: {**drawn[0], drawn[1]: drawn[2]})


@schemathesis.hook
def before_generate_path_parameters(hook_context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = hook_context.operation
    if operation is None:
        return strategy
    table = context()["real_parameters"]
    real = table.get(f"{operation.method.upper()} {operation.path}") or table.get(operation.path)
    choices = [strategy]
    if real:
        choices.insert(0, st.sampled_from(real))
    names = [name for name in ("namespace", "name") if "{" + name + "}" in operation.path]
    if names:
        choices.append(with_bad_names(st.sampled_from(real) if real else strategy, names))
    return st.one_of(*choices) if len(choices) > 1 else strategy


@schemathesis.hook
def before_generate_query(hook_context: schemathesis.HookContext, strategy: Any) -> Any:
    """Query strings that find real objects (the search), a third of the time; the schema's own the rest."""
    operation = hook_context.operation
    real = context().get("real_queries", {}).get(operation.path) if operation is not None else None
    return st.one_of(st.sampled_from(real), strategy, strategy) if real else strategy


@schemathesis.hook
def map_path_parameters(hook_context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> dict[str, Any]:
    operation = hook_context.operation
    if operation is None or operation.method.upper() not in {"PUT", "DELETE", "PATCH"}:
        return path_parameters
    ctx = context()
    if operation.path == "/api/clusters/{id}" and as_int(path_parameters.get("id")) == ctx["cluster_id"]:
        return {**path_parameters, "id": str(ctx["sacrificial_cluster_id"])}
    if operation.path == "/api/users/{id}" and as_int(path_parameters.get("id")) == ctx["admin_id"]:
        return {**path_parameters, "id": str(ctx["sacrificial_user_id"])}
    return path_parameters


def fresh_token() -> str:
    ctx = context()
    response = requests.post(f"{ctx['url']}/api/auth/login", timeout=30,
                             json={"username": ctx["admin_username"], "password": ctx["admin_password"]})
    response.raise_for_status()
    return str(response.json()["data"]["token"])


@schemathesis.auth()
class AdminBearer:
    """The admin's token for every operation; a throw-away one for the operations that revoke it."""

    def get(self, case: Any, auth_context: Any) -> str:
        return str(context()["token"])

    def set(self, case: Any, data: str, auth_context: Any) -> None:
        token = fresh_token() if case.operation.path in TOKEN_REVOKING else data
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.hook
def map_body(hook_context: schemathesis.HookContext, body: Any) -> Any:
    """Keep slow-but-valid requests short: a drain waits at most 5 s (also when the body leaves the
    timeout to the server's 60 s default), a scale asks for at most 5 replicas.

    (A 600 s drain or 10,000 simulated pods are valid requests, but would spend the whole time budget.)
    """
    operation = hook_context.operation
    if operation is None or not isinstance(body, dict):
        return body
    if operation.path.endswith("/drain"):
        wait = body.get("timeoutSeconds")
        if wait is None or (isinstance(wait, int) and not isinstance(wait, bool) and wait > 5):
            return {**body, "timeoutSeconds": 5}  # absent means the server's 60 s default
        return body
    if operation.path.endswith("/scale") and isinstance(body.get("replicas"), int) and body["replicas"] > 5:
        return {**body, "replicas": body["replicas"] % 6}
    spec = body.get("spec")
    if operation.path.endswith("/deployments/{name}") and isinstance(spec, dict) \
            and isinstance(spec.get("replicas"), int) and spec["replicas"] > 5:
        return {**body, "spec": {**spec, "replicas": 2}}
    return body


# Apply bodies that reach the cluster (the schema's own rarely parse as manifests): dry runs of every shape,
# one real apply of a throw-away ConfigMap, a kind the cluster does not serve, a conflict-free re-apply.
_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-cm\ndata:\n  a: '1'\n"
_DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fuzz-web}\nspec:\n  replicas: 1\n"
           "  selector: {matchLabels: {app: fuzz-web}}\n  template:\n    metadata: {labels: {app: fuzz-web}}\n"
           "    spec: {containers: [{name: web, image: nginx}]}\n")
SANE_APPLY_BODIES = [
    {"yaml": _CM, "dryRun": True},
    {"yaml": _CM, "namespace": "shop"},
    {"yaml": _CM + "---\n" + _DEPLOY, "dryRun": True, "force": True},
    {"objects": [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}], "dryRun": True},
    {"yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: fuzz-ns}\n", "dryRun": True},
]


@schemathesis.hook
def before_generate_body(hook_context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = hook_context.operation
    if operation is not None and operation.path.endswith("/apply"):
        return st.one_of(st.sampled_from(SANE_APPLY_BODIES), strategy)
    return strategy


CLUSTER_FAILURE = re.compile(r"cluster '[^']*'")


@schemathesis.hook
def filter_failure(hook_context: schemathesis.HookContext, failure: Any, case: Any, response: Any) -> bool:
    """Drop exactly one kind of "server error": the contract's 502/504 for a target cluster that cannot be
    reached or answers badly, as an error envelope naming the cluster. The fuzzer registers clusters
    with made-up credentials, and for those this is the correct answer. Everything else is kept.
    """
    if "server error" not in str(getattr(failure, "title", "")).lower() or response.status_code not in (502, 504):
        return True
    try:
        body = response.json()
    except (ValueError, AttributeError):
        return True
    envelope = isinstance(body, dict) and set(body) == {"code", "message", "data"}
    named = envelope and body["code"] == response.status_code and body["data"] is None \
        and bool(CLUSTER_FAILURE.search(str(body["message"])))
    return not named
